import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {LOG_LINES_VIEW, LOG_SEARCH_TRIGGERS} from '../../source/store/migrations.js';
import type {Db} from '../../source/store/open-database.js';
import {RunIndex} from '../../source/store/run-index.js';
import {SCHEMA_VERSION} from '../../source/store/schema-version.js';
import {searchRuns} from '../../source/store/search.js';
import {at, failedDeploy} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Migration 13: events' identity is unique within its trace, (trace_id,
 * digest), instead of alone; SQLite rebuilds the table for it. What must hold
 * across it: every row with its id (arrival order, log_search's keys), its
 * identity (a re-ingest adds nothing), the log search, and its triggers.
 */

/** Migration 0's events table, as a store of schema 12 has it: the digest unique alone. */
const SCHEMA_12_EVENTS = `
	DROP TRIGGER log_search_insert;
	DROP TRIGGER log_search_delete;
	DROP VIEW log_lines;
	CREATE TABLE events_old (
		id INTEGER PRIMARY KEY,
		trace_id TEXT NOT NULL,
		span_id TEXT NOT NULL,
		event_type TEXT NOT NULL,
		ts_ms INTEGER NOT NULL,
		digest TEXT NOT NULL UNIQUE,
		body TEXT NOT NULL
	);
	INSERT INTO events_old SELECT id, trace_id, span_id, event_type, ts_ms, digest, body FROM events;
	DROP TABLE events;
	ALTER TABLE events_old RENAME TO events;
	CREATE INDEX events_by_trace ON events (trace_id, id);
	CREATE INDEX events_by_span ON events (trace_id, span_id, ts_ms);
	CREATE INDEX events_log_records ON events (trace_id, span_id, id) WHERE event_type = 'log:record';
${LOG_LINES_VIEW}${LOG_SEARCH_TRIGGERS}`;

/** The columns of each unique index on events, e.g. ['trace_id,digest']. */
function uniqueKeys(db: Db): string[] {
	const indexes = db.prepare('SELECT name FROM pragma_index_list(\'events\') WHERE "unique" = 1 ORDER BY name').all() as Array<{name: string}>;
	return indexes.map(({name}) => (db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(name) as Array<{name: string}>).map(column => column.name).join(','));
}

function rows(db: Db): unknown[] {
	return db.prepare('SELECT id, trace_id, span_id, event_type, ts_ms, digest, body FROM events ORDER BY id').all();
}

const stderr = (traceId: string, text: string): TraceEvent => ({trace_id: traceId, span_id: 'd', parent_span_id: 'r', event_type: 'log:stderr', timestamp: at(30), data: {line: text}});

test('a store of schema 12 migrates its events to an identity unique within the trace, keeping every row, its id and the log search', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	// Two runs, a repeated line (two events of one content), a line to search for.
	const events = [...failedDeploy('t1'), stderr('t1', 'disk quota exceeded'), stderr('t1', 'disk quota exceeded'), ...failedDeploy('t2', 'run-20261124-040000-def5678'), stderr('t2', 'segfault in worker')];
	assert.equal(index.appendEvents(events).inserted.length, events.length);
	index.db.exec(SCHEMA_12_EVENTS);
	index.db.pragma('user_version = 12');
	assert.deepEqual(uniqueKeys(index.db), ['digest'], 'the schema 12 shape this test starts from');
	const before = rows(index.db);
	index.close();

	const migrated = RunIndex.open(home);
	try {
		assert.equal(migrated.db.pragma('user_version', {simple: true}), SCHEMA_VERSION);
		assert.deepEqual(uniqueKeys(migrated.db), ['trace_id,digest']);
		assert.deepEqual(rows(migrated.db), before, 'every row, with its id and identity');
		assert.deepEqual(
			searchRuns(migrated.db, {pattern: 'quota', limit: 10}).map(hit => hit.trace_id),
			['t1', 't1'],
			'log_search still finds both copies of the line by their ids',
		);
		assert.equal(migrated.appendEvents(events).inserted.length, 0, 'the same input again adds nothing');
		const added = migrated.appendEvents([stderr('t2', 'out of memory')]);
		assert.equal(added.inserted.length, 1);
		assert.ok((added.inserted[0]!.id as number) > Math.max(...(before as Array<{id: number}>).map(row => row.id)), 'ids go on in arrival order');
		assert.deepEqual(
			searchRuns(migrated.db, {pattern: 'memory', limit: 10}).map(hit => hit.trace_id),
			['t2'],
			'the insert trigger is back',
		);
		migrated.db.prepare("DELETE FROM events WHERE trace_id = 't2'").run();
		assert.deepEqual(searchRuns(migrated.db, {pattern: 'segfault', limit: 10}), [], 'the delete trigger is back');
	} finally {
		migrated.close();
	}
});

test('a new store has the identity unique within the trace, and one identity may be in two traces only as two events', () => {
	const index = RunIndex.open(tempHome());
	try {
		assert.deepEqual(uniqueKeys(index.db), ['trace_id,digest']);
		const same = (traceId: string): TraceEvent => ({...stderr(traceId, 'same'), event_id: 'e-1'});
		assert.equal(index.appendEvents([same('t1'), same('t2')]).inserted.length, 2, 'a producer event id names an event within its trace');
		assert.equal(index.appendEvents([same('t1'), same('t2')]).duplicates, 2);
	} finally {
		index.close();
	}
});
