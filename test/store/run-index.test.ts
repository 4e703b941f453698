import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {NotFoundError, InputError, StoreError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at, failedDeploy} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

function counts(index: RunIndex): {events: number; spans: number; runs: number} {
	const one = (sql: string): number => index.db.prepare(sql).pluck().get() as number;
	return {events: one('SELECT count(*) FROM events'), spans: one('SELECT count(*) FROM spans'), runs: one('SELECT count(*) FROM runs')};
}

test('events fold into spans and a run summary', () => {
	const index = RunIndex.open(tempHome());
	index.appendEvents(failedDeploy());
	const run = index.resolveRun('run-20261124-030000-abc1234');
	assert.equal(run.status, 'failed');
	assert.equal(run.env, 'prod');
	assert.equal(run.failed_step, 'Deploy');
	assert.deepEqual(run.progress, {completed: 2, total: 3});
	assert.equal(run.started_at, at(0));
	assert.equal(run.ended_at, at(10));
	const spans = index.spans('t1');
	const deploy = spans.find(span => span.span_id === 'd')!;
	assert.deepEqual(deploy.stderr, ['health check timeout']);
	assert.equal(deploy.error?.message, 'health check timeout after 30s');
	assert.deepEqual(counts(index), {events: 7, spans: 3, runs: 1});
	index.close();
});

test('appending the same events twice changes nothing', () => {
	const index = RunIndex.open(tempHome());
	const first = index.appendEvents(failedDeploy());
	const before = index.db.prepare('SELECT * FROM spans ORDER BY span_id').all();
	const runBefore = index.db.prepare('SELECT * FROM runs').all();
	const second = index.appendEvents(failedDeploy());
	assert.equal(first.inserted.length, 7);
	assert.equal(second.inserted.length, 0);
	assert.equal(second.duplicates, 7);
	assert.deepEqual(index.db.prepare('SELECT * FROM spans ORDER BY span_id').all(), before);
	assert.deepEqual(index.db.prepare('SELECT * FROM runs').all(), runBefore);
	index.close();
});

test('events arriving one by one give the same run as a batch, and progress moves live', () => {
	const batch = RunIndex.open(tempHome());
	batch.appendEvents(failedDeploy());
	const live = RunIndex.open(tempHome());
	const events = failedDeploy();
	live.appendEvents(events.slice(0, 2));
	let run = live.resolveRun('run-20261124');
	assert.equal(run.status, 'running');
	assert.equal(run.current_step, 'Build');
	assert.deepEqual(run.progress, {completed: 0, total: 3});
	live.appendEvents(events.slice(2, 4));
	run = live.resolveRun('run-20261124');
	assert.deepEqual(run.progress, {completed: 1, total: 3});
	assert.equal(run.current_step, 'Deploy');
	for (const event of events.slice(4)) {
		live.appendEvents([event]);
	}

	assert.deepEqual(live.resolveRun('t1'), batch.resolveRun('t1'));
	batch.close();
	live.close();
});

test('a child before its root: the run takes its id once the root arrives', () => {
	const index = RunIndex.open(tempHome());
	const events = failedDeploy();
	index.appendEvents([events[1]!]);
	assert.equal(index.resolveRun('t1').run_id, 't1');
	index.appendEvents(events);
	assert.equal(index.resolveRun('t1').run_id, 'run-20261124-030000-abc1234');
	assert.equal(index.spans('t1').find(span => span.span_id === 'b')!.parent_span_id, 'r');
	const path = index.db.prepare("SELECT path FROM spans WHERE span_id = 'b'").pluck().get();
	assert.equal(path, 'Build');
	index.close();
});

test('runs are named by id, trace id or unique prefix; unknown and ambiguous refs are errors', () => {
	const index = RunIndex.open(tempHome());
	index.appendEvents(failedDeploy('t1', 'run-20261124-030000-aaa1111'));
	index.appendEvents(failedDeploy('t2', 'run-20261124-040000-bbb2222'));
	assert.equal(index.resolveRun('run-20261124-04').trace_id, 't2');
	assert.equal(index.resolveRun('t1').run_id, 'run-20261124-030000-aaa1111');
	assert.throws(() => index.resolveRun('run-2026'), InputError);
	assert.throws(() => index.resolveRun('nope'), NotFoundError);
	assert.throws(() => index.resolveRun('%'), NotFoundError);
	index.close();
});

test('list filters and orders newest first', () => {
	const index = RunIndex.open(tempHome());
	index.appendEvents(failedDeploy('t1', 'run-a'));
	const later = failedDeploy('t2', 'run-b').map(e => ({...e, timestamp: new Date(Date.parse(e.timestamp) + 3_600_000).toISOString()}));
	index.appendEvents(later);
	assert.deepEqual(
		index.listRuns().map(r => r.run_id),
		['run-b', 'run-a'],
	);
	assert.deepEqual(
		index.listRuns({limit: 1}).map(r => r.run_id),
		['run-b'],
	);
	assert.deepEqual(
		index.listRuns({sinceMs: Date.parse(at(1800))}).map(r => r.run_id),
		['run-b'],
	);
	assert.deepEqual(index.listRuns({env: 'staging'}), []);
	assert.equal(index.listRuns({status: 'failed', env: 'prod', target: 'api'}).length, 2);
	index.close();
});

