import {formatRunId} from '../core/run-id.js';
import {hashSeed, Random} from '../demo/random.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {EventSink} from './event-sink.js';
import {sleep as realSleep} from './sleep.js';

/** The share of simulated runs that fail, as the README promises ("about one run in three"). */
export const LIVE_FAILURE_SHARE = 1 / 3;

/** Where a failing simulated run fails: the smoke test of the checkout endpoint. */
export const LIVE_FAILED_STEP = 'Smoke Tests/POST /v1/checkout';

export interface SimulateLiveRunOptions {
	/** Same seed, same clock: same run. Default: from the clock. */
	seed?: number;
	/** About how long the run takes (default 60 s). */
	durationMs?: number;
	/** The clock for timestamps and ids (default Date.now). */
	now?: () => number;
	/**
	 * How the run waits between events (default a real timer). Given with
	 * `now`, a virtual clock: a test then plays a minute-long run at once.
	 */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Aborting ends the run early as cancelled. */
	signal?: AbortSignal;
	env?: string;
	target?: string;
	/** Default: the seed decides (liveRunOutcome: about one run in three fails its smoke tests). */
	outcome?: 'success' | 'failed';
}

export interface SimulatedRun {
	run_id: string;
	trace_id: string;
	status: 'success' | 'failed' | 'cancelled';
	events: number;
	/** The step path of the failure that failed the run (LIVE_FAILED_STEP), null otherwise. */
	failed_at: string | null;
}

/**
 * The seed's outcome: the first draw of the run's story, so that choosing a
 * seed chooses the outcome whatever the clock (a test or `demo --seed` can
 * pick a failing run).
 */
export function liveRunOutcome(seed: number): 'success' | 'failed' {
	return storyOf(seed).chance(LIVE_FAILURE_SHARE) ? 'failed' : 'success';
}

