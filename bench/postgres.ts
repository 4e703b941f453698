import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type {TraceEvent} from '../source/core/trace-event.js';
import {watch} from '../source/live/watch.js';
import {PostgresStore} from '../source/store/postgres-store.js';
import type {Store} from '../source/store/store.js';
import type {BenchConfig} from './config.js';
import {skipped, type Figure} from './report.js';
import {interleavedMedians, nowMs, pct} from './stats.js';
import {DATASET_NOW, REPO, datasetEvents} from './workspace.js';

/*
 * The PostgreSQL backend beside the physical limits of the same server:
 * ingest through the store against a raw multi-row INSERT of the rows it
 * stored, the first page of `runs list` at a million runs against the bare
 * query, and NOTIFY → watcher delivery against a bare LISTEN loop. Each
 * figure gets a database of its own, dropped afterwards.
 */

const ADMIN_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Events per write: what one ingested file or one OTLP export part is. */
const BATCH = 2000;
const RAW_ROWS_PER_INSERT = 500;

interface Scratch {
	url: string;
	drop(): Promise<void>;
}

async function scratchDatabase(admin: pg.Client, template?: string): Promise<Scratch> {
	const name = `tracedeck_bench_${randomBytes(5).toString('hex')}`;
	await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
	const url = new URL(ADMIN_URL);
	url.pathname = `/${name}`;
	return {url: url.toString(), drop: async () => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))};
}

type Row = Record<string, unknown>;

/** The stored (not generated) columns of a table, in order. */
async function storedColumns(client: pg.ClientBase, table: string): Promise<string[]> {
	const result = await client.query<{column_name: string}>("SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER' AND is_identity = 'NO' ORDER BY ordinal_position", [table]);
	return result.rows.map(row => row.column_name);
}

