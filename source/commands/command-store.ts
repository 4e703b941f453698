import {resolveDatabaseUrl, resolveHome} from '../live/settings.js';
import type {OpenOptions} from '../store/open-database.js';
import {openStore, type StoreLocation} from '../store/open-store.js';
import type {Store} from '../store/store.js';

/** The flags that say where the run index is (COMMON_FLAGS). */
export interface StoreFlags {
	home?: string | undefined;
	db?: string | undefined;
}

/** Where a command's flags put the run index: --db / TRACEDECK_DATABASE_URL, else the SQLite file in --home / TRACEDECK_HOME. */
export function storeLocation(flags: StoreFlags): StoreLocation {
	return {home: resolveHome(flags.home), databaseUrl: resolveDatabaseUrl(flags.db)};
}

export async function openCommandStore(flags: StoreFlags, options: OpenOptions = {}): Promise<Store> {
	return openStore(storeLocation(flags), options);
}

/** Open the store, use it, and close it whatever happens. */
export async function withStore<T>(flags: StoreFlags, options: OpenOptions, use: (store: Store) => Promise<T>): Promise<T> {
	const store = await openCommandStore(flags, options);
	try {
		return await use(store);
	} finally {
		await store.close();
	}
}
