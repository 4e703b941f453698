import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import Database from 'better-sqlite3';
import {readEventsFile} from '../source/interop/input-files.js';
import * as migrations from '../source/store/migrations.js';
import {openDatabase} from '../source/store/open-database.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians, nowMs} from './stats.js';
import {countRows, datasetEvents, storedColumns, writeJsonl, type Workspace} from './workspace.js';

type Row = Record<string, unknown>;

/** Every row of the three tables, as the run index wrote them. */
export function readRows(home: string): {events: Row[]; spans: Row[]; runs: Row[]} {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		// The stored columns only: generated ones (runs' parent_trace_id, correlation_id) come from the body and take no insert.
		const stored = (table: string): string => storedColumns(db, table).join(', ');
		return {
			events: db.prepare(`SELECT ${stored('events')} FROM events ORDER BY id`).all() as Row[],
			spans: db.prepare(`SELECT ${stored('spans')} FROM spans`).all() as Row[],
			runs: db.prepare(`SELECT ${stored('runs')} FROM runs`).all() as Row[],
		};
	} finally {
		db.close();
	}
}

function insertSql(table: string, row: Row): string {
	const columns = Object.keys(row);
	return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(c => `@${c}`).join(', ')})`;
}

/**
 * The floor: the very rows the run index produced, written with prepared
 * inserts in one transaction into the same schema (same indexes, same
 * pragmas). What ingest adds on top is parsing JSON bodies, folding and
 * the reads that keep spans and runs up to date.
 */
function rawInsertMs(home: string, rows: {events: Row[]; spans: Row[]; runs: Row[]}): number {
	const db = openDatabase(home, {}, migrations);
	try {
		const statements = (['events', 'spans', 'runs'] as const).map(table => ({rows: rows[table], stmt: db.prepare(insertSql(table, rows[table][0]!))}));
		const start = nowMs();
		db.transaction(() => {
			for (const {rows: list, stmt} of statements) {
				for (const row of list) {
					stmt.run(row);
				}
			}
		}).immediate();
		return nowMs() - start;
	} finally {
		db.close();
	}
}

function appendMs(home: string, file: string): number {
	const events = readEventsFile(file);
	const index = RunIndex.open(home);
	try {
		const start = nowMs();
		index.appendEvents(events);
		return nowMs() - start;
	} finally {
		index.close();
	}
}

/**
 * The CLI's floor, a bare script in its own process (node and better-sqlite3,
 * no tracedeck code): read the same file, JSON.parse each line, and insert
 * the rows ingest stored with prepared statements in one transaction into
 * an empty index of the same schema. The events' rows come from the parsed
 * lines (the digests, which need tracedeck's rules, and the span and run
 * rows, which need the fold, come ready-made from ROWS, v8-serialized).
 */
export const BARE_INGEST = `const fs = require('node:fs');
const v8 = require('node:v8');
const D = require('better-sqlite3');
const db = new D(process.env.DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const ready = v8.deserialize(fs.readFileSync(process.env.ROWS));
const text = fs.readFileSync(process.env.FILE, 'utf8');
const events = [];
for (const line of text.split('\\n')) if (line !== '') events.push([JSON.parse(line), line]);
const insert = (table, columns) => db.prepare('INSERT INTO ' + table + ' (' + columns.join(', ') + ') VALUES (' + columns.map(() => '?').join(', ') + ')');
const ev = insert('events', ['trace_id', 'span_id', 'event_type', 'ts_ms', 'digest', 'body']);
const sp = insert('spans', ready.spanColumns);
const ru = insert('runs', ready.runColumns);
db.transaction(() => {
	events.forEach(([e, line], i) => ev.run(e.trace_id, e.span_id, e.event_type, Date.parse(e.timestamp), ready.digests[i], line));
	for (const row of ready.spans) sp.run(row);
	for (const row of ready.runs) ru.run(row);
}).immediate();
db.close();`;

/** What the bare script takes ready-made: digests in file order, span and run rows as stored. */
export function writeReadyRows(file: string, rows: {events: Row[]; spans: Row[]; runs: Row[]}): void {
	const columns = (list: Row[]): string[] => Object.keys(list[0]!);
	fs.writeFileSync(
		file,
		v8.serialize({
			digests: rows.events.map(row => row['digest']),
			spanColumns: columns(rows.spans),
			runColumns: columns(rows.runs),
			spans: rows.spans.map(row => Object.values(row)),
			runs: rows.runs.map(row => Object.values(row)),
		}),
	);
}

export async function benchIngest(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const file = path.join(ws.dir('ingest'), 'dataset.jsonl');
	const events = datasetEvents(config.ingestRuns);
	writeJsonl(file, events);
	const parseStart = nowMs();
	readEventsFile(file);
	const parseMs = nowMs() - parseStart;

	// Two rounds each, alternating, best of each: throughput on a shared 2-core box is noisy.
	const rounds = config.quick ? 1 : 2;
	let bestAppend = Number.POSITIVE_INFINITY;
	let bestRaw = Number.POSITIVE_INFINITY;
	let counts = {events: 0, spans: 0, runs: 0};
	// The dataset the CLI and console figures read, built once (and cached); each round times a fresh index,
	// so a cached dataset leaves the quick run's single round a figure too.
	await ws.home('dataset', dir => {
		appendMs(dir, file);
	});
	for (let r = 0; r < rounds; r++) {
		const home = ws.dir(`ingest-index-${r}`);
		bestAppend = Math.min(bestAppend, appendMs(home, file));
		counts = countRows(home);
		bestRaw = Math.min(bestRaw, rawInsertMs(ws.dir(`ingest-raw-${r}`), readRows(home)));
	}

	// The whole command as a user runs it (process start, read, validate, fold, store), beside the bare
	// script, interleaved: each side writes a fresh index, and a single spawn on a shared box is noise.
	const readyFile = path.join(ws.dir('ingest'), 'ready-rows.v8');
	const first = await ws.home('dataset', () => undefined);
	writeReadyRows(readyFile, readRows(first));
	const template = ws.dir('ingest-template');
	openDatabase(template, {}, migrations).close();
	let spawnRound = 0;
	const freshHome = (side: string): string => {
		const dir = ws.dir(`ingest-${side}-${spawnRound}`);
		fs.rmSync(dir, {recursive: true, force: true});
		fs.mkdirSync(dir);
		return dir;
	};

	const spawns = config.quick ? 2 : 3;
	const wall = await interleavedMedians(
		spawns,
		0,
		() => tracedeckMs(freshHome('cli'), ['ingest', file]).ms,
		() => {
			const dir = freshHome('bare');
			fs.copyFileSync(path.join(template, 'runs.db'), path.join(dir, 'runs.db'));
			spawnRound++;
			return bareNodeMs(path.join(dir, 'runs.db'), BARE_INGEST, {FILE: file, ROWS: readyFile}).ms;
		},
	);
	const cliMs = wall.a;
	const bareMs = wall.b;
	const spansPerS = (ms: number): number => counts.spans / (ms / 1000);
	const size = `${config.ingestRuns} runs, ${counts.events} events, ${counts.spans} spans, ${counts.runs} runs stored`;
	return [
		{
			id: 'ingest.append_spans_per_s',
			label: 'ingest: appendEvents',
			unit: 'spans/s',
			value: spansPerS(bestAppend),
			baseline: spansPerS(bestRaw),
			baselineLabel: 'raw prepared inserts of the same rows, 1 tx',
			target: {kind: 'ratio', op: '>=', limit: 0.5},
			note: `${size}; appendEvents ${bestAppend.toFixed(0)} ms vs raw ${bestRaw.toFixed(0)} ms (best of ${rounds}); file parse+validate ${parseMs.toFixed(0)} ms, not included`,
		},
		{
			id: 'ingest.cli_spans_per_s',
			label: 'ingest: `tracedeck ingest` file, end to end',
			unit: 'spans/s',
			value: spansPerS(cliMs),
			baseline: spansPerS(bareMs),
			baselineLabel: 'bare script: read, JSON.parse lines, raw inserts, 1 tx',
			target: {kind: 'ratio', op: '>=', limit: 0.6},
			note: `${size}; median wall of ${spawns} interleaved spawns each: CLI ${cliMs.toFixed(0)} ms (${wall.samplesA.map(ms => ms.toFixed(0)).join(', ')}; process start, read, validate, fold, store) vs bare ${bareMs.toFixed(0)} ms (${wall.samplesB.map(ms => ms.toFixed(0)).join(', ')})`,
		},
	];
}
