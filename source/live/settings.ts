import os from 'node:os';
import path from 'node:path';
import {ConfigError, InputError} from '../core/errors.js';
import {checkRedisUrl} from './redis-url.js';

/*
 * Where tracedeck's settings come from: the flag (or the library option),
 * else the TRACEDECK_* variable, else the default. The CLI and the library's
 * TraceEmitter.open both read them here; live/ is the lowest layer that both
 * commands/ and emit/ may import and that holds the Redis URL check.
 */

/** Which of the three gave the home, for messages that name it. */
export type HomeSource = 'flag' | 'env' | 'default';

export const DEFAULT_HOME = path.join(os.homedir(), '.tracedeck');

/**
 * The tracedeck home and where it came from: --home, else TRACEDECK_HOME,
 * else `fallback` (~/.tracedeck; the demo has its own). An empty --home is
 * not given (what `--home "$UNSET"` yields), so the variable still counts.
 */
export function homeSetting(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback = DEFAULT_HOME): {home: string; source: HomeSource} {
	if (flag !== undefined && flag !== '') {
		return {home: path.resolve(flag), source: 'flag'};
	}

	const fromEnv = env['TRACEDECK_HOME'];
	return fromEnv !== undefined && fromEnv !== '' ? {home: path.resolve(fromEnv), source: 'env'} : {home: path.resolve(fallback), source: 'default'};
}

/** The tracedeck home alone; see homeSetting. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback = DEFAULT_HOME): string {
	return homeSetting(flag, env, fallback).home;
}

/**
 * The Redis URL that turns on live streams (--redis, else
 * TRACEDECK_REDIS_URL), or undefined for SQLite alone; empty is off.
 *
 * @param flagName how a message names the flag: "--redis", or the library's option
 * @throws ConfigError (exit 2) for a malformed URL, naming the one that was used
 */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--redis'): string | undefined {
	const chosen = flag ?? env['TRACEDECK_REDIS_URL'];
	if (chosen === undefined || chosen === '') {
		return undefined;
	}

	return checkRedisUrl(chosen, flag === undefined ? 'TRACEDECK_REDIS_URL' : flagName);
}

/**
 * serve's bearer token: --token, else TRACEDECK_TOKEN; undefined (no token
 * asked for) when neither is set. An empty --token is refused (exit 2): it is
 * what `--token "$UNSET_VARIABLE"` gives, and must not mean "no auth".
 */
export function resolveToken(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (flag !== undefined) {
		if (flag.trim() === '') {
			throw new InputError('--token is empty; give the token, or leave --token out to serve without one');
		}

		return flag;
	}

	const fromEnv = env['TRACEDECK_TOKEN'];
	return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** The URL schemes that name a PostgreSQL index. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * The shared index's URL (--db, else TRACEDECK_DATABASE_URL), or undefined
 * for the SQLite file under the home; empty is unset. Only PostgreSQL URLs
 * are taken: anything else is refused (exit 2) rather than guessed at.
 *
 * @param flagName how a message names the flag: "--db", or the library's option
 */
export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--db'): string | undefined {
	const given = flag !== undefined && flag !== '';
	const chosen = given ? flag : env['TRACEDECK_DATABASE_URL'];
	if (chosen === undefined || chosen === '') {
		return undefined;
	}

	const setting = given ? flagName : 'TRACEDECK_DATABASE_URL';
	if (!POSTGRES_URL.test(chosen)) {
		throw new ConfigError(setting, `${setting} must be a postgres:// URL (e.g. postgres://user@host:5432/tracedeck); leave it unset for the SQLite index in the tracedeck home`);
	}

	try {
		new URL(chosen);
	} catch {
		throw new ConfigError(setting, `${setting} is not a valid URL; write it as postgres://user:password@host:5432/database`);
	}

	return chosen;
}