test('a failing batch writes nothing', () => {
	const index = RunIndex.open(tempHome());
	const events = failedDeploy();
	// A timestamp SQLite cannot store as an integer makes the insert throw mid-batch.
	const poisoned = [...events.slice(0, 3), {...events[3]!, timestamp: 'garbage'}];
	assert.throws(() => index.appendEvents(poisoned));
	assert.deepEqual(counts(index), {events: 0, spans: 0, runs: 0});
	index.close();
});

test('a corrupt, foreign or newer database is refused with a clear error', () => {
	const corrupt = tempHome();
	fs.writeFileSync(path.join(corrupt, 'runs.db'), 'this is not a database at all, just text that goes on '.repeat(100));
	assert.throws(
		() => RunIndex.open(corrupt),
		(error: unknown) => error instanceof StoreError && /not a readable SQLite database/.test(error.message),
	);

	const foreign = tempHome();
	const other = new Database(path.join(foreign, 'runs.db'));
	other.exec('CREATE TABLE users (id INTEGER)');
	other.close();
	assert.throws(
		() => RunIndex.open(foreign),
		(error: unknown) => error instanceof StoreError && /not a tracedeck database/.test(error.message),
	);

	const newer = tempHome();
	RunIndex.open(newer).close();
	const db = new Database(path.join(newer, 'runs.db'));
	db.pragma('user_version = 999');
	db.close();
	assert.throws(
		() => RunIndex.open(newer),
		(error: unknown) => error instanceof StoreError && /newer tracedeck/.test(error.message),
	);
});

test('eventsAfter pages by arrival id', () => {
	const index = RunIndex.open(tempHome());
	index.appendEvents(failedDeploy());
	const first = index.eventsAfter(0, undefined, 3);
	assert.equal(first.length, 3);
	const rest = index.eventsAfter(first.at(-1)!.id);
	assert.equal(rest.length, 4);
	assert.equal(index.maxEventId(), rest.at(-1)!.id);
	assert.equal(index.eventsAfter(0, 'other').length, 0);
	index.close();
});

test('a failure recovered by a later batch leaves the stored run without a failed step; the incremental path agrees with a full fold', () => {
	// r … └ deploy … ├ spot ✗ (batch 1: failed_step = deploy/spot) └ on-demand ✓ ; then deploy ✓ (batch 3):
	// deploy's success recovers spot, so the running run records no failed step any more.
	const index = RunIndex.open(tempHome());
	const e = (span: string, type: string, s: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({trace_id: 'tr', span_id: span, event_type: type, timestamp: at(s), ...extra});
	index.appendEvents([e('r', 'workflow:started', 0, {data: {name: 'deploy', run_id: 'run-rec'}}), e('deploy', 'stage:started', 1, {parent_span_id: 'r', data: {name: 'deploy'}}), e('spot', 'step:started', 2, {parent_span_id: 'deploy', data: {name: 'spot'}}), e('spot', 'step:failed', 3, {status: 'failed'})]);
	assert.equal(index.resolveRun('run-rec').failed_step, 'deploy/spot');
	index.appendEvents([e('od', 'step:started', 3, {parent_span_id: 'deploy', data: {name: 'on-demand'}}), e('od', 'step:completed', 5, {status: 'success'})]);
	assert.equal(index.resolveRun('run-rec').failed_step, 'deploy/spot', 'an unrelated success does not recover it');
	index.appendEvents([e('deploy', 'stage:completed', 6, {status: 'success'})]);
	const run = index.resolveRun('run-rec');
	assert.equal(run.status, 'running');
	assert.equal(run.failed_step, null);
	index.appendEvents([e('r', 'workflow:completed', 7, {status: 'success'})]);
	assert.equal(index.resolveRun('run-rec').status, 'success');
	assert.equal(index.resolveRun('run-rec').failed_step, null);
	index.close();
});

test('three traces claiming one run id, with trace ids that share their first eight characters, are three runs', () => {
	// Jaeger's 64-bit trace ids padded to 32 hex characters all start with 00000000.
	const index = RunIndex.open(tempHome());
	const ids = ['0000000000000000aaaaaaaaaaaaaaa1', '0000000000000000aaaaaaaaaaaaaaa2', '0000000000000000aaaaaaaaaaaaaaa3'];
	for (const traceId of ids) {
		index.appendEvents([{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: 'run-same'}}]);
	}

	const runIds = index
		.listRuns()
		.map(run => run.run_id)
		.sort();
	assert.deepEqual(runIds, ['run-same', 'run-same~00000000', `run-same~${ids[2]}`]);
	index.close();
});
