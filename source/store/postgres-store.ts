import {StoreError} from '../core/errors.js';
import type {OpenOptions} from './open-database.js';
import type {Store} from './store.js';

/** The shared index on PostgreSQL (placeholder until its parts land: refuses to open). */
export const PostgresStore = {
	async open(_url: string, _options: OpenOptions): Promise<Store> {
		throw new StoreError('the PostgreSQL index is not available in this build; leave --db and TRACEDECK_DATABASE_URL unset to use the SQLite index');
	},
};
