import type {Db} from './open-database.js';

/** "TDK1" as a 32-bit integer: marks a SQLite file as a tracedeck run index. */
export const APPLICATION_ID = 0x54444b31;

/**
 * The schema this build writes: the number of migrations (migrations.ts
 * MIGRATIONS.length, checked when they load). Here alone so an open that
 * finds the schema current, every open but the first after an upgrade,
 * never loads the migrations and what they import.
 */
export const SCHEMA_VERSION = 13;

/** migrations.ts, as openDatabase takes it (see open-database.ts). */
export interface Migrations {
	readonly MIGRATIONS: readonly string[];
	readonly FOLLOW_UPS: ReadonlyMap<number, (db: Db) => void>;
}
