import pg from 'pg';
import {withoutPassword} from '../../core/url-password.js';

// int8 (count(*), bigint ids and counters) comes back as a string by default,
// since it can exceed 2^53; tracedeck's never do (event ids, row counts), and
// every figure must be the number SQLite gives.
pg.types.setTypeParser(pg.types.builtins.INT8, text => Number(text));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, text => Number(text));

/** Connections each process keeps at most: a CLI needs one or two, serve a few writers. */
const POOL_SIZE = 8;

/** A pool on the URL; the application name shows in pg_stat_activity, for the operator. */
export function openPool(url: string): pg.Pool {
	return new pg.Pool({connectionString: url, max: POOL_SIZE, application_name: 'tracedeck', idleTimeoutMillis: 10_000});
}

/** The URL without its password, for messages and `location`. */
export function redactedUrl(url: string): string {
	return withoutPassword(url, 'postgres://(unparsable URL)');
}
