import {StoreError, TracedeckError} from '../../core/errors.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** The error's code: node's (ECONNREFUSED, also on each error of an AggregateError) or PostgreSQL's SQLSTATE. */
function codeOf(error: unknown): string {
	const code = (error as {code?: unknown} | null | undefined)?.code;
	if (typeof code === 'string') {
		return code;
	}

	const inner = (error as {errors?: unknown} | null | undefined)?.errors;
	return Array.isArray(inner) && inner.length > 0 ? codeOf(inner[0]) : '';
}

/**
 * What went wrong reaching or using the PostgreSQL index, as one line that
 * names where (the URL without its password) and what to do. Errors
 * tracedeck raised itself (a newer schema, a bad input) pass as they are;
 * a SQL error that is none of these is a bug and stays itself, with its stack.
 */
export function postgresError(location: string, error: unknown): unknown {
	if (error instanceof TracedeckError) {
		return error;
	}

	const code = codeOf(error);
	if (UNREACHABLE.has(code)) {
		return new StoreError(`cannot reach the PostgreSQL index at ${location} (${code}): start PostgreSQL there, or fix --db / TRACEDECK_DATABASE_URL`);
	}

	if (code === '28P01' || code === '28000') {
		return new StoreError(`PostgreSQL at ${location} refused the login: check the user and password in --db / TRACEDECK_DATABASE_URL (and the server's pg_hba.conf)`);
	}

	if (code === '3D000') {
		return new StoreError(`the database of ${location} does not exist: create it (createdb) or fix --db / TRACEDECK_DATABASE_URL`);
	}

	if (code === '42501') {
		return new StoreError(`the PostgreSQL role of ${location} may not create or write tracedeck's tables: connect as a role that may, or grant it (GRANT CREATE ON SCHEMA public)`);
	}

	if (code === '57P01' || code === '57P03' || /Connection terminated/i.test(error instanceof Error ? error.message : '')) {
		return new StoreError(`the PostgreSQL index at ${location} closed the connection (shutting down or restarting): try again once it is up`);
	}

	return error;
}
