import {spawnSync} from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import {readEventsFile} from '../source/interop/input-files.js';
import {openDatabase} from '../source/store/open-database.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {nowMs} from './stats.js';
import {BIN, countRows, datasetEvents, writeJsonl, type Workspace} from './workspace.js';

type Row = Record<string, unknown>;

/** Every row of the three tables, as the run index wrote them. */
function readRows(home: string): {events: Row[]; spans: Row[]; runs: Row[]} {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		// The stored columns only: generated ones (runs' parent_trace_id, correlation_id) come from the body and take no insert.
		const stored = (table: string): string => (db.prepare('SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0').pluck().all(table) as string[]).join(', ');
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
	const db = openDatabase(home);
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
	for (let r = 0; r < rounds; r++) {
		const measure = (dir: string): void => {
			bestAppend = Math.min(bestAppend, appendMs(dir, file));
		};

		// The first round's home is the dataset the CLI and console figures read: built once, timed here.
		const home = r === 0 ? await ws.home('dataset', measure) : ws.dir(`ingest-index-${r}`);
		if (r > 0) {
			measure(home);
		}

		counts = countRows(home);
		bestRaw = Math.min(bestRaw, rawInsertMs(ws.dir(`ingest-raw-${r}`), readRows(home)));
	}

	// The whole command as a user runs it: process start, parse, validate, store.
	const cliHome = ws.dir('ingest-cli');
	const cliStart = nowMs();
	const cli = spawnSync(process.execPath, [BIN, 'ingest', file, '--home', cliHome], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	const cliMs = nowMs() - cliStart;
	if (cli.status !== 0) {
		throw new Error(`tracedeck ingest failed: ${cli.stderr}`);
	}

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
			baseline: spansPerS(bestRaw),
			baselineLabel: 'raw inserts',
			target: {kind: 'none'},
			note: `${cliMs.toFixed(0)} ms wall: process start, read, validate, store`,
		},
	];
}
