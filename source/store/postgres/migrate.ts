import type pg from 'pg';
import {newerSchemaError} from '../open-database.js';
import {PG_MIGRATIONS} from './migrations.js';

/**
 * Advisory lock keys, one per purpose, in tracedeck's own range ("TDK" in
 * the high bytes) so that they never meet another application's locks on a
 * shared server.
 */
export const MIGRATION_LOCK = 0x54444b_0001;
export const WRITE_LOCK = 0x54444b_0002;

const VERSION_TABLE = 'tracedeck_schema';

/** The schema version the database holds: 0 for one tracedeck never wrote. */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
	const exists = await client.query<{found: string | null}>(`SELECT to_regclass('${VERSION_TABLE}')::text AS found`);
	if (exists.rows[0]?.found === null || exists.rows[0] === undefined) {
		return 0;
	}

	const row = await client.query<{version: number}>(`SELECT version FROM ${VERSION_TABLE}`);
	return row.rows[0]?.version ?? 0;
}

/**
 * Bring the database's schema up to this build's: PG_MIGRATIONS in order,
 * each in its own transaction with the version it reaches, so a migration
 * that fails leaves the database at the last one that worked. Each takes
 * a transaction-level advisory lock first and reads the version again
 * under it: two processes starting at once wait for each other, and the
 * second finds the work done, so no migration is ever applied twice.
 * A database newer than this build is refused (StoreError, exit 4): its
 * tables may mean something this build does not know.
 */
export async function migrate(client: pg.ClientBase, location: string): Promise<void> {
	let version = await schemaVersion(client);
	refuseNewer(location, version);
	while (version < PG_MIGRATIONS.length) {
		await client.query('BEGIN');
		try {
			await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
			await client.query(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version integer NOT NULL)`);
			version = await schemaVersion(client);
			refuseNewer(location, version);
			if (version < PG_MIGRATIONS.length) {
				await client.query(PG_MIGRATIONS[version]!);
				version++;
				const updated = await client.query(`UPDATE ${VERSION_TABLE} SET version = $1`, [version]);
				if (updated.rowCount === 0) {
					await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES ($1)`, [version]);
				}
			}

			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		}
	}
}

function refuseNewer(location: string, version: number): void {
	if (version > PG_MIGRATIONS.length) {
		throw newerSchemaError(location, version, PG_MIGRATIONS.length);
	}
}
