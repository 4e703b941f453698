import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {readEventsFile} from '../../source/interop/input-files.js';
import {EventParseError, parseTraceEventLine} from '../../source/interop/trace-event-schema.js';
// A namespace import, so that this file loads (and each test fails on its own) where event identity is missing.
import * as identity from '../../source/store/event-digest.js';
import {APPLICATION_ID, MIGRATIONS} from '../../source/store/migrations.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at, failedDeploy, toJsonl} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Issue 14, item 1: events were de-duplicated by content, so a line printed
 * twice was stored once. DESIGN ("Events"): two identical events in one input
 * are two events; ingesting the same input again adds nothing.
 */

/** The n-th stderr line of span "d" in trace t1, all at one instant, as an OTLP stderr_tail gives them. */
function line(text: string, traceId = 't1'): TraceEvent {
	return {trace_id: traceId, span_id: 'd', event_type: 'log:stderr', timestamp: at(7), data: {line: text}};
}

function storedLines(index: RunIndex, traceId = 't1'): string[] {
	return index
		.events(traceId)
		.map(stored => stored.event)
		.filter(event => event.event_type === 'log:stderr')
		.map(event => String(event.data?.['line']));
}

/** Ingest one file as `tracedeck ingest` does: read and validate it whole, store it in one call. */
function ingestFile(index: RunIndex, file: string): {stored: number; already: number} {
	const result = index.appendEvents(readEventsFile(file));
	return {stored: result.inserted.length, already: result.duplicates};
}

test('identical events (issue 14.1): repeated lines in one input are all stored, in order, and storing the input again adds nothing', () => {
	const index = RunIndex.open(tempHome());
	const lines = ['same', 'same', 'other', 'same'].map(text => line(text));
	const first = index.appendEvents(lines);
	assert.deepEqual({stored: first.inserted.length, already: first.duplicates}, {stored: 4, already: 0}, 'nothing was stored before, so nothing is "already stored"');
	assert.deepEqual(storedLines(index), ['same', 'same', 'other', 'same']);
	assert.deepEqual(index.spans('t1').find(span => span.span_id === 'd')?.stderr, ['same', 'same', 'other', 'same'], "the span's tail too");
	const again = index.appendEvents(lines);
	assert.deepEqual({stored: again.inserted.length, already: again.duplicates}, {stored: 0, already: 4});
	// The input grew by one more "same": copies 0-2 of "same" and copy 0 of "other" are there, copy 3 of "same" is new.
	const grown = index.appendEvents([...lines, line('same')]);
	assert.deepEqual({stored: grown.inserted.length, already: grown.duplicates}, {stored: 1, already: 4});
	assert.deepEqual(storedLines(index), ['same', 'same', 'other', 'same', 'same']);
	index.close();
});

test('identical events (issue 14.1): a JSONL file with two identical lines stores both; again, nothing; grown, only its new line', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	const file = path.join(home, 'run.jsonl');
	fs.writeFileSync(file, toJsonl([...failedDeploy(), line('retrying'), line('retrying')]));
	// 7 events of the deploy plus two identical lines: 9 new, none there before.
	assert.deepEqual(ingestFile(index, file), {stored: 9, already: 0});
	assert.deepEqual(ingestFile(index, file), {stored: 0, already: 9});
	fs.appendFileSync(file, toJsonl([line('retrying'), line('gave up')]));
	// The third "retrying" and "gave up" are new; the 9 before them are not.
	assert.deepEqual(ingestFile(index, file), {stored: 2, already: 9});
	assert.deepEqual(storedLines(index), ['health check timeout', 'retrying', 'retrying', 'retrying', 'gave up']);
	index.close();
});

test('identical events (issue 14.1): one input stored in several parts numbers its copies as it would whole, and a failed part retried is not counted twice', () => {
	const lines = ['same', 'same', 'other', 'same'].map(text => line(text));
	const whole = RunIndex.open(tempHome());
	whole.appendEvents(lines);
	const parts = RunIndex.open(tempHome());
	const input = new identity.InputOccurrences();
	parts.appendEvents(lines.slice(0, 1), {input});
	// A part that fails (an undatable event here; a locked database in life) stores nothing and counts nothing.
	assert.throws(() => parts.appendEvents([...lines.slice(1, 3), {...line('x'), timestamp: 'never'}], {input}), /invalid timestamp/);
	parts.appendEvents(lines.slice(1, 3), {input});
	parts.appendEvents(lines.slice(3), {input});
	const identities = (index: RunIndex): unknown => index.db.prepare('SELECT digest, body FROM events ORDER BY id').all();
	assert.deepEqual(identities(parts), identities(whole));
	assert.equal(parts.appendEvents(lines).inserted.length, 0, 'and the whole input again adds nothing');
	whole.close();
	parts.close();
});

