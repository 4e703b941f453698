import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {DiskFullError, isDamagedDatabase, isDiskFull, StoreError} from '../core/errors.js';
import {APPLICATION_ID, type Migrations, SCHEMA_VERSION} from './schema-version.js';
import {createPrivateFile, makePrivateDir} from './private-files.js';

/*
 * require()d, not imported: better-sqlite3 is CommonJS, and an ESM import of
 * it first has Node scan its sources for named exports (cjs-module-lexer),
 * a few milliseconds of every command's start-up that a require skips.
 */
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export type Db = BetterSqlite3.Database;

/**
 * How long one statement waits for another connection's lock. SQLite waits
 * inside the call, which blocks the whole event loop (serve stops answering,
 * timers stop), so this stays short; writers retry asynchronously, with
 * backoff, for as long as they are willing to wait (live/event-writer.ts).
 */
export const BUSY_TIMEOUT_MS = 50;

function codeOf(error: unknown): string {
	const code = (error as {code?: unknown} | null | undefined)?.code;
	return typeof code === 'string' ? code : '';
}

function describe(file: string, error: unknown): string {
	const code = codeOf(error);
	if (isDamagedDatabase(error)) {
		return `${file} is not a readable SQLite database (corrupt or truncated); move it aside and re-ingest your runs`;
	}

	if (code === 'SQLITE_CANTOPEN') {
		return `cannot open ${file}: check that the folder exists and is writable, or set --home / TRACEDECK_HOME`;
	}

	if (code.startsWith('SQLITE_READONLY')) {
		return `cannot write ${file}: it or its folder is read-only; write commands need a writable home (read commands work without one)`;
	}

	if (/^(EROFS|EACCES|EPERM)$/.test(code)) {
		return `cannot write ${file}: its folder is read-only or not yours to write (${code}); write commands need a writable home (read commands work without one), or set --home / TRACEDECK_HOME`;
	}

	return `cannot use ${file}: ${(error as Error).message}`;
}

/**
 * SQLite finds most damage lazily, when a query first reads a bad page, long
 * after the open succeeded: such an error becomes the same one-line
 * StoreError (exit 4) as a damaged file at open. So does a write that found
 * the disk full (SQLITE_FULL; the transaction was rolled back whole). Other
 * errors pass through.
 */