/** Multi-row INSERTs of the rows, RAW_ROWS_PER_INSERT a statement, one transaction per BATCH events' worth: the floor ingest is held to. */
async function rawInsertMs(url: string, tables: ReadonlyArray<{table: string; columns: string[]; rows: unknown[][]}>, transactions: number): Promise<number> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		await client.query('TRUNCATE events, spans, runs');
		const start = nowMs();
		for (let t = 0; t < transactions; t++) {
			await client.query('BEGIN');
			for (const {table, columns, rows} of tables) {
				const from = Math.floor((rows.length * t) / transactions);
				const to = Math.floor((rows.length * (t + 1)) / transactions);
				for (let i = from; i < to; i += RAW_ROWS_PER_INSERT) {
					const chunk = rows.slice(i, Math.min(to, i + RAW_ROWS_PER_INSERT));
					const values: unknown[] = [];
					const tuples = chunk.map(row => `(${row.map(value => `$${values.push(value)}`).join(', ')})`);
					await client.query(`INSERT INTO ${table} (${columns.map(c => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, values);
				}
			}

			await client.query('COMMIT');
		}

		return nowMs() - start;
	} finally {
		await client.end();
	}
}

/** The store's ingest into a fresh database: its time, and the rows it stored (for the raw side). */
async function storeIngest(url: string, events: readonly TraceEvent[]): Promise<{ms: number; tables: Array<{table: string; columns: string[]; rows: unknown[][]}>}> {
	const store = await PostgresStore.open(url, {});
	let ms: number;
	try {
		const start = nowMs();
		for (let i = 0; i < events.length; i += BATCH) {
			await store.appendEvents(events.slice(i, i + BATCH));
		}

		ms = nowMs() - start;
	} finally {
		await store.close();
	}

	const client = new pg.Client({connectionString: url});
	await client.connect();
	const tables: Array<{table: string; columns: string[]; rows: unknown[][]}> = [];
	try {
		for (const table of ['events', 'spans', 'runs']) {
			const columns = await storedColumns(client, table);
			const rows = (await client.query<Row>(`SELECT ${columns.map(c => `"${c}"`).join(', ')} FROM ${table}`)).rows.map(row => columns.map(c => row[c]));
			tables.push({table, columns, rows});
		}
	} finally {
		await client.end();
	}

	return {ms, tables};
}

/**
 * Rounds of store, then raw, each store round into a fresh database; the best of each, as the SQLite
 * ingest figure takes them. 2 in the full run, 1 in the quick smoke run (time budget, issue 20).
 */
const ingestRounds = (config: BenchConfig): number => (config.quick ? 1 : 2);

async function benchIngest(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const events = datasetEvents(config.ingestRuns);
	const storeRuns: number[] = [];
	const rawRuns: number[] = [];
	const rounds = ingestRounds(config);
	for (let round = 0; round < rounds; round++) {
		const scratch = await scratchDatabase(admin);
		try {
			const {ms, tables} = await storeIngest(scratch.url, events);
			storeRuns.push(ms);
			rawRuns.push(await rawInsertMs(scratch.url, tables, Math.ceil(events.length / BATCH)));
		} finally {
			await scratch.drop();
		}
	}

	const perSecond = (ms: number) => (events.length * 1000) / ms;
	const storeMs = Math.min(...storeRuns);
	const rawMs = Math.min(...rawRuns);
	return {
		id: 'postgres.ingest_events_per_s',
		label: 'PostgreSQL ingest (fold, identity, summaries)',
		unit: 'events/s',
		value: perSecond(storeMs),
		baseline: perSecond(rawMs),
		baselineLabel: 'raw multi-row INSERT of the stored rows',
		target: {kind: 'ratio', op: '>=', limit: 0.5},
		note: `${events.length} events, ${config.ingestRuns} runs, ${BATCH} events a transaction; best of ${rounds} rounds, store then raw (${storeRuns.map(ms => ms.toFixed(0)).join(', ')} vs ${rawRuns.map(ms => ms.toFixed(0)).join(', ')} ms)`,
	};
}

/** `count` runs of a year's history, made by the server itself: only the first page's rows are ever parsed. */
async function fillRuns(url: string, count: number): Promise<void> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		const now = DATASET_NOW.getTime();
		// The metric triggers stay off during the load, as the SQLite million-run home drops them: one
		// statement updating the same counter row a million times is a version chain PostgreSQL walks
		// on every update. The first page reads the runs table alone.
		await client.query('ALTER TABLE runs DISABLE TRIGGER USER');
		await client.query(
			`INSERT INTO runs (trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, "user", body)
			SELECT lpad(to_hex(i), 32, '0'), 'run-' || i, e.env, 'api', md5(i::text), s.status, $1 - i * 31536.0, $1 - i * 31536.0 + 60000, $1 - i * 31536.0 + 60000, 5, NULL, 'ci-bot',
				json_build_object('run_id', 'run-' || i, 'trace_id', lpad(to_hex(i), 32, '0'), 'env', e.env, 'target', 'api', 'plan_hash', md5(i::text), 'status', s.status,
					'started_at', to_char(to_timestamp(($1 - i * 31536.0) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'ended_at', NULL, 'failed_step', NULL, 'retries', 0,
					'runner', 'runner-1', 'git', json_build_object('sha', md5(i::text), 'branch', 'main'), 'user', 'ci-bot', 'progress', json_build_object('completed', 5, 'total', 5),
					'policy', NULL, 'name', 'deploy api', 'last_event_ms', $1 - i * 31536.0 + 60000, 'parent_trace_id', NULL, 'correlation_id', NULL, 'current_step', NULL)::text
			FROM generate_series(1, $2::int) AS i
			CROSS JOIN LATERAL (SELECT (ARRAY['prod', 'staging', 'dev', 'ci'])[1 + i % 4] AS env) e
			CROSS JOIN LATERAL (SELECT CASE WHEN i <= 3 THEN 'running' WHEN i % 9 = 0 THEN 'failed' ELSE 'success' END AS status) s`,
			[now, count],
		);
		await client.query('ALTER TABLE runs ENABLE TRIGGER USER');
		await client.query('ANALYZE runs');
	} finally {
		await client.end();
	}
}

/**
 * A database holding `count` runs, made from a template kept on the server
 * between bench runs (as the SQLite million-run home is kept under
 * <tmp>/tdbench-cache): the fill is most of the group's time. The template's
 * name hashes the PostgreSQL schema sources and the fill, so any change
 * builds a new one and drops the old. BENCH_CACHE=0 fills afresh.
 * @returns the scratch database and how long the fill took (0 when the template was there)
 */
async function millionRunsDatabase(admin: pg.Client, count: number): Promise<{scratch: Scratch; fillMs: number}> {
	const fill = async (url: string): Promise<void> => {
		await (await PostgresStore.open(url, {})).close();
		await fillRuns(url, count);
	};
	if (process.env['BENCH_CACHE'] === '0') {
		const scratch = await scratchDatabase(admin);
		const start = nowMs();
		await fill(scratch.url);
		return {scratch, fillMs: nowMs() - start};
	}

	const sources = [path.join(REPO, 'source/store/postgres-store.ts'), ...fs.readdirSync(path.join(REPO, 'source/store/postgres')).map(file => path.join(REPO, 'source/store/postgres', file))];
	const hash = createHash('sha1');
	for (const file of sources.sort()) {
		hash.update(fs.readFileSync(file));
	}

	const prefix = 'tracedeck_bench_tpl_';
	const template = `${prefix}${hash.update(`${fillRuns.toString()}\n${count}`).digest('hex').slice(0, 12)}`;
	let fillMs = 0;
	const present = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1;
	if (!(await present())) {
		for (const {datname} of (await admin.query<{datname: string}>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`])).rows) {
			await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
		}

		// Built under a name of its own, then renamed: an interrupted build, or another bench building at once, leaves no half template.
		const building = await scratchDatabase(admin);
		const start = nowMs();
		try {
			await fill(building.url);
			fillMs = nowMs() - start;
			await admin.query(`ALTER DATABASE ${new URL(building.url).pathname.slice(1)} RENAME TO ${template}`);
		} catch (error) {
			await building.drop();
			if (!(await present())) {
				throw error;
			}
		}
	}

	return {scratch: await scratchDatabase(admin, template), fillMs};
}

