import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {MIGRATIONS} from '../../source/store/migrations.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

const NEW_FIELDS = ['service', 'span_kind', 'resource', 'scope', 'events', 'links', 'status_message', 'logs'];

test('migrations 7 and 8 give spans stored before them the empty span fields, and folding more events into them works', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	index.appendEvents([{trace_id: 'tr', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy'}}]);
	index.close();
	// What a store from before migration 7 holds (user_version 6): span bodies without the new fields.
	const db = new Database(path.join(home, 'runs.db'));
	const body = JSON.parse(db.prepare('SELECT body FROM spans').pluck().get() as string) as Record<string, unknown>;
	for (const key of NEW_FIELDS) {
		delete body[key];
	}

	db.prepare('UPDATE spans SET body = ?').run(JSON.stringify(body));
	// Migration 7 (the seventh, index 6) and those after it run again.
	db.pragma('user_version = 6');
	db.close();

	const upgraded = RunIndex.open(home);
	try {
		assert.equal(upgraded.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
		const [span] = upgraded.spans('tr');
		assert.deepEqual(
			NEW_FIELDS.map(key => (span as unknown as Record<string, unknown>)[key]),
			[null, null, null, null, [], [], null, []],
		);
		assert.equal(span!.name, 'deploy', 'the rest of the body is untouched');
		upgraded.appendEvents([{trace_id: 'tr', span_id: 'r', event_type: 'workflow:completed', timestamp: at(5), status: 'success', span_kind: 'internal'}]);
		const [after] = upgraded.spans('tr');
		assert.deepEqual([after!.status, after!.span_kind, after!.events], ['success', 'internal', []]);
	} finally {
		upgraded.close();
	}
});
