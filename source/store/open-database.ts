import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {StoreError} from '../core/errors.js';
import {APPLICATION_ID, FOLLOW_UPS, MIGRATIONS} from './migrations.js';

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

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Whose file is this, judged from its 100-byte header alone, before SQLite
 * opens it (an open may already switch journal modes or recover a WAL):
 * 'fresh' when there is nothing yet (no file, or zero bytes, which SQLite
 * reads as an empty database), 'ours' when it carries tracedeck's application
 * id, 'unsure' when the header names no application and no schema: a new
 * file, or one whose first changes still sit in its write-ahead log. Anything
 * else is refused here, untouched.
 */
function headerOwner(file: string): 'fresh' | 'ours' | 'unsure' {
	let header: Buffer;
	try {
		const fd = fs.openSync(file, 'r');
		try {
			header = Buffer.alloc(100);
			header = header.subarray(0, fs.readSync(fd, header, 0, 100, 0));
		} finally {
			fs.closeSync(fd);
		}
	} catch (error) {
		// Unreadable here means unreadable to SQLite too: its open gives the message.
		return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'fresh' : 'unsure';
	}

	if (header.length === 0) {
		return 'fresh';
	}

	if (header.length < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
		throw new StoreError(describe(file, {code: 'SQLITE_NOTADB'}));
	}

	// Offsets from SQLite's file format: 40 schema cookie, 60 user_version, 68 application_id (big-endian).
	const appId = header.readInt32BE(68);
	if (appId === APPLICATION_ID) {
		return 'ours';
	}

	if (appId !== 0 || header.readUInt32BE(60) !== 0 || header.readUInt32BE(40) !== 0) {
		throw new StoreError(foreign(file));
	}

	return 'unsure';
}

function foreign(file: string): string {
	return `${file} is not a tracedeck database; point --home / TRACEDECK_HOME at a tracedeck home`;
}

/**
 * Refuse a foreign database by what SQLite reads (the header may be stale
 * while changes sit in the WAL): another application's id, or no id but
 * a schema or a user_version of its own. Only reads: nothing is written
 * before this has passed.
 */
function checkOwner(db: Db, file: string): void {
	const appId = db.pragma('application_id', {simple: true}) as number;
	if (appId === APPLICATION_ID) {
		return;
	}

	const version = db.pragma('user_version', {simple: true}) as number;
	const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as {n: number}).n;
	if (appId !== 0 || version !== 0 || objects > 0) {
		throw new StoreError(foreign(file));
	}
}

/**
 * A file whose header was unsure and that has a write-ahead log: look with a
 * read-only connection first, since a writable one would recover that log
 * into the file (and checkpoint it on close) before we could refuse it.
 */
function probeWithLog(file: string): void {
	const wal = `${file}-wal`;
	if (!fs.existsSync(wal) || fs.statSync(wal).size === 0) {
		return;
	}

	const probe = new Database(file, {readonly: true, fileMustExist: true});
	try {
		checkOwner(probe, file);
	} finally {
		probe.close();
	}
}

/** Connection settings; journal_mode writes the file, so it only runs once the file is known to be ours. */
function applyPragmas(db: Db, readonly: boolean): void {
	if (!readonly) {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
	}

	db.pragma('foreign_keys = ON');
}

/** Refuse newer databases, then migrate. */
function checkAndMigrate(db: Db, file: string, readonly: boolean): void {
	const version = db.pragma('user_version', {simple: true}) as number;
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
 * becomes a StoreError with one line that says what to do. A file that is
 * not tracedeck's is refused before anything writes to it (no journal mode
 * switch, no WAL recovery): it is left byte for byte as it was.
 */
export function openDatabase(home: string, options: OpenOptions = {}): Db {
	const file = path.join(home, 'runs.db');
	let db: Db | undefined;
	try {
		const owner = headerOwner(file);
		const readonly = options.readonly === true && owner !== 'fresh';
		if (!readonly) {
			fs.mkdirSync(home, {recursive: true});
			if (owner === 'unsure') {
				probeWithLog(file);
			}
		}

		db = new Database(file, {readonly, fileMustExist: readonly});
		db.pragma('busy_timeout = 10000');
		checkOwner(db, file);
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
