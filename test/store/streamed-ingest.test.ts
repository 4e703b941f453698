import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {fileProgress} from '../../source/commands/progress.js';
import {InputError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {generateDataset} from '../../source/demo/generate.js';
import {readTraceFile} from '../../source/interop/input-files.js';
import {readTraceFileParts} from '../../source/interop/trace-file-parts.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {RunIndex} from '../../source/store/run-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {Store} from '../../source/store/store.js';
import {createPostgresDb, postgresUnavailable, queryRows, type PostgresDb} from '../helpers/postgres-db.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Ingest streamed into one transaction (trace-file-parts.ts,
 * EventWriter.writeParts): a file in parts of a few events folds into
 * exactly the rows the same file stored in one piece gives, a bad last line
 * stores nothing, and a second ingest adds nothing.
 */

const NOW = new Date('2026-03-01T12:00:00.000Z');

/** Dataset runs in time order, so that runs overlap and a part holds pieces of several traces; with identical lines and late log records. */
function interleaved(runs: number): TraceEvent[] {
	const events = generateDataset({seed: 11, runs, now: NOW}).flat();
	const sorted = events.map((event, i) => ({event, i})).sort((a, b) => Date.parse(a.event.timestamp) - Date.parse(b.event.timestamp) || a.i - b.i);
	const list = sorted.map(entry => entry.event);
	// Two identical lines are two events, also when a part boundary falls between them.
	list.splice(40, 0, list[39]!);
	// A log record of the first trace, last in the file: it arrives long after its span.
	const first = list[0]!;
	list.push({trace_id: first.trace_id, span_id: first.span_id, event_type: 'log:stdout', timestamp: new Date(Date.parse(first.timestamp) + 1).toISOString(), data: {line: 'late'}});
	return list;
}

function writeJsonl(file: string, events: readonly TraceEvent[], tail = ''): void {
	fs.writeFileSync(file, `${events.map(event => JSON.stringify(event)).join('\n')}\n${tail}`);
}

/** Every row of every table, in a stable order: what two ways of storing must agree on. */
function dump(home: string): Record<string, string[]> {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
		return Object.fromEntries(tables.map(table => [table, (db.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map(row => JSON.stringify(row)).sort()]));
	} finally {
		db.close();
	}
}

async function streamed(store: Store, file: string, partEvents: number) {
	const read = readTraceFileParts(file, {partEvents});
	const result = await new EventWriter(store).writeParts(read.parts);
	return {result, read};
}

describe('ingest streamed into one transaction (SQLite)', () => {
	const dir = tempHome();
	const file = path.join(dir, 'events.jsonl');
	const events = interleaved(60);
	writeJsonl(file, events);

	it('gives exactly the rows of the file stored in one piece, in parts of 1, 97 and 5,000 events', async () => {
		const wholeHome = tempHome();
		const index = RunIndex.open(wholeHome);
		const whole = index.appendEvents(readTraceFile(file).events);
		index.close();
		const expected = dump(wholeHome);
		assert.ok(expected['runs']!.length >= 60 && expected['spans']!.length > 500, 'a dataset worth comparing');
		for (const partEvents of [1, 97, 5000]) {
			const home = tempHome();
			const store = SqliteStore.open(home);
			const {result, read} = await streamed(store, file, partEvents);
			await store.close();
			assert.equal(read.streamed(), true);
			assert.deepEqual(read.end().formats, ['TraceEvent JSON Lines']);
			assert.equal(result.inserted, whole.inserted.length);
			assert.equal(result.duplicates, 0);
			assert.deepEqual([...result.traces].sort(), [...whole.traces].sort());
			const actual = dump(home);
			for (const table of Object.keys(expected)) {
				assert.deepEqual(actual[table], expected[table], `${table}, in parts of ${partEvents}`);
			}
		}
	});

	it('stores nothing when the last line is bad, with the error of the file read whole', async () => {
		const bad = path.join(dir, 'bad-last.jsonl');
		writeJsonl(bad, events, '{"trace_id": "t", "span_id": "s", "event_type": "stage:started", "timestamp": "not a time"}\n');
		const expected = (() => {
			try {
				readTraceFile(bad);
			} catch (error) {
				return error as Error;
			}

			assert.fail('the whole read accepted a bad line');
		})();
		const home = tempHome();
		const store = SqliteStore.open(home);
		// A store with runs in it already: they stay as they were.
		await store.appendEvents(events.slice(0, 10));
		const before = dump(home);
		await assert.rejects(streamed(store, bad, 100), (error: Error) => error instanceof InputError && error.message === expected.message);
		// The store is usable after the rollback: no transaction left open.
		assert.equal((await store.appendEvents(events.slice(0, 10))).duplicates, 10);
		await store.close();
		assert.match(expected.message, new RegExp(`:${events.length + 1}: `));
		assert.deepEqual(dump(home), before);
	});

	it('stores nothing of a file whose JSON Lines are cut short at the end', async () => {
		const cut = path.join(dir, 'cut.jsonl');
		writeJsonl(cut, events, '{"trace_id": "t", "span_id": "s", "event_');
		const home = tempHome();
		const store = SqliteStore.open(home);
		await assert.rejects(streamed(store, cut, 100), (error: Error) => error instanceof InputError && error.message.startsWith(`${cut}:${events.length + 1}: not JSON`));
		await store.close();
		assert.deepEqual(dump(home)['events'], []);
	});

	it("waits for another writer's lock asynchronously, then stores", async () => {
		const home = tempHome();
		const store = SqliteStore.open(home);
		const other = new Database(path.join(home, 'runs.db'));
		other.exec('BEGIN IMMEDIATE');
		let ticks = 0;
		const timer = setInterval(() => ticks++, 10);
		setTimeout(() => other.exec('ROLLBACK'), 300);
		try {
			const {result} = await streamed(store, file, 500);
			assert.equal(result.inserted, events.length);
		} finally {
			clearInterval(timer);
			other.close();
			await store.close();
		}

		// The event loop ran while the lock was held elsewhere: the waits are between tries, not inside SQLite.
		assert.ok(ticks >= 10, `${ticks} ticks`);
	});

	it('adds nothing on a second ingest, streamed or whole', async () => {
		const home = tempHome();
		const store = SqliteStore.open(home);
		await streamed(store, file, 250);
		const first = dump(home);
		const again = await streamed(store, file, 250);
		assert.equal(again.result.inserted, 0);
		assert.equal(again.result.duplicates, events.length);
		assert.deepEqual(again.result.traces, []);
		const whole = await store.appendEvents(readTraceFile(file).events);
		assert.equal(whole.inserted.length, 0);
		await store.close();
		assert.deepEqual(dump(home), first);
	});
});