test("identical events (issue 14.1): a producer's event_id is the identity: the same id is one event, two ids are two, ids are per trace", () => {
	const index = RunIndex.open(tempHome());
	const a = {...line('same'), event_id: 'e-1'};
	const b = {...line('same'), event_id: 'e-2'};
	assert.equal(index.appendEvents([a, b]).inserted.length, 2, 'identical content, own ids: two events');
	const retried = index.appendEvents([a, b]);
	assert.deepEqual({stored: retried.inserted.length, already: retried.duplicates}, {stored: 0, already: 2}, 'a retried write stores nothing new');
	assert.equal(index.appendEvents([{...a, data: {line: 'changed'}}]).inserted.length, 0, 'the id names the event: the first write of it stands');
	assert.equal(index.appendEvents([{...a, trace_id: 't2'}]).inserted.length, 1, 'the same id in another trace is another event');
	assert.deepEqual(storedLines(index), ['same', 'same']);
	index.close();
});

test('identical events (issue 14.1): event_id is checked at the edge: bounded, printable, without spaces', () => {
	const base = {trace_id: 't', span_id: 's', event_type: 'log:stderr', timestamp: '2026-01-01T00:00:00.000Z'};
	assert.equal(parseTraceEventLine(JSON.stringify({...base, event_id: '01J9Z3-retry/2'})).event_id, '01J9Z3-retry/2');
	assert.equal(parseTraceEventLine(JSON.stringify({...base, event_id: null})).event_id, undefined);
	assert.equal('event_id' in parseTraceEventLine(JSON.stringify(base)), false, 'absent stays absent: the body, and so its digest, is what it was');
	for (const [bad, why] of [
		['', /non-empty/],
		['x'.repeat(129), /at most 128/],
		['a b', /printable/],
		['a\u001b]2;x\u0007', /printable/],
		['prod\u200b', /printable/],
		[42, /string/],
	] as const) {
		assert.throws(
			() => parseTraceEventLine(JSON.stringify({...base, event_id: bad})),
			(error: Error) => error instanceof EventParseError && /^event_id: /.test(error.message) && why.test(error.message),
			JSON.stringify(bad),
		);
	}
});

// Small pools, so that generated events collide and lists hold identical events.
const arbitraryEvent: fc.Arbitrary<TraceEvent> = fc.record({
	trace_id: fc.constantFrom('t1', 't2'),
	span_id: fc.constantFrom('a', 'b'),
	event_type: fc.constantFrom('log:stderr', 'step:started', 'step:retry', 'step:completed'),
	timestamp: fc.integer({min: 0, max: 3}).map(s => at(s)),
	data: fc.constantFrom({line: 'same'}, {line: 'other'}, {retry: {n: 1, exit_code: 1}}, {name: 'build'}),
});
const withDuplicates = fc.array(arbitraryEvent, {minLength: 1, maxLength: 12}).chain(pool => fc.array(fc.nat(pool.length - 1), {minLength: 1, maxLength: 40}).map(picks => picks.map(i => pool[i]!)));

/** The events in traces of their own (run n), so that one index serves every run of a property. */
function inRun(events: readonly TraceEvent[], n: number): TraceEvent[] {
	return events.map(event => ({...event, trace_id: `${n}-${event.trace_id}`}));
}

test('identical events (issue 14.1), property: any list of events, duplicates included, ingested stores exactly its length, in order; ingested again stores 0', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	let n = 0;
	try {
		fc.assert(
			fc.property(withDuplicates, generated => {
				const events = inRun(generated, n++);
				const file = path.join(home, `${n}.jsonl`);
				fs.writeFileSync(file, toJsonl(events));
				assert.deepEqual(ingestFile(index, file), {stored: events.length, already: 0});
				assert.deepEqual(ingestFile(index, file), {stored: 0, already: events.length});
				const stored = [...new Set(events.map(event => event.trace_id))]
					.flatMap(traceId => index.events(traceId))
					.sort((x, y) => x.id - y.id)
					.map(s => s.event);
				// Through JSON: the generated objects have no prototype, the stored ones do.
				assert.deepEqual(stored, JSON.parse(JSON.stringify(events)));
			}),
			{numRuns: 50},
		);
	} finally {
		index.close();
	}
});

test('identical events (issue 14.1), property: an input stored in any parts is stored as it would be whole', () => {
	const index = RunIndex.open(tempHome());
	let n = 0;
	try {
		fc.assert(
			fc.property(withDuplicates, fc.array(fc.nat(), {maxLength: 4}), (generated, cuts) => {
				const events = inRun(generated, n++);
				const input = new identity.InputOccurrences();
				const bounds = [...new Set(cuts.map(cut => cut % (events.length + 1)))].sort((x, y) => x - y);
				let from = 0;
				let stored = 0;
				for (const to of [...bounds, events.length]) {
					stored += index.appendEvents(events.slice(from, to), {input}).inserted.length;
					from = to;
				}

				assert.equal(stored, events.length, 'the parts stored every event');
				assert.equal(index.appendEvents(events).inserted.length, 0, 'whole, the input adds nothing');
			}),
			{numRuns: 50},
		);
	} finally {
		index.close();
	}
});

