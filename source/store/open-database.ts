import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {StoreError} from '../core/errors.js';
import {APPLICATION_ID, FOLLOW_UPS, MIGRATIONS} from './migrations.js';
import {createPrivateFile, makePrivateDir} from './private-files.js';

export type Db = Database.Database;

// Extended codes too (SQLITE_CORRUPT_INDEX, ...): better-sqlite3 reports those.
const DAMAGED = /^SQLITE_(NOTADB|CORRUPT)/;

function describe(file: string, error: unknown): string {
	const code = (error as {code?: string}).code ?? '';
	if (DAMAGED.test(code)) {
		return `${file} is not a readable SQLite database (corrupt or truncated); move it aside and re-ingest your runs`;
	}

	if (code === 'SQLITE_CANTOPEN') {
		return `cannot open ${file}: check that the folder exists and is writable, or set --home / TRACEDECK_HOME`;
	}

	return `cannot use ${file}: ${(error as Error).message}`;
}

/**
 * SQLite finds most damage lazily, when a query first reads a bad page, long
 * after the open succeeded: such an error becomes the same one-line
 * StoreError (exit 4) as a damaged file at open. Other errors pass through.
 */
export function damagedStoreError(file: string, error: unknown): unknown {
	return DAMAGED.test((error as {code?: string} | undefined)?.code ?? '') ? new StoreError(describe(file, error)) : error;
}

function applyPragmas(db: Db, readonly: boolean): void {
	db.pragma('busy_timeout = 10000');
	if (!readonly) {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
	}

	db.pragma('foreign_keys = ON');
}

/** Refuse foreign or newer databases before touching them, then migrate. */
function checkAndMigrate(db: Db, file: string, readonly: boolean): void {
	const appId = db.pragma('application_id', {simple: true}) as number;
	const version = db.pragma('user_version', {simple: true}) as number;
	const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number}).n;
	if (appId !== APPLICATION_ID && (tables > 0 || appId !== 0)) {
		throw new StoreError(`${file} is not a tracedeck database; point --home / TRACEDECK_HOME at a tracedeck home`);
	}

	if (version > MIGRATIONS.length) {
		throw new StoreError(`${file} was written by a newer tracedeck (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade tracedeck`);
	}

	if (version === MIGRATIONS.length) {
		return;
	}

	if (readonly) {
		throw new NeedsMigration();
	}

	const migrate = db.transaction(() => {
		// Another process may have migrated between our read and taking the write lock.
		const current = db.pragma('user_version', {simple: true}) as number;
		for (let v = current; v < MIGRATIONS.length; v++) {
			db.exec(MIGRATIONS[v]!);
			FOLLOW_UPS.get(v)?.(db);
		}

		db.pragma(`application_id = ${APPLICATION_ID}`);
		db.pragma(`user_version = ${MIGRATIONS.length}`);
	});
	migrate.immediate();
}

/** A read-only open found an older schema: migrate with a writable handle, then reopen. */
class NeedsMigration extends Error {}

export interface OpenOptions {
	readonly?: boolean;
}

/**
 * Open (creating if needed) the run index at `<home>/runs.db`. Every failure
 * becomes a StoreError with one line that says what to do.
 */
export function openDatabase(home: string, options: OpenOptions = {}): Db {
	const file = path.join(home, 'runs.db');
	const readonly = options.readonly === true && fs.existsSync(file);
	let db: Db | undefined;
	try {
		if (!readonly) {
			makePrivateDir(home);
			createPrivateFile(file);
		}

		db = new Database(file, {readonly, fileMustExist: readonly});
		applyPragmas(db, readonly);
		checkAndMigrate(db, file, readonly);
		return db;
	} catch (error) {
		db?.close();
		if (error instanceof NeedsMigration) {
			openDatabase(home).close();
			return openDatabase(home, options);
		}

		if (error instanceof StoreError) {
			throw error;
		}

		throw new StoreError(describe(file, error));
	}
}
