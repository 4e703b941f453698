import {DiskFullError, isDamagedDatabase, isDiskFull} from '../core/errors.js';

/**
 * An error that is not a TracedeckError but still the user's to fix, as the
 * one line and exit code cli.ts reports; undefined for a real internal error.
 * A full disk (SQLITE_FULL, ENOSPC) is exit 4: nothing to retry until there is room.
 */
export function knownFailure(error: unknown): {message: string; exitCode: number} | undefined {
	if (isDiskFull(error)) {
		const full = new DiskFullError(`to the tracedeck home (${error instanceof Error ? error.message : String(error)})`);
		return {message: full.message, exitCode: full.exitCode};
	}

	if (isDamagedDatabase(error)) {
		// Damage SQLite only notices when a query reads the bad page, after the open succeeded.
		return {message: `the run index is damaged (${(error as {code: string}).code}); move runs.db aside and re-ingest your runs`, exitCode: 4};
	}

	return undefined;
}