export function damagedStoreError(file: string, error: unknown): unknown {
	if (isDiskFull(error)) {
		return new DiskFullError(`${file} (the write was rolled back: nothing of it is stored)`);
	}

	const code = codeOf(error);
	return isDamagedDatabase(error) || code.startsWith('SQLITE_READONLY') ? new StoreError(describe(file, error)) : error;
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

/** A store written by a newer tracedeck, on either engine: `where` is the file or the redacted URL. */
export function newerSchemaError(where: string, version: number, known: number): StoreError {
	return new StoreError(`${where} was written by a newer tracedeck (schema ${version}, this version knows ${known}); upgrade tracedeck`);
}

/**
 * Refuse newer databases, then migrate. A read-only open (RunReader) comes
 * without the migrations: when the schema is behind, it is told so
 * (MigrationsNeeded) and opens again with them (open-store.ts).
 */
function checkAndMigrate(db: Db, file: string, readonly: boolean, migrations: Migrations | undefined): void {
	const version = db.pragma('user_version', {simple: true}) as number;
	if (version > SCHEMA_VERSION) {
		throw newerSchemaError(file, version, SCHEMA_VERSION);
	}

	if (version === SCHEMA_VERSION) {
		return;
	}

	if (readonly) {
		throw new NeedsMigration();
	}

	if (migrations === undefined) {
		throw new MigrationsNeeded();
	}

	const {MIGRATIONS, FOLLOW_UPS} = migrations;
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

/** An open without the migrations (see checkAndMigrate) needs them: open again with migrations.ts. */
export class MigrationsNeeded extends Error {}

export interface OpenOptions {
	readonly?: boolean;
}

/** Codes of an open refused for want of write access (a read-only mount, a folder not ours to write). */
const NO_WRITE_ACCESS = /^(SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM|EROFS|EACCES|EPERM)/;

function refuseDirectory(file: string): void {
	let isDirectory = false;
	try {
		isDirectory = fs.statSync(file).isDirectory();
	} catch {
		// Missing or unreadable: the open says what is wrong.
	}

	if (isDirectory) {
		throw new StoreError(`${file} is a directory, not a run index; move it aside (tracedeck creates runs.db itself) or point --home / TRACEDECK_HOME at a tracedeck home`);
	}
}

function hasLog(file: string): boolean {
	try {
		return fs.statSync(`${file}-wal`).size > 0;
	} catch {
		return false;
	}
}

/**
 * A read-only open of a WAL database needs its -shm file, which SQLite
 * cannot create in a folder it may not write (a read-only mount, another
 * user's home), and better-sqlite3 is built without URI names, so
 * `?immutable=1` is not available. When nothing sits in a -wal (every close
 * checkpoints it), the file alone is the whole index: read a copy of it into
 * memory instead. Costs memory the size of runs.db, and only where the plain
 * open failed. Undefined when a copy would miss changes still in the log.
 */
function openSnapshot(file: string): Db | undefined {
	if (fs.existsSync(`${file}-shm`) || hasLog(file)) {
		return undefined;
	}

	const bytes = fs.readFileSync(file);
	if (bytes.length >= 100) {
		// Bytes 18-19 say "WAL"; the copy has no log, so it reads as a rollback-journal database.
		bytes[18] = 1;
		bytes[19] = 1;
	}

	// Writable in memory: an older schema is migrated in the copy, never on disk.
	return new Database(bytes);
}

function openForReading(file: string): {db: Db; inMemory: boolean} {
	let db: Db | undefined;
	try {
		db = new Database(file, {readonly: true, fileMustExist: true});
		// The -shm is opened on the first read, not by the constructor.
		db.pragma('application_id', {simple: true});
		return {db, inMemory: false};
	} catch (error) {
		db?.close();
		const snapshot = codeOf(error) === 'SQLITE_CANTOPEN' ? openSnapshot(file) : undefined;
		if (snapshot === undefined) {
			if (codeOf(error) === 'SQLITE_CANTOPEN' && hasLog(file)) {
				throw new StoreError(`cannot read ${file}: its last changes are still in runs.db-wal and the folder cannot be written, so SQLite cannot read them; run any tracedeck command once where the home is writable, or read a copy of the home`);
			}

			throw error;
		}

		return {db: snapshot, inMemory: true};
	}
}

/** A read command in a home with no runs.db that cannot be created: nothing was recorded there, so an empty index answers. */
function emptyIndex(file: string, migrations: Migrations | undefined): Db {
	const db = new Database(':memory:');
	try {
		checkAndMigrate(db, file, false, migrations);
	} catch (error) {
		db.close();
		throw error;
	}

	return db;
}

/**
 * Open (creating if needed) the run index at `<home>/runs.db`. Every failure
 * becomes a StoreError with one line that says what to do. A file that is
 * not tracedeck's is refused before anything writes to it (no journal mode
 * switch, no WAL recovery): it is left byte for byte as it was. Read-only
 * opens work in a home that cannot be written (see openSnapshot).
 * `migrations` (migrations.ts) bring an older schema up to date; without
 * them, an open that needs them throws MigrationsNeeded.
 */
export function openDatabase(home: string, options: OpenOptions = {}, migrations?: Migrations): Db {
	const file = path.join(home, 'runs.db');
	const wantsRead = options.readonly === true;
	let db: Db | undefined;
	try {
		refuseDirectory(file);
		const owner = headerOwner(file);
		const readonly = wantsRead && owner !== 'fresh';
		let inMemory = false;
		if (readonly) {
			({db, inMemory} = openForReading(file));
		} else {
			try {
				makePrivateDir(home);
				// SQLite would quietly open a file it may not write read-only, and fail only at the first write.
				fs.accessSync(home, fs.constants.W_OK);
				if (owner !== 'fresh' || fs.existsSync(file)) {
					fs.accessSync(file, fs.constants.W_OK);
				}

				if (owner === 'unsure') {
					probeWithLog(file);
				}

				// Created 0600 before SQLite opens it, so its -wal and -shm are private too.
				createPrivateFile(file);
				db = new Database(file);
			} catch (error) {
				if (wantsRead && !fs.existsSync(file) && NO_WRITE_ACCESS.test(codeOf(error))) {
					return emptyIndex(file, migrations);
				}

				throw error;
			}
		}

		db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
		checkOwner(db, file);
		applyPragmas(db, readonly || inMemory);
		checkAndMigrate(db, file, readonly && !inMemory, migrations);
		return db;
	} catch (error) {
		db?.close();
		if (error instanceof NeedsMigration) {
			openDatabase(home, {}, migrations).close();
			return openDatabase(home, options, migrations);
		}

		if (error instanceof StoreError || error instanceof MigrationsNeeded) {
			throw error;
		}

		const known = damagedStoreError(file, error);
		throw known instanceof StoreError ? known : new StoreError(describe(file, error));
	}
}
