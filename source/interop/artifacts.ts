import path from 'node:path';
import {DiskFullError, InputError, isDiskFull, TracedeckError} from '../core/errors.js';
import type {Run} from '../core/run.js';
import {toRedactedJson} from '../core/redact.js';
import {buildRunReport} from '../core/run-report.js';
import {runArtifactDir} from '../store/artifact-dir.js';
import {adoptLegacyArtifactDir} from '../store/artifact-migration.js';
import {makePrivateDir} from '../store/private-files.js';
import {openStore, type StoreLocation} from '../store/open-store.js';
import {writeFileAtomic} from './atomic-file.js';
import {runsToOtlp, type RunWithSpans} from './otlp-export.js';
import {barePlanHash, planHash} from './plan-signature.js';
import {renderReportHtml} from './report-html.js';

export interface ArtifactOptions {
	/** The resolved plan, secrets and all: it is hashed as given and written redacted. */
	plan?: unknown;
	/** The clock for open spans in the report (default now). */
	nowMs?: number;
}

export interface RunArtifacts {
	run: Run;
	/** `<home>/artifacts/<env|_>/<target|_>/<plan-hash|_>/<run-id>/`, each escaped one to one (store/artifact-dir.ts) */
	dir: string;
	/** The run's recorded plan hash, else the hash of the given plan, else null. */
	plan_hash: string | null;
	files: {
		/** Null when no plan was given (an earlier plan.json is left alone). */
		plan: string | null;
		otlp: string;
		summary: string;
		report: string;
	};
}

/** DESIGN's run fields, in DESIGN's order: what summary.json holds. */
export function runSummary(run: Run): Record<string, unknown> {
	return {
		run_id: run.run_id,
		trace_id: run.trace_id,
		env: run.env,
		target: run.target,
		plan_hash: run.plan_hash,
		status: run.status,
		started_at: run.started_at,
		ended_at: run.ended_at,
		failed_step: run.failed_step,
		retries: run.retries,
		runner: run.runner,
		git: run.git,
		user: run.user,
		progress: run.progress,
		policy: run.policy,
	};
}

/**
 * The plan's hash, checked against the one the run recorded: a plan the run
 * did not execute must not be filed under that run.
 */
/**
 * The plan hash covers the plan as written to plan.json, secrets redacted:
 * the only form anyone can check later (`runs verify`), and a hash of a
 * secret is not something to file next to it (see plan-signature.ts).
 */
function checkedPlanHash(run: Run, redacted: unknown): string {
	const hash = planHash(redacted);
	if (run.plan_hash === null) {
		return hash;
	}

	const recorded = barePlanHash(run.plan_hash);
	if (recorded !== hash) {
		throw new InputError(`the plan given for run ${run.run_id} hashes to ${hash.slice(0, 12)}… but the run recorded ${recorded.slice(0, 12)}… (the hash covers the plan with secrets redacted); pass the plan the run executed`);
	}

	return run.plan_hash;
}

/** Write a run's artifacts from data already loaded. Each file is replaced atomically. */
export function writeArtifactsFor(home: string, {run, spans}: RunWithSpans, options: ArtifactOptions = {}): RunArtifacts {
	const hasPlan = options.plan !== undefined;
	const redacted = hasPlan ? toRedactedJson(options.plan) : undefined;
	const hash = hasPlan ? checkedPlanHash(run, redacted) : run.plan_hash;
	// The folder and summary.json name the plan by hash even when the run itself did not record one.
	const filed: Run = {...run, plan_hash: hash};
	const dir = runArtifactDir(home, filed);
	const files: RunArtifacts['files'] = {
		plan: hasPlan ? path.join(dir, 'plan.json') : null,
		otlp: path.join(dir, 'otlp-traces.json'),
		summary: path.join(dir, 'summary.json'),
		report: path.join(dir, 'report.html'),
	};
	const nowMs = options.nowMs ?? Date.now();
	try {
		// A folder an older tracedeck named for this run moves to today's name first: one folder per run.
		adoptLegacyArtifactDir(home, filed);
		makePrivateDir(dir);
		if (files.plan !== null) {
			writeFileAtomic(files.plan, `${JSON.stringify(redacted, null, 2)}\n`);
		}

		writeFileAtomic(files.otlp, `${JSON.stringify(runsToOtlp([{run, spans}]))}\n`);
		writeFileAtomic(files.summary, `${JSON.stringify(runSummary(filed), null, 2)}\n`);
		writeFileAtomic(files.report, renderReportHtml(buildRunReport(run, spans, nowMs), {generatedAtMs: nowMs}));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === undefined) {
			throw error;
		}

		if (isDiskFull(error)) {
			throw new DiskFullError(`the artifacts of run ${run.run_id} under ${dir} (files written before are whole, the rest are as they were)`);
		}

		// A read-only disk is the user's to fix, not a bug: say where and why in one line.
		throw new TracedeckError(`cannot write the artifacts of run ${run.run_id} under ${dir} (${code}); check that ${home} is writable and has space`);
	}

	return {run, dir, plan_hash: hash, files};
}

/**
 * Write the artifacts of the run `runRef` names (id, trace id or unique
 * prefix): plan.json (when a plan is given; secrets redacted), otlp-traces.json
 * (`tracedeck ingest <dir>` reads it back into the same run), summary.json and
 * a self-contained report.html.
 */
export async function writeRunArtifacts(location: StoreLocation, runRef: string, options: ArtifactOptions = {}): Promise<RunArtifacts> {
	const store = await openStore(location, {readonly: true});
	let source: RunWithSpans;
	try {
		const run = await store.resolveRun(runRef);
		source = {run, spans: await store.spans(run.trace_id)};
	} finally {
		await store.close();
	}

	return writeArtifactsFor(location.home, source, options);
}