async function benchFirstPage(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const {scratch, fillMs} = await millionRunsDatabase(admin, config.millionRuns);
	try {
		const store = await PostgresStore.open(scratch.url, {});
		const client = new pg.Client({connectionString: scratch.url});
		await client.connect();
		try {
			const timed = async (read: () => Promise<unknown>) => {
				const start = nowMs();
				await read();
				return nowMs() - start;
			};
			const {a, b} = await interleavedMedians(
				config.repeats * 3,
				3,
				() => timed(() => store.listRuns({limit: 50})),
				() => timed(async () => (await client.query<{body: string}>('SELECT body FROM runs ORDER BY started_ms DESC, run_id DESC LIMIT 50')).rows.map(row => JSON.parse(row.body) as unknown)),
			);
			return {
				id: 'postgres.first_page_ms',
				label: `runs list first page at ${config.millionRuns.toLocaleString('en')} runs (PostgreSQL)`,
				unit: 'ms',
				value: a,
				baseline: b,
				baselineLabel: 'bare query and parse of the same 50 rows',
				target: {kind: 'abs', op: '<=', limit: 20},
				note: `median, warm connection; ${fillMs > 0 ? `runs filled in ${(fillMs / 1000).toFixed(1)} s (kept as a template for the next run)` : 'runs from the kept template'}`,
			};
		} finally {
			await client.end();
			await store.close();
		}
	} finally {
		await scratch.drop();
	}
}

function liveEvent(traceId: string, i: number): TraceEvent {
	return {trace_id: traceId, span_id: `s${i}`, parent_span_id: i === 0 ? undefined : 's0', event_type: i === 0 ? 'workflow:started' : 'log', timestamp: new Date().toISOString(), data: i === 0 ? {name: 'bench'} : {line: `line ${i}`}};
}

/** One way of getting event i to a reader: `send(i)` resolves once the reader has it. */
interface NotifySide {
	send(i: number): Promise<void>;
	close(): Promise<void>;
}

/** A waiter per event: `wait(key)` before sending, `arrive(key)` from the reader. */
function arrivals(): {wait(key: string): Promise<void>; arrive(key: string): void} {
	const waiting = new Map<string, () => void>();
	return {
		wait: async key => new Promise<void>(resolve => waiting.set(key, resolve)),
		arrive(key) {
			waiting.get(key)?.();
			waiting.delete(key);
		},
	};
}

/** The store's append, one event at a time; the watcher (over LISTEN/NOTIFY, another connection) hears of it. */
async function watcherSide(url: string): Promise<NotifySide> {
	const writer = await PostgresStore.open(url, {});
	const reader: Store = await PostgresStore.open(url, {readonly: true});
	const traceId = randomBytes(16).toString('hex');
	const {wait, arrive} = arrivals();
	const controller = new AbortController();
	// A long poll: every delivery in time is the notification's doing.
	const stream = watch(traceId, {index: reader, signal: controller.signal, pollMs: 2000});
	const consumed = (async () => {
		for await (const {event} of stream) {
			arrive(event.span_id);
		}
	})();
	await new Promise(resolve => setTimeout(resolve, 300));
	return {
		async send(i) {
			const arrived = wait(`s${i}`);
			await writer.appendEvents([liveEvent(traceId, i)]);
			await arrived;
		},
		async close() {
			controller.abort();
			await stream.close();
			await consumed.catch(() => {});
			await Promise.all([writer.close(), reader.close()]);
		},
	};
}

