import {mulberry32} from '../../fixtures/random.js';
import type {TraceEvent} from '../core/trace-event.js';
import {sleep} from './sleep.js';

export interface SimulateLiveRunOptions {
	/** Same seed, same clock: same run. Default: from the clock. */
	seed?: number;
	/** About how long the run takes (default 60 s). */
	durationMs?: number;
	/** The clock for timestamps and ids (default Date.now). */
	now?: () => number;
	/** Aborting ends the run early as cancelled. */
	signal?: AbortSignal;
	env?: string;
	target?: string;
	/** Default: the seed decides (about one run in three fails its smoke tests). */
	outcome?: 'success' | 'failed';
}

export interface SimulatedRun {
	run_id: string;
	trace_id: string;
	status: 'success' | 'failed' | 'cancelled';
	events: number;
}

/** Anything that stores events: EventWriter, an owned writer, the emitter's sink. */
export interface EventSink {
	write(events: readonly TraceEvent[]): Promise<unknown>;
}

function hex(random: () => number, length: number): string {
	let out = '';
	while (out.length < length) {
		out += Math.floor(random() * 0x1_00_00_00_00).toString(16).padStart(8, '0');
	}

	return out.slice(0, length);
}

function runIdAt(ms: number, sha: string): string {
	const iso = new Date(ms).toISOString();
	return `run-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${sha.slice(0, 7)}`;
}

/** One scripted event: `wait` is its delay before, in relative units scaled to the duration. */
interface Beat {
	wait: number;
	span: string;
	parent?: string;
	type: string;
	status?: TraceEvent['status'];
	data?: Record<string, unknown>;
	tags?: string[];
}

/**
 * The script of a deploy: Build, Deploy (an AI decision picks spot capacity,
 * spot fails, the saga releases the reservation and falls back to on-demand),
 * Health Check (a retry), Migration, Smoke Tests (which fail in some runs).
 */
