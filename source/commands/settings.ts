import os from 'node:os';
import path from 'node:path';
import {InputError} from '../core/errors.js';
import {checkRedisUrl} from '../live/redis-url.js';

/** The tracedeck home: --home, else TRACEDECK_HOME, else `fallback` (~/.tracedeck; the demo has its own). */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback = path.join(os.homedir(), '.tracedeck')): string {
	const chosen = flag ?? env['TRACEDECK_HOME'];
	return path.resolve(chosen && chosen !== '' ? chosen : fallback);
}

/**
 * The Redis URL that turns on live streams (--redis, else
 * TRACEDECK_REDIS_URL), or undefined for SQLite alone; empty is off.
 *
 * @throws ConfigError (exit 2) for a malformed URL, naming the one that was used
 */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const chosen = flag ?? env['TRACEDECK_REDIS_URL'];
	if (!chosen || chosen === '') {
		return undefined;
	}

	return checkRedisUrl(chosen, flag === undefined ? 'TRACEDECK_REDIS_URL' : '--redis');
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