/** The floor: an INSERT and a NOTIFY in one transaction, received by a bare LISTEN on another connection. */
async function rawListenSide(url: string): Promise<NotifySide> {
	const listener = new pg.Client({connectionString: url});
	const sender = new pg.Client({connectionString: url});
	await Promise.all([listener.connect(), sender.connect()]);
	await sender.query('CREATE TABLE IF NOT EXISTS bench_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)');
	await listener.query('LISTEN bench_notes');
	const {wait, arrive} = arrivals();
	listener.on('notification', message => arrive(message.payload ?? ''));
	return {
		async send(i) {
			const arrived = wait(String(i));
			await sender.query('BEGIN');
			await sender.query('INSERT INTO bench_notes (body) VALUES ($1)', [JSON.stringify(liveEvent('t', i))]);
			await sender.query('SELECT pg_notify($1, $2)', ['bench_notes', String(i)]);
			await sender.query('COMMIT');
			await arrived;
		},
		async close() {
			await Promise.all([listener.end(), sender.end()]);
		},
	};
}

/**
 * Both sides event by event, in turn (the order alternating), so the
 * machine's noise lands on both alike; a pause between events as a
 * producer's would be. An event not delivered within 10 s ends the side's
 * run. @returns each side's latencies in ms
 */
async function interleavedNotify(url: string, count: number): Promise<{raw: number[]; watched: number[]}> {
	const sides = [await rawListenSide(url), await watcherSide(url)];
	const samples: number[][] = [[], []];
	try {
		for (let i = 0; i < count; i++) {
			for (let k = 0; k < 2; k++) {
				const side = (i + k) % 2;
				const start = nowMs();
				const delivered = await Promise.race([sides[side]!.send(i).then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), 10_000).unref())]);
				if (!delivered) {
					return {raw: samples[0]!, watched: samples[1]!};
				}

				samples[side]!.push(nowMs() - start);
				await new Promise(resolve => setTimeout(resolve, 5));
			}
		}

		return {raw: samples[0]!, watched: samples[1]!};
	} finally {
		for (const side of sides) {
			await side.close();
		}
	}
}

async function benchNotify(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const scratch = await scratchDatabase(admin);
	try {
		// Quick still takes 200: the p99 of 100 samples is their maximum.
		const count = config.quick ? 200 : 400;
		const {raw, watched} = await interleavedNotify(scratch.url, count);
		const delivered = watched.length === count ? '' : `; only ${watched.length} of ${count} delivered in time`;
		return {
			id: 'postgres.notify_to_watch_p99_ms',
			label: 'PostgreSQL append → watcher p99 (LISTEN/NOTIFY, no Redis)',
			unit: 'ms',
			// An event the watcher never got counts as the 10 s waited for it: a MISS, not a SKIP.
			value: watched.length === count ? pct(watched, 99) : 10_000,
			baseline: pct(raw, 99),
			baselineLabel: 'INSERT + NOTIFY → bare LISTEN',
			// The watcher reads the events after the news (one more query), and the store writes spans and the run too.
			target: {kind: 'ratio', op: '<=', limit: 4},
			note: `${count} events one at a time, interleaved event by event with the bare LISTEN; p50 ${pct(watched, 50).toFixed(2)} ms vs ${pct(raw, 50).toFixed(2)} ms${delivered}`,
		};
	} finally {
		await scratch.drop();
	}
}

export async function benchPostgres(config: BenchConfig): Promise<Figure[]> {
	const admin = new pg.Client({connectionString: ADMIN_URL});
	try {
		await admin.connect();
	} catch (error) {
		const reason = `no PostgreSQL at ${ADMIN_URL} (${(error as Error).message}); set BENCH_PG_URL`;
		return [
			skipped('postgres.ingest_events_per_s', 'PostgreSQL ingest', reason, {kind: 'ratio', op: '>=', limit: 0.5}),
			skipped('postgres.first_page_ms', 'runs list first page (PostgreSQL)', reason, {kind: 'abs', op: '<=', limit: 20}),
			skipped('postgres.notify_to_watch_p99_ms', 'PostgreSQL append → watcher p99', reason, {kind: 'ratio', op: '<=', limit: 4}),
		];
	}

	try {
		// Each figure's own time in its note: the million-run fill is most of the group's, the place to trim.
		const timed = async (run: () => Promise<Figure>): Promise<Figure> => {
			const start = nowMs();
			const figure = await run();
			return {...figure, note: `${figure.note ?? ''}; ${((nowMs() - start) / 1000).toFixed(1)} s`};
		};
		return [await timed(async () => benchIngest(admin, config)), await timed(async () => benchFirstPage(admin, config)), await timed(async () => benchNotify(admin, config))];
	} finally {
		await admin.end();
	}
}