describe('ingest streamed: the progress line', () => {
	it('keeps moving while the parts are stored, then says what is left', async () => {
		const dir = tempHome();
		const file = path.join(dir, 'big.jsonl');
		// Several reads' worth (a read is 1 MiB), so that the line has somewhere to go.
		writeJsonl(file, generateDataset({seed: 3, runs: 600, now: NOW}).flat());
		const writes: string[] = [];
		let clock = 0;
		const progress = fileProgress('big.jsonl', {stream: {isTTY: true, columns: 120, write: (chunk: string) => writes.push(chunk) > 0}, env: {}, now: () => clock});
		const store = SqliteStore.open(tempHome());
		const storedWhenDrawn: number[] = [];
		const read = readTraceFileParts(file, {
			partEvents: 500,
			onProgress: (bytes, total, events, storedAlong) => {
				// Past the first second (nothing is drawn in it) by the second read, each read a draw.
				clock += 600;
				const before = writes.length;
				progress.read(bytes, total, events, storedAlong);
				if (writes.length > before) {
					// The same connection sees its own transaction: how much of the file is stored at this draw.
					storedWhenDrawn.push(store.index.maxEventId());
				}
			},
			onStoring: events => {
				clock += 300;
				progress.storing(events);
			},
		});
		await new EventWriter(store).writeParts(read.parts);
		progress.done();
		await store.close();
		const draws = writes.filter(chunk => chunk.includes('%'));
		const percents = draws.map(chunk => Number(/(\d+)%/.exec(chunk)![1]));
		assert.ok(draws.length >= 4, `${draws.length} draws`);
		assert.deepEqual(
			percents,
			[...percents].sort((a, b) => a - b),
		);
		assert.ok(draws.slice(0, -1).every(chunk => /ETA \d/.test(chunk)));
		assert.match(draws.at(-1)!, /storing [\d,]+ events in one transaction/);
		// Drawn between parts: events were stored already at some draws, and more at later ones.
		assert.ok(storedWhenDrawn.some(n => n > 0) && storedWhenDrawn.at(-1)! > storedWhenDrawn[0]!, storedWhenDrawn.join(' '));
		assert.equal(writes.at(-1), '\r\u001b[2K');
	});
});

const unavailable = await postgresUnavailable();

describe('ingest streamed into one transaction (PostgreSQL)', {skip: unavailable}, () => {
	const databases: PostgresDb[] = [];
	after(async () => {
		for (const database of databases) {
			await database.drop();
		}
	});

	async function pgDump(url: string): Promise<Record<string, string[]>> {
		const out: Record<string, string[]> = {};
		for (const table of ['events', 'spans', 'runs']) {
			out[table] = (await queryRows(url, `SELECT * FROM ${table}`)).map(row => JSON.stringify(row)).sort();
		}

		return out;
	}

	it('gives the rows of the file stored in one piece, stores nothing on a bad last line, adds nothing again', async () => {
		const dir = tempHome();
		const file = path.join(dir, 'events.jsonl');
		const events = interleaved(12);
		writeJsonl(file, events);
		const bad = path.join(dir, 'bad.jsonl');
		writeJsonl(bad, events, 'not json\n');
		const [one, parted] = [await createPostgresDb(), await createPostgresDb()];
		databases.push(one, parted);

		const wholeStore = await PostgresStore.open(one.url);
		await wholeStore.appendEvents(readTraceFile(file).events);
		await wholeStore.close();

		const store = await PostgresStore.open(parted.url);
		try {
			await assert.rejects(streamed(store, bad, 50), /bad\.jsonl:\d+: not JSON/);
			assert.deepEqual((await pgDump(parted.url))['events'], []);
			await streamed(store, file, 50);
			const again = await streamed(store, file, 50);
			assert.equal(again.result.inserted, 0);
			assert.equal(again.result.duplicates, events.length);
		} finally {
			await store.close();
		}

		assert.deepEqual(await pgDump(parted.url), await pgDump(one.url));
	});
});
