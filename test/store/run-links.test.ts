import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {MIGRATIONS} from '../../source/store/migrations.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

/** A finished one-span run; `extras` go on its start event. */
function run(traceId: string, startS: number, extras: Partial<TraceEvent> = {}): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(startS), data: {name: traceId, run_id: `run-${traceId}`}, ...extras},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(startS + 1)},
	];
}

function columns(index: RunIndex, traceId: string): unknown {
	return index.db.prepare('SELECT parent_trace_id, correlation_id FROM runs WHERE trace_id = ?').get(traceId);
}

test('migration 10 gives stored runs the link columns from their bodies (null where the body has none), and the index keeps them in step', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	index.appendEvents([...run('old', 0), ...run('linked', 10)]);
	index.close();
	// A store from before migration 10 (user_version 9): no link columns, bodies without the fields, except one body that names them.
	const db = new Database(path.join(home, 'runs.db'));
	db.exec('DROP INDEX runs_by_parent_trace; DROP INDEX runs_by_correlation; ALTER TABLE runs DROP COLUMN parent_trace_id; ALTER TABLE runs DROP COLUMN correlation_id');
	db.exec("UPDATE runs SET body = json_remove(body, '$.parent_trace_id', '$.correlation_id')");
	db.exec("UPDATE spans SET body = json_remove(body, '$.parent_trace_id', '$.correlation_id')");
	db.exec("UPDATE runs SET body = json_set(body, '$.parent_trace_id', 'old', '$.correlation_id', 'loan-7') WHERE trace_id = 'linked'");
	db.pragma('user_version = 9');
	db.close();

	const upgraded = RunIndex.open(home);
	try {
		assert.equal(upgraded.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
		assert.deepEqual(columns(upgraded, 'old'), {parent_trace_id: null, correlation_id: null});
		assert.deepEqual(columns(upgraded, 'linked'), {parent_trace_id: 'old', correlation_id: 'loan-7'});
		assert.deepEqual(
			upgraded.listRuns({parentTraceId: 'old'}).map(r => r.trace_id),
			['linked'],
		);
		const [span] = upgraded.spans('old');
		assert.deepEqual([span!.parent_trace_id, span!.correlation_id], [null, null]);
		const stored = upgraded.resolveRun('run-old');
		assert.deepEqual([stored.parent_trace_id, stored.correlation_id], [null, null]);
		// Taking migration 10 again (a store rolled back) leaves the columns alone.
		upgraded.db.pragma('user_version = 9');
	} finally {
		upgraded.close();
	}

	RunIndex.open(home).close();
});

test('linkedRuns: the parent, the children and the correlated runs; a correlation id from a later non-root span reaches the run', () => {
	const index = RunIndex.open(tempHome());
	try {
		index.appendEvents([...run('parent', 0, {correlation_id: 'loan-1'}), ...run('child-a', 10, {parent_trace_id: 'parent'}), ...run('other', 30, {correlation_id: 'loan-2'})]);
		index.appendEvents(run('child-b', 20, {parent_trace_id: 'parent', correlation_id: 'loan-1'}));
		// child-a's correlation id comes later, on a step, after the run was summarized.
		index.appendEvents([{trace_id: 'child-a', span_id: 's', parent_span_id: 'r', event_type: 'step:started', timestamp: at(10.5), correlation_id: 'loan-1'}]);
		assert.equal(index.resolveRun('run-child-a').correlation_id, 'loan-1');
		assert.deepEqual(columns(index, 'child-a'), {parent_trace_id: 'parent', correlation_id: 'loan-1'});

		const ofChild = index.linkedRuns('child-a');
		assert.equal(ofChild.parent?.run_id, 'run-parent');
		assert.deepEqual(ofChild.children, []);
		assert.deepEqual(
			ofChild.correlated.map(r => r.run_id),
			['run-child-b', 'run-parent'],
			'newest first, itself left out',
		);

		const ofParent = index.linkedRuns('parent');
		assert.equal(ofParent.parent, null);
		assert.deepEqual(
			ofParent.children.map(r => r.run_id),
			['run-child-b', 'run-child-a'],
		);
		assert.deepEqual(
			index.listRuns({correlationId: 'loan-2'}).map(r => r.run_id),
			['run-other'],
		);
	} finally {
		index.close();
	}
});
