import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type Database from 'better-sqlite3';
import type {TraceEvent} from '../source/core/trace-event.js';
import {MIGRATIONS} from '../source/store/migrations.js';
import {RunIndex} from '../source/store/run-index.js';
import {generateDataset} from '../source/demo/generate.js';
import {bigTrace} from '../fixtures/big-trace.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(REPO, 'bin', 'tracedeck.js');
/** A fixed "now" so datasets are the same from run to run. */
export const DATASET_NOW = new Date('2026-01-15T12:00:00.000Z');

/**
 * Scratch space for one bench run: homes and files under one temp folder,
 * removed at the end (BENCH_KEEP=1 keeps it to poke at).
 */
export class Workspace {
	// Not test/helpers/temp-home.ts: that removes its folders at exit, and BENCH_KEEP=1 must keep this one.
	readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-bench-'));
	/** Homes built in this run by cachedHome when the cache is off. */
	readonly built = new Map<string, unknown>();
	private readonly homes = new Map<string, Promise<string> | string>();

	dir(name: string): string {
		const dir = path.join(this.root, name);
		fs.mkdirSync(dir, {recursive: true});
		return dir;
	}

	/** A home built once per bench run and shared by the figures that read it. */
	async home(name: string, build: (home: string) => void | Promise<void>): Promise<string> {
		let entry = this.homes.get(name);
		if (entry === undefined) {
			const home = this.dir(name);
			entry = Promise.resolve(build(home)).then(() => home);
			this.homes.set(name, entry);
		}

		return entry;
	}

	dispose(): void {
		if (process.env['BENCH_KEEP'] === '1') {
			process.stdout.write(`bench workspace kept at ${this.root}\n`);
			return;
		}

		fs.rmSync(this.root, {recursive: true, force: true});
	}
}

export function datasetEvents(runs: number, seed = 7): TraceEvent[] {
	return generateDataset({seed, runs, now: DATASET_NOW}).flat();
}

export function writeJsonl(file: string, events: readonly TraceEvent[]): void {
	fs.writeFileSync(file, `${events.map(event => JSON.stringify(event)).join('\n')}\n`);
}

/** Store events through the run index, in chunks so a 100k-span trace does not hold one giant batch. */
export function fillHome(home: string, events: readonly TraceEvent[], chunk = 50_000): void {
	const index = RunIndex.open(home);
	try {
		for (let i = 0; i < events.length; i += chunk) {
			index.appendEvents(events.slice(i, i + chunk));
		}
	} finally {
		index.close();
	}
}

/**
 * Homes that take long to build and are only ever opened read-only (a
 * 100k-span trace, a million runs) are kept between bench runs under
 * <tmp>/tdbench-cache/<name>-<key>, apart from the tracedeck-* temp homes
 * that tests make and sweep. The key hashes the schema and `inputs`
 * (generator version, fixture source), so any change rebuilds; stale
 * entries of the same name are removed. BENCH_CACHE=0 builds fresh ones
 * inside the workspace instead.
 */
export function cachedHome<Meta>(ws: Workspace, name: string, inputs: string, build: (home: string) => Meta): {home: string; meta: Meta; buildMs: number} {
	if (process.env['BENCH_CACHE'] === '0') {
		const existing = ws.built.get(name) as {home: string; meta: Meta} | undefined;
		if (existing) {
			return {...existing, buildMs: 0};
		}

		const home = ws.dir(name);
		const start = Date.now();
		const meta = build(home);
		ws.built.set(name, {home, meta});
		return {home, meta, buildMs: Date.now() - start};
	}

	const key = createHash('sha1')
		.update(`${MIGRATIONS.join('\n')}\n${inputs}`)
		.digest('hex')
		.slice(0, 12);
	const cache = path.join(os.tmpdir(), 'tdbench-cache');
	const home = path.join(cache, `${name}-${key}`);
	const metaFile = path.join(home, 'bench-meta.json');
	if (fs.existsSync(metaFile)) {
		return {home, meta: JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Meta, buildMs: 0};
	}

	for (const stale of fs.existsSync(cache) ? fs.readdirSync(cache).filter(entry => entry.startsWith(`${name}-`)) : []) {
		fs.rmSync(path.join(cache, stale), {recursive: true, force: true});
	}

	fs.mkdirSync(home, {recursive: true});
	const start = Date.now();
	const meta = build(home);
	// Written last: a home without it (an interrupted build) is rebuilt.
	fs.writeFileSync(metaFile, JSON.stringify(meta));
	return {home, meta, buildMs: Date.now() - start};
}

export interface TraceHome {
	home: string;
	runId: string;
	traceId: string;
	spans: number;
	/**
	 * Matches the screen once the trace's rows are drawn: the name of a stage
	 * off the failure path, which the header and the run banner (they show the
	 * run name and the failed step) never print.
	 */
	drawn: RegExp;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const BIG_TRACE_SOURCE = path.join(REPO, 'fixtures/big-trace.ts');

/** A home holding fixtures' bigTrace of `spans` spans (seed 1), cached between runs. */
export function bigTraceHome(ws: Workspace, spans: number): TraceHome {
	const {home, meta} = cachedHome(ws, `trace-${spans}`, fs.readFileSync(BIG_TRACE_SOURCE, 'utf8'), dir => {
		const events = bigTrace(spans, 1);
		const root = events.find(event => event.parent_span_id === undefined)!;
		const stages = new Map<string, {name: string; failed: boolean}>();
		for (const event of events) {
			if (event.parent_span_id === root.span_id) {
				const stage = stages.get(event.span_id) ?? {name: '', failed: false};
				stage.name ||= typeof event.data?.['name'] === 'string' ? event.data['name'] : '';
				stage.failed ||= event.status === 'failed';
				stages.set(event.span_id, stage);
			}
		}

		fillHome(dir, events);
		const marker = [...stages.values()].find(stage => !stage.failed && stage.name !== '')?.name ?? String(root.data?.['name']);
		return {runId: String(root.data?.['run_id']), traceId: root.trace_id, marker};
	});
	return {home, runId: meta.runId, traceId: meta.traceId, spans, drawn: new RegExp(`\\b${escapeRegExp(meta.marker)}\\b`)};
}

/** A table's stored columns (generated ones come from the body and take no insert), for the floors that insert stored rows raw. */
export function storedColumns(db: Database.Database, table: string): string[] {
	return db.prepare('SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0').pluck().all(table) as string[];
}

export function countRows(home: string): {events: number; spans: number; runs: number} {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const one = (sql: string): number => index.db.prepare(sql).pluck().get() as number;
		return {events: one('SELECT count(*) FROM events'), spans: one('SELECT count(*) FROM spans'), runs: one('SELECT count(*) FROM runs')};
	} finally {
		index.close();
	}
}
