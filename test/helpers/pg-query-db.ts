import {randomBytes} from 'node:crypto';
import pg from 'pg';
import {PG_MIGRATIONS} from '../../source/store/postgres/migrations.js';
import {openPool} from '../../source/store/postgres/pool.js';
import {runPostgres} from '../../source/store/postgres/run-program.js';
import {SEARCH_MIGRATION} from '../../source/store/postgres/search-migrations.js';
import type {Db} from '../../source/store/open-database.js';
import type {SqlProgram, TransactionMode} from '../../source/store/sql-program.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PgQueryDb {
	pool: pg.Pool;
	run<T>(program: () => SqlProgram<T>, mode?: TransactionMode): Promise<T>;
	/** Copy every stored row of a SQLite index into this database, replacing what it holds. */
	copyFrom(db: Db): Promise<void>;
	drop(): Promise<void>;
}

/** A database of its own with the query programs' schema (PG_MIGRATIONS[0] and the search migration), or null when no server answers. */
export async function pgQueryDb(): Promise<PgQueryDb | null> {
	const admin = new pg.Client({connectionString: ADMIN_URL});
	try {
		await admin.connect();
	} catch {
		return null;
	}

	const name = `tracedeck_q_${randomBytes(6).toString('hex')}`;
	await admin.query(`CREATE DATABASE ${name}`);
	const pool = openPool(`postgres://postgres@127.0.0.1:5432/${name}`);
	// An idle client the server ends (a neighbour's cleanup, a restart) is an 'error' on the pool: without a
	// listener it is an uncaught exception that fails the whole file; the next query connects anew.
	pool.on('error', () => undefined);
	await pool.query(PG_MIGRATIONS[0]!);
	await pool.query(SEARCH_MIGRATION);
	const run = async <T>(program: () => SqlProgram<T>, mode: TransactionMode = 'read'): Promise<T> => {
		const client = await pool.connect();
		try {
			return await runPostgres(client, program, mode);
		} finally {
			client.release();
		}
	};

	return {
		pool,
		run,
		async copyFrom(db) {
			const tables = ['events', 'spans', 'runs', 'service_logs', 'metric_counters', 'metric_bounds', 'metric_histograms', 'metric_buckets'];
			await pool.query(`TRUNCATE ${tables.join(', ')}`);
			// Spans in the order SQLite first stored them, so that search_seq numbers them as span_search_keys does.
			const order: Record<string, string> = {events: 'id', service_logs: 'id', spans: '(SELECT k.id FROM span_search_keys k WHERE k.trace_id = spans.trace_id AND k.span_id = spans.span_id)'};
			for (const table of tables) {
				const columns = (await pool.query<{column_name: string}>("SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER' AND column_name <> 'search_seq' ORDER BY ordinal_position", [table])).rows.map(row => row.column_name);
				const quoted = columns.map(column => `"${column}"`).join(', ');
				const rows = db
					.prepare(`SELECT ${quoted} FROM ${table}${order[table] ? ` ORDER BY ${order[table]}` : ''}`)
					.raw()
					.all() as unknown[][];
				const overriding = table === 'events' || table === 'service_logs' ? ' OVERRIDING SYSTEM VALUE' : '';
				for (const row of rows) {
					await pool.query(`INSERT INTO ${table} (${quoted})${overriding} VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, row);
				}
			}
		},
		async drop() {
			await pool.end();
			await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await admin.end();
		},
	};
}