/** What the seed alone decides: outcome first, then the numbers and pacing. */
function storyOf(seed: number): Random {
	return new Random(hashSeed('live-run', seed));
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

interface Script {
	beats: Beat[];
	/** The planned stage and step spans, which the root declares as total_steps. */
	steps: number;
}

/**
 * The script of a deploy: Build, Deploy (an AI decision picks spot capacity,
 * attaching spot nodes fails, the saga releases the reservation and falls
 * back to on-demand, and the stage succeeds), Health Check (a retry),
 * Migration, Smoke Tests. A failing run fails for real at POST /v1/checkout:
 * its stage and the run fail, and a Rollback stage puts the previous
 * revision back, as the generated deploys do. The spot failure stays a
 * recovered one in every run: its stage succeeded.
 */
function script(story: Random, ids: Random, outcome: 'success' | 'failed', names: {target: string; env: string; sha: string}): Script {
	const s = (name: string) => `${name}-${ids.id(8)}`;
	const [build, deploy, health, migration, smoke] = [s('build'), s('deploy'), s('health'), s('migrate'), s('smoke')];
	const [decide, reserveSpot, attachSpot, release, reserveOnDemand, rollout] = [s('decide'), s('spot'), s('attach'), s('release'), s('ondemand'), s('rollout')];
	const [probe, apply, getOrders, checkout] = [s('probe'), s('apply'), s('orders'), s('checkout')];
	const image = `${names.target}:${names.sha.slice(0, 7)}`;
	const hundredths = (value: number) => Math.round(value * 100) / 100;
	const confidence = hundredths(story.float(0.62, 0.82));
	// Over the 1 MB budget, as the warning says, by a plausible margin.
	const bundleMb = story.float(1.05, 1.6).toFixed(2);
	const nodes = 3;
	const beats: Beat[] = [
		{wait: 1, span: build, parent: 'root', type: 'stage:started', data: {name: 'Build'}},
		{wait: 3, span: build, type: 'log:stderr', data: {line: 'npm WARN deprecated inflight@1.0.6: This module is not supported'}},
		{wait: 3, span: build, type: 'log:stderr', data: {line: `warning: bundle size ${bundleMb} MB exceeds the 1 MB budget`}},
		{wait: 4, span: build, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Build', output: {image}, exit_code: 0}},

		{wait: 1, span: deploy, parent: 'root', type: 'stage:started', data: {name: 'Deploy'}},
		{
			wait: 2,
			span: decide,
			parent: deploy,
			type: 'ai:decision',
			status: 'success',
			data: {
				name: 'choose capacity pool',
				decision: 'spot',
				alternatives: [
					{option: 'spot', score: confidence, reason: 'about 60% cheaper; the pool had capacity five minutes ago'},
					{option: 'on-demand', score: hundredths(confidence - 0.09), reason: 'always available, full price'},
				],
				reasoning: 'Spot capacity in eu-west-1b was available at the last check and the rollout is interruptible, so the cheaper pool wins.',
				confidence,
			},
		},
		{wait: 1, span: reserveSpot, parent: deploy, type: 'step:started', data: {name: 'reserve spot capacity', input: {pool: 'spot', nodes}}, tags: ['saga']},
		{wait: 3, span: reserveSpot, parent: deploy, type: 'step:completed', status: 'success', data: {name: 'reserve spot capacity', output: {reservation: `res-${ids.id(6)}`}}},
		{wait: 1, span: attachSpot, parent: deploy, type: 'step:started', data: {name: 'attach spot nodes'}, tags: ['saga']},
		{wait: 3, span: attachSpot, type: 'log:stderr', data: {line: 'InsufficientInstanceCapacity: no spot capacity for m6i.large in eu-west-1b'}},
		{
			wait: 1,
			span: attachSpot,
			parent: deploy,
			type: 'step:failed',
			status: 'failed',
			data: {
				name: 'attach spot nodes',
				exit_code: 1,
				error: {message: 'InsufficientInstanceCapacity: no spot capacity for m6i.large in eu-west-1b'},
			},
		},
		{wait: 1, span: release, parent: deploy, type: 'saga:compensating', data: {name: 'release spot capacity', original_span_id: reserveSpot}},
		{wait: 2, span: release, parent: deploy, type: 'saga:compensated', status: 'success', data: {name: 'release spot capacity', original_span_id: reserveSpot}},
		{wait: 1, span: reserveOnDemand, parent: deploy, type: 'step:started', data: {name: 'reserve on-demand capacity', input: {pool: 'on-demand', nodes}}, tags: ['saga']},
		{wait: 3, span: reserveOnDemand, parent: deploy, type: 'step:completed', status: 'success', data: {name: 'reserve on-demand capacity', output: {reservation: `res-${ids.id(6)}`}}},
		{wait: 2, span: rollout, parent: deploy, type: 'step:started', data: {name: `roll out ${image}`}},
		{wait: 5, span: rollout, parent: deploy, type: 'step:completed', status: 'success', data: {name: `roll out ${image}`, output: {replicas: nodes}}},
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
	const steps = new Set(beats.filter(beat => /^(stage|step):started$/.test(beat.type)).map(beat => beat.span)).size;
	if (outcome === 'failed') {
		const [rollback, undo, settle] = [s('rollback'), s('undo'), s('settle')];
		const error = {message: 'POST /v1/checkout: expected 201, got 502 Bad Gateway'};
		const command = `kubectl rollout undo deployment/${names.target} -n ${names.env}`;
		beats.push(
			{wait: 2, span: checkout, type: 'log:stderr', data: {line: 'AssertionError: expected 201, got 502 Bad Gateway (upstream payments timed out)'}},
			{wait: 1, span: checkout, parent: smoke, type: 'step:failed', status: 'failed', data: {name: 'POST /v1/checkout', exit_code: 1, error}},
			{wait: 1, span: smoke, parent: 'root', type: 'stage:failed', status: 'failed', data: {name: 'Smoke Tests', error: {message: `POST /v1/checkout failed: ${error.message}`}}},
			{wait: 1, span: rollback, parent: 'root', type: 'stage:started', data: {name: 'Rollback', reason: error.message}},
			{wait: 1, span: undo, parent: rollback, type: 'step:started', data: {name: 'kubectl rollout undo', command}},
			{wait: 2, span: undo, type: 'log:stderr', data: {line: `deployment.apps/${names.target} rolled back`}},
			{wait: 1, span: undo, parent: rollback, type: 'step:completed', status: 'success', data: {name: 'kubectl rollout undo', exit_code: 0}},
			{wait: 1, span: settle, parent: rollback, type: 'step:started', data: {name: 'wait for previous revision'}},
			{wait: 3, span: settle, parent: rollback, type: 'step:completed', status: 'success', data: {name: 'wait for previous revision', output: {replicas: nodes}}},
			{wait: 1, span: rollback, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Rollback'}},
			{wait: 1, span: 'root', type: 'workflow:failed', status: 'failed', data: {error: {message: `${error.message}; rolled back to the previous revision`}}},
		);
	} else {
		beats.push({wait: 3, span: checkout, parent: smoke, type: 'step:completed', status: 'success', data: {name: 'POST /v1/checkout'}}, {wait: 1, span: smoke, parent: 'root', type: 'stage:completed', status: 'success', data: {name: 'Smoke Tests'}}, {wait: 1, span: 'root', type: 'workflow:completed', status: 'success'});
	}

	// Steps take uneven times, as real ones do; the total is scaled to the duration later.
	for (const beat of beats) {
		beat.wait *= story.float(0.6, 1.4);
	}

	return {beats, steps};
}

/**
 * A simulated live deploy, written through `writer` as it happens over about
 * `durationMs`: stages Build, Deploy, Health Check, Migration and Smoke Tests,
 * an AI decision, a saga compensation, a retry and stderr lines; about one
 * run in three fails its checkout smoke test and rolls back. Resolves when
 * the run has ended; an abort ends it as cancelled.
 */
export async function simulateLiveRun(writer: EventSink, options: SimulateLiveRunOptions = {}): Promise<SimulatedRun> {
	const now = options.now ?? Date.now;
	const sleep = options.sleep ?? realSleep;
	const startMs = now();
	const seed = options.seed ?? startMs;
	const story = storyOf(seed);
	const seeded = story.chance(LIVE_FAILURE_SHARE) ? 'failed' : 'success';
	const outcome = options.outcome ?? seeded;
	// Ids also depend on the start, so that looping one seed gives distinct runs.
	const ids = new Random(hashSeed('live-ids', seed, startMs));
	const traceId = ids.id(32);
	const rootId = ids.id(16);
	const sha = ids.id(40);
	const target = options.target ?? 'api';
	const env = options.env ?? 'staging';
	const runId = formatRunId(new Date(startMs), sha.slice(0, 7));
	const {beats, steps} = script(story, ids, outcome, {target, env, sha});
	const unit = Math.max(0, options.durationMs ?? 60_000) / beats.reduce((sum, beat) => sum + beat.wait, 0);
	const span = (id: string) => (id === 'root' ? rootId : id);
	let written = 0;
	const emit = async (event: Omit<TraceEvent, 'trace_id' | 'timestamp'>) => {
		// Numbered within the trace: two identical stderr lines stay two, and a retried write stays one.
		await writer.write([{trace_id: traceId, timestamp: new Date(now()).toISOString(), ...event, event_id: `sim-${written + 1}`}]);
		written++;
	};

	await emit({
		span_id: rootId,
		event_type: 'workflow:started',
		data: {
			name: `deploy ${target}`,
			run_id: runId,
			env,
			target,
			total_steps: steps,
			git: {sha, branch: 'main'},
			user: 'deploy-bot',
			runner: 'runner-3',
		},
	});
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
			return {run_id: runId, trace_id: traceId, status: 'cancelled', events: written, failed_at: null};
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

	return {run_id: runId, trace_id: traceId, status: outcome, events: written, failed_at: outcome === 'failed' ? LIVE_FAILED_STEP : null};
}
