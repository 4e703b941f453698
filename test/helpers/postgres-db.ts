import crypto from 'node:crypto';
import pg from 'pg';

/** The maintenance database tests create theirs from (trust auth, as on every machine here). */
const ADMIN_URL = process.env['TRACEDECK_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresDb {
	/** The URL of a fresh, empty database of this test's own. */
	url: string;
	/** Drop it (and any connection left on it). */
	drop(): Promise<void>;
}

// No server there refuses at once; one that is there can take seconds to answer while three test files load the
// machine (npm test runs three at a time), and at 3 s a CI run skipped a PostgreSQL case that should have run.
const CONNECT_TIMEOUT_MS = 15_000;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: ADMIN_URL, connectionTimeoutMillis: CONNECT_TIMEOUT_MS});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/**
 * Whether a PostgreSQL server answers: undefined when it does, else why not
 * (for a test's skip message). Call at the top level of a test file.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
	try {
		await admin(client => client.query('SELECT 1'));
		return undefined;
	} catch (error) {
		return `no PostgreSQL server answers at ${ADMIN_URL} (${(error as Error).message}); start one to run these cases`;
	}
}

/** A database with a random name, for one test file; drop it in `after`. */
export async function createPostgresDb(): Promise<PostgresDb> {
	const name = `tracedeck_test_${crypto.randomBytes(6).toString('hex')}`;
	await admin(client => client.query(`CREATE DATABASE ${name}`));
	const url = new URL(ADMIN_URL);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		drop: () => admin(client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
	};
}

/** Rows of a query on a database, on a connection of its own. */
export async function queryRows<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		return (await client.query(sql)).rows as T[];
	} finally {
		await client.end();
	}
}
