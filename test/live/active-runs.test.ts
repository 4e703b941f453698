import assert from 'node:assert/strict';
import {test} from 'node:test';
import {activeRuns, DEFAULT_STUCK_AFTER_MS, describeActiveRun, parseStuckAfter} from '../../source/core/active-runs.js';
import {InputError} from '../../source/core/errors.js';
import type {Run} from '../../source/core/run.js';
import {listActiveRuns, stuckAfterMs} from '../../source/live/active-runs.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {simulateLiveRun} from '../../source/live/simulate-run.js';
import {waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function runAt(overrides: Partial<Run>): Run {
	return {
		run_id: 'run-1',
		trace_id: 't1',
		env: 'prod',
		target: 'api',
		plan_hash: null,
		status: 'running',
		started_at: new Date(T0).toISOString(),
		ended_at: null,
		failed_step: null,
		retries: 0,
		runner: null,
		git: null,
		user: null,
		progress: {completed: 3, total: 10},
		policy: null,
		name: 'deploy api',
		last_event_ms: T0 + 60_000,
		parent_trace_id: null,
		correlation_id: null,
		current_step: 'deploy/migrate',
		...overrides,
	};
}

test('progress, elapsed time, current step; only running runs', () => {
	const now = T0 + 133_000;
	const [active, ...rest] = activeRuns([runAt({}), runAt({run_id: 'done', status: 'success'})], now);
	assert.equal(rest.length, 0);
	assert.deepEqual(
		{...active, run: undefined},
		{
			run: undefined,
			progress: {completed: 3, total: 10},
			step_number: 4,
			elapsed_ms: 133_000,
			idle_ms: 73_000,
			current_step: 'deploy/migrate',
			stuck: false,
		},
	);
	assert.equal(describeActiveRun(active!), 'run-1, step 4 of 10 (deploy/migrate), 2m13s');
});

test('stuck: no event for longer than the threshold (default 5 min)', () => {
	const quiet = runAt({last_event_ms: T0});
	assert.equal(activeRuns([quiet], T0 + DEFAULT_STUCK_AFTER_MS)[0]!.stuck, false, 'exactly at the threshold is not yet stuck');
	const [stuck] = activeRuns([quiet], T0 + DEFAULT_STUCK_AFTER_MS + 1);
	assert.equal(stuck!.stuck, true);
	assert.match(describeActiveRun(stuck!), /, stuck: no event for 5m00s$/);
	assert.equal(activeRuns([quiet], T0 + 61_000, 60_000)[0]!.stuck, true, 'a custom threshold');
});

test('between steps and before any: the step number does not run ahead', () => {
	assert.equal(activeRuns([runAt({current_step: null})], T0)[0]!.step_number, 3);
	assert.equal(activeRuns([runAt({progress: {completed: 0, total: 0}, current_step: null})], T0)[0]!.step_number, 0);
	assert.equal(describeActiveRun(activeRuns([runAt({progress: {completed: 0, total: 0}, current_step: null})], T0 + 5000)[0]!), 'run-1, 5.0s');
});

test('TRACEDECK_STUCK_AFTER: a duration, the default when unset, an InputError when malformed', () => {
	assert.equal(parseStuckAfter(undefined), DEFAULT_STUCK_AFTER_MS);
	assert.equal(parseStuckAfter('90s'), 90_000);
	assert.equal(parseStuckAfter('0'), undefined);
	assert.equal(stuckAfterMs({TRACEDECK_STUCK_AFTER: '2m'}), 120_000);
	assert.equal(stuckAfterMs({}), DEFAULT_STUCK_AFTER_MS);
	assert.throws(() => stuckAfterMs({TRACEDECK_STUCK_AFTER: 'soon'}), InputError);
});

test('listActiveRuns reads running runs from the index', async () => {
	const {index, cleanup} = tempIndex();
	const controller = new AbortController();
	const writer = new EventWriter(new SqliteStore(index));
	// A run that is still going: aborted later, after we look.
	const running = simulateLiveRun(writer, {seed: 9, durationMs: 60_000, signal: controller.signal});
	try {
		await waitFor(() => index.listRuns({status: 'running'})[0]?.current_step === 'Build', 'the Build stage to start');
		const finished = await simulateLiveRun(writer, {seed: 10, durationMs: 0});
		const now = Date.now();
		const active = await listActiveRuns(new SqliteStore(index), {now, env: {}});
		assert.equal(active.length, 1);
		assert.notEqual(active[0]!.run.run_id, finished.run_id);
		assert.equal(active[0]!.progress.total, 13, 'total_steps declared by the root');
		assert.equal(active[0]!.current_step, 'Build');
		assert.equal(active[0]!.stuck, false);
		assert.equal((await listActiveRuns(new SqliteStore(index), {now: now + 10 * 60_000, env: {}}))[0]!.stuck, true);
		controller.abort();
		assert.equal((await running).status, 'cancelled');
		assert.deepEqual(await listActiveRuns(new SqliteStore(index), {env: {}}), []);
		assert.equal(index.listRuns({status: 'cancelled'}).length, 1);
	} finally {
		controller.abort();
		await running;
		cleanup();
	}
});