function script(random: () => number, outcome: 'success' | 'failed', names: {target: string; sha: string}): {beats: Beat[]; steps: number} {
	const s = (name: string) => `${name}-${hex(random, 8)}`;
	const [build, deploy, health, migration, smoke] = [s('build'), s('deploy'), s('health'), s('migrate'), s('smoke')];
	const [decide, reserveSpot, attachSpot, release, reserveOnDemand, rollout] = [s('decide'), s('spot'), s('attach'), s('release'), s('ondemand'), s('rollout')];
	const [probe, apply, getOrders, checkout] = [s('probe'), s('apply'), s('orders'), s('checkout')];
	const image = `${names.target}:${names.sha.slice(0, 7)}`;
	const confidence = Math.round((0.62 + random() * 0.2) * 100) / 100;
	const beats: Beat[] = [
		{wait: 1, span: build, parent: 'root', type: 'stage:started', data: {name: 'Build'}},
		{wait: 3, span: build, type: 'log:stderr', data: {line: 'npm WARN deprecated inflight@1.0.6: This module is not supported'}},
		{wait: 3, span: build, type: 'log:stderr', data: {line: `warning: bundle size ${(1 + random()).toFixed(2)} MB exceeds the 1 MB budget`}},
		{wait: 4, span: build, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Build', output: {image}, exit_code: 0}},

		{wait: 1, span: deploy, parent: 'root', type: 'stage:started', data: {name: 'Deploy'}},
		{wait: 2, span: decide, parent: deploy, type: 'ai:decision', status: 'success', data: {
			name: 'choose capacity pool',
			decision: 'spot',
			alternatives: [
				{option: 'spot', score: confidence, reason: 'about 60% cheaper; the pool had capacity five minutes ago'},
				{option: 'on-demand', score: Math.round((confidence - 0.09) * 100) / 100, reason: 'always available, full price'},
			],
			reasoning: 'Spot capacity in eu-west-1b was available at the last check and the rollout is interruptible, so the cheaper pool wins.',
			confidence,
		}},
		{wait: 1, span: reserveSpot, parent: deploy, type: 'step:started', data: {name: 'reserve spot capacity', input: {pool: 'spot', nodes: 3}}, tags: ['saga']},
		{wait: 3, span: reserveSpot, parent: deploy, type: 'step:completed', status: 'success', data: {name: 'reserve spot capacity', output: {reservation: `res-${hex(random, 6)}`}}},
		{wait: 1, span: attachSpot, parent: deploy, type: 'step:started', data: {name: 'attach spot nodes'}, tags: ['saga']},
		{wait: 3, span: attachSpot, type: 'log:stderr', data: {line: 'InsufficientInstanceCapacity: no spot capacity for m6i.large in eu-west-1b'}},
		{wait: 1, span: attachSpot, parent: deploy, type: 'step:failed', status: 'failed', data: {
			name: 'attach spot nodes', exit_code: 1, error: {message: 'InsufficientInstanceCapacity: no spot capacity for m6i.large in eu-west-1b'},
		}},
		{wait: 1, span: release, parent: deploy, type: 'saga:compensating', data: {name: 'release spot capacity', original_span_id: reserveSpot}},
		{wait: 2, span: release, parent: deploy, type: 'saga:compensated', status: 'success', data: {name: 'release spot capacity', original_span_id: reserveSpot}},
		{wait: 1, span: reserveOnDemand, parent: deploy, type: 'step:started', data: {name: 'reserve on-demand capacity', input: {pool: 'on-demand', nodes: 3}}, tags: ['saga']},
		{wait: 3, span: reserveOnDemand, parent: deploy, type: 'step:completed', status: 'success', data: {name: 'reserve on-demand capacity'}},
		{wait: 2, span: rollout, parent: deploy, type: 'step:started', data: {name: `roll out ${image}`}},
		{wait: 5, span: rollout, parent: deploy, type: 'step:completed', status: 'success', data: {name: `roll out ${image}`}},
		{wait: 1, span: deploy, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Deploy'}},

		{wait: 1, span: health, parent: 'root', type: 'stage:started', data: {name: 'Health Check'}},
		{wait: 1, span: probe, parent: health, type: 'step:started', data: {name: 'probe /healthz'}},
		{wait: 3, span: probe, type: 'log:stderr', data: {line: 'curl: (7) Failed to connect to api.internal port 8080: Connection refused'}},
		{wait: 1, span: probe, parent: health, type: 'step:retrying', status: 'pending', data: {name: 'probe /healthz', retry: {n: 1, exit_code: 7}}},
		{wait: 3, span: probe, parent: health, type: 'step:completed', status: 'success', data: {name: 'probe /healthz', exit_code: 0}},
		{wait: 1, span: health, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Health Check'}},

		{wait: 1, span: migration, parent: 'root', type: 'stage:started', data: {name: 'Migration'}},
		{wait: 1, span: apply, parent: migration, type: 'step:started', data: {name: 'apply 0042_add_orders_index'}},
		{wait: 6, span: apply, type: 'log:stderr', data: {line: 'NOTICE: building index "orders_customer_idx" concurrently'}},
		{wait: 4, span: apply, parent: migration, type: 'step:completed', status: 'success', data: {name: 'apply 0042_add_orders_index'}},
		{wait: 1, span: migration, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Migration'}},

		{wait: 1, span: smoke, parent: 'root', type: 'stage:started', data: {name: 'Smoke Tests'}},
		{wait: 2, span: getOrders, parent: smoke, type: 'step:started', data: {name: 'GET /v1/orders'}},
		{wait: 3, span: getOrders, parent: smoke, type: 'step:completed', status: 'success', data: {name: 'GET /v1/orders'}},
		{wait: 1, span: checkout, parent: smoke, type: 'step:started', data: {name: 'POST /v1/checkout'}},
	];
	if (outcome === 'failed') {
		const error = {message: 'POST /v1/checkout: expected 201, got 502 Bad Gateway'};
		beats.push(
			{wait: 2, span: checkout, type: 'log:stderr', data: {line: 'AssertionError: expected 201, got 502 Bad Gateway (upstream payments timed out)'}},
			{wait: 1, span: checkout, parent: smoke, type: 'step:failed', status: 'failed', data: {name: 'POST /v1/checkout', exit_code: 1, error}},
			{wait: 1, span: smoke, parent: 'root', type: 'stage:failed', status: 'failed', data: {name: 'Smoke Tests', error}},
			{wait: 1, span: 'root', type: 'workflow:failed', status: 'failed', data: {error}},
		);
	} else {
		beats.push(
			{wait: 3, span: checkout, parent: smoke, type: 'step:completed', status: 'success', data: {name: 'POST /v1/checkout'}},
			{wait: 1, span: smoke, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Smoke Tests'}},
			{wait: 1, span: 'root', type: 'workflow:completed', status: 'success'},
		);
	}

	const steps = new Set(beats.filter(beat => /^(stage|step):started$/.test(beat.type)).map(beat => beat.span)).size;
	return {beats, steps};
}

/**
 * A simulated live deploy, written through `writer` as it happens over about
 * `durationMs`: stages Build, Deploy, Health Check, Migration and Smoke Tests,
 * an AI decision, a saga compensation, a retry and stderr lines. Resolves
 * when the run has ended; an abort ends it as cancelled.
 */
export async function simulateLiveRun(writer: EventSink, options: SimulateLiveRunOptions = {}): Promise<SimulatedRun> {
	const now = options.now ?? Date.now;
	const startMs = now();
	const seed = options.seed ?? startMs;
	const choices = mulberry32(seed);
	const outcome = options.outcome ?? (choices() < 0.35 ? 'failed' : 'success');
	// Ids also depend on the start, so that looping one seed gives distinct runs.
	const ids = mulberry32((seed ^ Math.floor(startMs / 1000) ^ (startMs % 1000) * 7919) >>> 0);
	const traceId = hex(ids, 32);
	const rootId = hex(ids, 16);
	const sha = hex(ids, 40);
	const target = options.target ?? 'api';
	const env = options.env ?? 'staging';
	const runId = runIdAt(startMs, sha);
	const {beats, steps} = script(ids, outcome, {target, sha});
	const unit = (options.durationMs ?? 60_000) / beats.reduce((sum, beat) => sum + beat.wait, 0);
	const span = (id: string) => (id === 'root' ? rootId : id);
	let written = 0;
	const emit = async (event: Omit<TraceEvent, 'trace_id' | 'timestamp'>) => {
		// Numbered within the trace: two identical stderr lines stay two, and a retried write stays one.
		await writer.write([{trace_id: traceId, timestamp: new Date(now()).toISOString(), ...event, event_id: `sim-${written + 1}`}]);
		written++;
	};

	await emit({span_id: rootId, event_type: 'workflow:started', data: {
		name: `deploy ${target}`,
		run_id: runId,
		env,
		target,
		total_steps: steps,
		git: {sha, branch: 'main'},
		user: 'deploy-bot',
		runner: 'runner-3',
	}});
	/** Spans started and not yet ended, in start order: an abort closes them. */
	const open = new Map<string, string>();
	for (const beat of beats) {
		await sleep(beat.wait * unit, options.signal);
		if (options.signal?.aborted) {
			// Close what was open, innermost first, so no step of a cancelled run looks still running.
			for (const [id, kind] of [...open].reverse()) {
				await emit({span_id: span(id), event_type: `${kind}:cancelled`, status: 'failed', data: {status: 'cancelled', reason: 'simulation stopped'}});
			}

			await emit({span_id: rootId, event_type: 'workflow:cancelled', status: 'failed', data: {status: 'cancelled', reason: 'simulation stopped'}});
			return {run_id: runId, trace_id: traceId, status: 'cancelled', events: written};
		}

		const [kind = '', phase = ''] = beat.type.split(':');
		if (beat.span !== 'root' && kind !== 'log') {
			if (phase === 'started' || phase === 'compensating') {
				open.set(beat.span, kind);
			} else if (['completed', 'failed', 'compensated', 'compensation_failed'].includes(phase)) {
				open.delete(beat.span);
			}
		}

		const event: Omit<TraceEvent, 'trace_id' | 'timestamp'> = {span_id: span(beat.span), event_type: beat.type};
		if (beat.parent !== undefined) {
			event.parent_span_id = span(beat.parent);
		}

		if (beat.status !== undefined) {
			event.status = beat.status;
		}

		if (beat.data !== undefined) {
			event.data = beat.data;
		}

		if (beat.tags !== undefined) {
			event.tags = beat.tags;
		}

		await emit(event);
	}

	return {run_id: runId, trace_id: traceId, status: outcome, events: written};
}
