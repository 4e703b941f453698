import assert from 'node:assert/strict';
import {test} from 'node:test';
import {RunIndex} from '../../source/store/run-index.js';
import {MIGRATIONS} from '../../source/store/migrations.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

test('opening an index of schema 10 repairs the paths of children stored before their parent (migration 11), and only those', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	index.appendEvents([
		{trace_id: 't', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: 'r1'}},
		{trace_id: 't', span_id: 'b', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(1), data: {name: 'build'}},
		{trace_id: 't', span_id: 'c', parent_span_id: 'b', event_type: 'step:started', timestamp: at(2), data: {name: 'compile'}},
		{trace_id: 't', span_id: 'd', parent_span_id: 'c', event_type: 'step:started', timestamp: at(3), data: {name: 'link'}},
		{trace_id: 'u', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'other', run_id: 'r2'}},
		{trace_id: 'u', span_id: 'x', parent_span_id: 'r', event_type: 'step:started', timestamp: at(1), data: {name: 'x'}},
	]);
	const paths = (): string[] => (index.db.prepare('SELECT trace_id, span_id, path FROM spans ORDER BY trace_id, span_id').all() as Array<{trace_id: string; span_id: string; path: string}>).map(row => `${row.trace_id}/${row.span_id}=${row.path}`);
	const right = paths();
	assert.deepEqual(right, ['t/b=build', 't/c=build/compile', 't/d=build/compile/link', 't/r=', 'u/r=', 'u/x=x']);
	// What the fold used to leave when b came after c and d.
	index.db.prepare("UPDATE spans SET path = 'compile' WHERE span_id = 'c'").run();
	index.db.prepare("UPDATE spans SET path = 'compile/link' WHERE span_id = 'd'").run();
	index.db.pragma('user_version = 10');
	index.close();

	const reopened = RunIndex.open(home);
	try {
		assert.equal(reopened.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
		assert.deepEqual(
			(reopened.db.prepare('SELECT trace_id, span_id, path FROM spans ORDER BY trace_id, span_id').all() as Array<{trace_id: string; span_id: string; path: string}>).map(row => `${row.trace_id}/${row.span_id}=${row.path}`),
			right,
		);
	} finally {
		reopened.close();
	}
});
