import type {OpenOptions} from './open-database.js';
import {SqliteReadStore} from './sqlite-read-store.js';
import type {Store} from './store.js';

export interface StoreLocation {
	/** The tracedeck home: the SQLite file lives there, and artifacts do on either backend. */
	home: string;
	/** A postgres:// URL (live/settings.ts resolveDatabaseUrl), or undefined for SQLite. */
	databaseUrl?: string | undefined;
}

/**
 * Open the run index where the settings say: the SQLite file under the
 * home, or the PostgreSQL database at `databaseUrl`. PostgreSQL's client
 * loads only then, so a command on SQLite never pays for it; a read-only
 * open loads only the read half of the SQLite store (sqlite-read-store.ts).
 */
export async function openStore(location: StoreLocation, options: OpenOptions = {}): Promise<Store> {
	if (location.databaseUrl === undefined) {
		if (options.readonly === true) {
			// Imported with this module (a writer loads all it imports anyway), so a read command's graph loads in one go.
			return SqliteReadStore.open(location.home, options);
		}

		const {SqliteStore} = await import('./sqlite-store.js');
		return SqliteStore.open(location.home, options);
	}

	const {PostgresStore} = await import('./postgres-store.js');
	return PostgresStore.open(location.databaseUrl, options);
}
