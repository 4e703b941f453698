/**
 * An error the user can act on: one line that says what is wrong and what to
 * do. cli.ts prints `message` (no stack) and exits with `exitCode`.
 */
export class TracedeckError extends Error {
	readonly exitCode: number;

	constructor(message: string, exitCode = 1) {
		super(message);
		this.name = 'TracedeckError';
		this.exitCode = exitCode;
	}
}

/** Bad input from the user: a flag, an argument, a file. Exit code 2, like a usage error. */
export class InputError extends TracedeckError {
	constructor(message: string) {
		super(message, 2);
		this.name = 'InputError';
	}
}

/**
 * A setting (a flag, an environment variable, an option) whose value cannot
 * work, e.g. a malformed TRACEDECK_REDIS_URL. Exit code 2, like a usage error;
 * `setting` names it as the user wrote it.
 */
export class ConfigError extends InputError {
	readonly setting: string;

	constructor(setting: string, message: string) {
		super(message);
		this.name = 'ConfigError';
		this.setting = setting;
	}
}

/** The thing asked for does not exist (unknown run id, missing file). Exit code 3. */
export class NotFoundError extends TracedeckError {
	constructor(message: string) {
		super(message, 3);
		this.name = 'NotFoundError';
	}
}

/** The store cannot be used as it is (corrupt, foreign or newer database). Exit code 4. */
export class StoreError extends TracedeckError {
	constructor(message: string) {
		super(message, 4);
		this.name = 'StoreError';
	}
}

/** SQLite's SQLITE_FULL or the system's ENOSPC: the disk (or the quota) has no room left. */
/**
 * SQLite found the file damaged: not a database, or a corrupt page (extended
 * codes too, SQLITE_CORRUPT_INDEX and the like, which better-sqlite3 reports).
 */
export function isDamagedDatabase(error: unknown): boolean {
	const code = (error as {code?: unknown} | null | undefined)?.code;
	return typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT)/.test(code);
}

export function isDiskFull(error: unknown): boolean {
	const code = (error as {code?: unknown} | null | undefined)?.code;
	return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * A write that found the disk full. Exit code 4, as for a store that cannot
 * be used as it is: trying again will not help until space is freed. `what`
 * names what could not be written, and what became of it.
 */
export class DiskFullError extends StoreError {
	constructor(what: string) {
		super(`disk full: cannot write ${what}; free space on that disk (or set --home / TRACEDECK_HOME to a home with room) and try again`);
		this.name = 'DiskFullError';
	}
}

/**
 * Another writer kept the run index locked for longer than the writer was
 * willing to wait (its retries, with backoff, spent). Nothing of the write is
 * stored; trying again later will work. A StoreError, so callers that treat
 * every store failure alike still do.
 */
export class StoreBusyError extends StoreError {
	constructor(message: string) {
		super(message);
		this.name = 'StoreBusyError';
	}
}