/** What tracedeck before event identity wrote: its digest, sha1 of the body as stored, base64url. */
function oldDigest(body: string): string {
	return createHash('sha1').update(body).digest('base64url');
}

/** The runs columns of the previous schema: today's also has the generated link columns (migration 10). */
const OLD_RUN_COLUMNS = 'trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, user, body';

/**
 * A runs.db as the previous release left it: schema 4 (the first four
 * migrations, unchanged since), one row per distinct content (INSERT OR
 * IGNORE on a unique digest), spans and runs folded from those rows. The
 * fold did not change, so the spans and runs come from folding the same rows
 * in a scratch index and are copied over.
 */
function previousReleaseHome(events: readonly TraceEvent[]): string {
	const scratch = tempHome();
	const kept = new Map<string, TraceEvent>();
	for (const event of events) {
		const body = JSON.stringify(event);
		if (!kept.has(oldDigest(body))) {
			kept.set(oldDigest(body), event);
		}
	}

	const folded = RunIndex.open(scratch);
	folded.appendEvents([...kept.values()]);
	folded.close();

	const home = tempHome();
	const db = new Database(path.join(home, 'runs.db'));
	db.pragma('journal_mode = WAL');
	db.exec(`ATTACH DATABASE '${path.join(scratch, 'runs.db').replaceAll("'", "''")}' AS scratch`);
	db.transaction(() => {
		for (const migration of MIGRATIONS.slice(0, 4)) {
			db.exec(migration);
		}

		const insert = db.prepare('INSERT OR IGNORE INTO events (trace_id, span_id, event_type, ts_ms, digest, body) VALUES (?, ?, ?, ?, ?, ?)');
		for (const event of events) {
			const body = JSON.stringify(event);
			insert.run(event.trace_id, event.span_id, event.event_type, Date.parse(event.timestamp), oldDigest(body), body);
		}

		db.exec(`INSERT INTO spans SELECT * FROM scratch.spans; INSERT INTO runs SELECT ${OLD_RUN_COLUMNS} FROM scratch.runs;`);
	})();
	db.exec('DETACH DATABASE scratch');
	db.pragma(`application_id = ${APPLICATION_ID}`);
	db.pragma('user_version = 4');
	db.close();
	return home;
}

test('identical events (issue 14.1): an index of the previous schema migrates with its rows, and a re-ingest adds nothing (or only the copies it had dropped)', () => {
	const deploy = failedDeploy();
	const repeated = ['same', 'same', 'other', 'same'].map(text => line(text));
	// What the previous ingest stored of these files: the events as its edge normalized them.
	const home = previousReleaseHome([...deploy, ...repeated].map(event => parseTraceEventLine(JSON.stringify(event))));
	const snapshot = (db: Database.Database) => ({
		events: db.prepare('SELECT id, trace_id, span_id, event_type, ts_ms, body FROM events ORDER BY id').all(),
		spans: db.prepare('SELECT * FROM spans ORDER BY span_id').all(),
		runs: db.prepare(`SELECT ${OLD_RUN_COLUMNS} FROM runs`).all(),
		// Log search is keyed by event id: the rows it points at must be the same rows.
		search: db.prepare("SELECT rowid FROM log_search WHERE log_search MATCH 'other OR timeout' ORDER BY rowid").pluck().all(),
	});
	const old = new Database(path.join(home, 'runs.db'), {readonly: true});
	const before = snapshot(old);
	const digests = old.prepare('SELECT digest FROM events ORDER BY id').pluck().all() as string[];
	old.close();
	// The old store kept "same" once and "other" once: 7 + 2 rows.
	assert.equal(before.events.length, 9);

	const index = RunIndex.open(home);
	assert.equal(index.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
	assert.equal(index.db.pragma('integrity_check', {simple: true}), 'ok');
	assert.deepEqual(snapshot(index.db), before, 'every row kept, with its id');
	assert.deepEqual(
		index.db.prepare('SELECT digest FROM events ORDER BY id').pluck().all(),
		digests.map(digest => `${digest}:0`),
		'each row is now its identity: occurrence 0 of its content',
	);

	const file = path.join(home, 'deploy.jsonl');
	fs.writeFileSync(file, toJsonl(deploy));
	assert.deepEqual(ingestFile(index, file), {stored: 0, already: 7}, 'a re-ingest after the upgrade adds nothing');
	// The input with the repeats: copies 0 of "same" and "other" were kept; copies 1 and 2 of "same" come back.
	fs.writeFileSync(file, toJsonl([...deploy, ...repeated]));
	assert.deepEqual(ingestFile(index, file), {stored: 2, already: 9});
	assert.deepEqual(ingestFile(index, file), {stored: 0, already: 11});
	assert.equal(storedLines(index).filter(text => text === 'same').length, 3);
	index.close();
});
