import {randomBytes} from 'node:crypto';
import pg from 'pg';
import type {TraceEvent} from '../source/core/trace-event.js';
import {watch} from '../source/live/watch.js';
import {PostgresStore} from '../source/store/postgres-store.js';
import type {Store} from '../source/store/store.js';
import type {BenchConfig} from './config.js';
import {skipped, type Figure} from './report.js';
import {interleavedMedians, nowMs, pct} from './stats.js';
import {DATASET_NOW, datasetEvents} from './workspace.js';

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

async function scratchDatabase(admin: pg.Client): Promise<Scratch> {
	const name = `tracedeck_bench_${randomBytes(5).toString('hex')}`;
	await admin.query(`CREATE DATABASE ${name}`);
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

async function benchIngest(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const scratch = await scratchDatabase(admin);
	try {
		const events = datasetEvents(config.ingestRuns);
		const store = await PostgresStore.open(scratch.url, {});
		let storeMs: number;
		try {
			const start = nowMs();
			for (let i = 0; i < events.length; i += BATCH) {
				await store.appendEvents(events.slice(i, i + BATCH));
			}

			storeMs = nowMs() - start;
		} finally {
			await store.close();
		}

		const client = new pg.Client({connectionString: scratch.url});
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

		const rawMs = await rawInsertMs(scratch.url, tables, Math.ceil(events.length / BATCH));
		const perSecond = (ms: number) => (events.length * 1000) / ms;
		return {
			id: 'postgres.ingest_events_per_s',
			label: 'PostgreSQL ingest (fold, identity, summaries)',
			unit: 'events/s',
			value: perSecond(storeMs),
			baseline: perSecond(rawMs),
			baselineLabel: 'raw multi-row INSERT of the stored rows',
			target: {kind: 'ratio', op: '>=', limit: 0.5},
			note: `${events.length} events, ${config.ingestRuns} runs, ${BATCH} events a transaction`,
		};
	} finally {
		await scratch.drop();
	}
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

async function benchFirstPage(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const scratch = await scratchDatabase(admin);
	try {
		const store = await PostgresStore.open(scratch.url, {});
		const client = new pg.Client({connectionString: scratch.url});
		await client.connect();
		try {
			await fillRuns(scratch.url, config.millionRuns);
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
				note: 'median, warm connection',
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

/** Write one event at a time; the watcher on another connection stamps each arrival. @returns latencies in ms. */
async function watcherLatencies(url: string, count: number): Promise<number[]> {
	const writer = await PostgresStore.open(url, {});
	const reader: Store = await PostgresStore.open(url, {readonly: true});
	const traceId = randomBytes(16).toString('hex');
	const sentAt = new Map<string, number>();
	const latencies: number[] = [];
	const controller = new AbortController();
	// A long poll: every delivery in time is the notification's doing.
	const stream = watch(traceId, {index: reader, signal: controller.signal, pollMs: 2000});
	const consumed = (async () => {
		for await (const {event} of stream) {
			const sent = sentAt.get(event.span_id);
			if (sent !== undefined) {
				latencies.push(nowMs() - sent);
			}

			if (latencies.length >= count) {
				return;
			}
		}
	})();
	try {
		await new Promise(resolve => setTimeout(resolve, 300));
		for (let i = 0; i < count; i++) {
			sentAt.set(`s${i}`, nowMs());
			await writer.appendEvents([liveEvent(traceId, i)]);
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		await Promise.race([consumed, new Promise(resolve => setTimeout(resolve, 10_000))]);
	} finally {
		controller.abort();
		await stream.close();
		await Promise.all([writer.close(), reader.close()]);
	}

	return latencies;
}

/** The floor: an INSERT and a NOTIFY in one transaction, received by a bare LISTEN on another connection. */
async function rawListenLatencies(url: string, count: number): Promise<number[]> {
	const listener = new pg.Client({connectionString: url});
	const sender = new pg.Client({connectionString: url});
	await Promise.all([listener.connect(), sender.connect()]);
	try {
		await sender.query('CREATE TABLE IF NOT EXISTS bench_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)');
		await listener.query('LISTEN bench_notes');
		const latencies: number[] = [];
		let sent = 0;
		let arrived: (() => void) | undefined;
		listener.on('notification', () => {
			latencies.push(nowMs() - sent);
			arrived?.();
		});
		for (let i = 0; i < count; i++) {
			const got = new Promise<void>(resolve => {
				arrived = resolve;
			});
			sent = nowMs();
			await sender.query('BEGIN');
			await sender.query('INSERT INTO bench_notes (body) VALUES ($1)', [JSON.stringify(liveEvent('t', i))]);
			await sender.query("SELECT pg_notify('bench_notes', '')");
			await sender.query('COMMIT');
			await got;
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		return latencies;
	} finally {
		await Promise.all([listener.end(), sender.end()]);
	}
}

async function benchNotify(admin: pg.Client, config: BenchConfig): Promise<Figure> {
	const scratch = await scratchDatabase(admin);
	try {
		// Quick still takes 200: the p99 of 100 samples is their maximum.
		const count = config.quick ? 200 : 400;
		const raw = await rawListenLatencies(scratch.url, count);
		const watched = await watcherLatencies(scratch.url, count);
		const delivered = watched.length === count ? '' : `; only ${watched.length} of ${count} delivered in time`;
		return {
			id: 'postgres.notify_to_watch_p99_ms',
			label: 'PostgreSQL append → watcher p99 (LISTEN/NOTIFY, no Redis)',
			unit: 'ms',
			value: watched.length === count ? pct(watched, 99) : null,
			baseline: pct(raw, 99),
			baselineLabel: 'INSERT + NOTIFY → bare LISTEN',
			// The watcher reads the events after the news (one more query), and the store writes spans and the run too.
			target: {kind: 'ratio', op: '<=', limit: 4},
			note: `${count} events one at a time; p50 ${pct(watched, 50).toFixed(2)} ms vs ${pct(raw, 50).toFixed(2)} ms${delivered}`,
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
