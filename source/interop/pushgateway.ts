import {Gauge, Registry} from 'prom-client';
import type {Run} from '../core/run.js';
import {sanitizeMessage} from '../core/sanitize.js';
import type {Span} from '../core/span.js';
import {NO_ENV} from '../store/deployment-figures.js';

/**
 * Push one finished run's figures to a Prometheus Pushgateway, for CI runs
 * that no server scrapes. The group is `job="tracedeck", run_id="<id>"`, so a
 * run's push replaces only its own figures. The Pushgateway keeps every group
 * until deleted: prune old run_id groups there (or use its TTL extension).
 */

export interface PushOptions {
	/** Default 5 s: a slow gateway must not hold the CI step up. */
	timeoutMs?: number;
	/** For tests. */
	fetch?: typeof fetch;
}

/** A run's stage names are producer text: past this many, the rest are left out. */
const MAX_STAGES = 50;

/** The group path; a value with a "/" goes base64url-encoded, as the Pushgateway documents. */
export function groupPath(runId: string): string {
	const value = runId.includes('/') ? `run_id@base64/${Buffer.from(runId, 'utf8').toString('base64url') || '='}` : `run_id/${encodeURIComponent(runId)}`;
	return `/metrics/job/tracedeck/${value}`;
}

/** The run's figures in the text exposition format. */
export async function runFiguresText(run: Run, spans: readonly Span[]): Promise<string> {
	const registry = new Registry();
	const registers = [registry];
	const labels = {env: run.env ?? NO_ENV, target: run.target ?? 'none', status: run.status};
	const started = Date.parse(run.started_at);
	const ended = run.ended_at === null ? null : Date.parse(run.ended_at);
	if (ended !== null) {
		new Gauge({name: 'tracedeck_run_duration_seconds', help: 'Run duration, start to end', labelNames: ['env', 'target', 'status'], registers}).set(labels, Math.max(0, ended - started) / 1000);
		new Gauge({name: 'tracedeck_run_finished_timestamp_seconds', help: 'When the run ended (Unix seconds)', labelNames: ['env', 'target', 'status'], registers}).set(labels, ended / 1000);
	}

	new Gauge({name: 'tracedeck_run_failed', help: '1 when the run failed, else 0', labelNames: ['env', 'target', 'status'], registers}).set(labels, run.status === 'failed' ? 1 : 0);
	new Gauge({name: 'tracedeck_run_retries', help: 'Step retries in the run', labelNames: ['env', 'target', 'status'], registers}).set(labels, run.retries);
	const stages = spans.filter(span => span.kind === 'stage' && span.end_ms !== null).slice(0, MAX_STAGES);
	if (stages.length > 0) {
		const gauge = new Gauge({name: 'tracedeck_run_stage_duration_seconds', help: 'Duration of each finished stage of the run', labelNames: ['env', 'target', 'stage', 'stage_status'], registers});
		for (const stage of stages) {
			gauge.set({env: labels.env, target: labels.target, stage: stage.name || stage.span_id, stage_status: stage.status}, Math.max(0, stage.end_ms! - stage.start_ms) / 1000);
		}
	}

	return registry.metrics();
}

/**
 * PUT the run's figures to `<url>/metrics/job/tracedeck/run_id/<id>`.
 * Returns undefined on success, or a one-line warning when the gateway is
 * down, slow or refuses: pushing figures never fails the run.
 */
export async function pushRunFigures(url: string, run: Run, spans: readonly Span[], options: PushOptions = {}): Promise<string | undefined> {
	const doFetch = options.fetch ?? fetch;
	let target: URL;
	try {
		target = new URL(`${url.replace(/\/+$/, '')}${groupPath(run.run_id)}`);
	} catch {
		return `pushgateway: "${sanitizeMessage(url)}" is not a URL; run figures not pushed`;
	}

	try {
		const response = await doFetch(target, {
			method: 'PUT',
			headers: {'content-type': 'text/plain; version=0.0.4; charset=utf-8'},
			body: await runFiguresText(run, spans),
			signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
		});
		if (!response.ok) {
			const detail = sanitizeMessage((await response.text().catch(() => '')).slice(0, 200)).trim();
			return `pushgateway ${target.origin} answered ${response.status}${detail ? `: ${detail}` : ''}; run figures not pushed`;
		}

		return undefined;
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : (cause?.code ?? cause?.message ?? (error as Error).message);
		return `pushgateway ${target.origin} unreachable (${sanitizeMessage(String(reason))}); run figures not pushed`;
	}
}
