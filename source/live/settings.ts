import os from 'node:os';
import path from 'node:path';
import {ConfigError, InputError} from '../core/errors.js';
import {loadConfig} from './config-file.js';
import {checkRedisUrl, clusterSeedSetting} from './redis-url.js';

/*
 * Where tracedeck's settings come from: the flag (or the library option),
 * else the TRACEDECK_* variable, else the config file (live/config-file.ts),
 * else the default. The CLI and the library's
 * TraceEmitter.open both read them here; live/ is the lowest layer that both
 * commands/ and emit/ may import and that holds the Redis URL check.
 */

/** Which of the four gave the home, for messages that name it. */
export type HomeSource = 'flag' | 'env' | 'file' | 'default';

export const DEFAULT_HOME = path.join(os.homedir(), '.tracedeck');

/**
 * The tracedeck home and where it came from: --home, else TRACEDECK_HOME,
 * else the config file's `home`, else ~/.tracedeck. A caller with a default
 * of its own (`fallback`: the demo's, which must never fill the real home)
 * skips the file. An empty --home is not given (what `--home "$UNSET"`
 * yields), so the variable still counts.
 */
export function homeSetting(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback?: string): {home: string; source: HomeSource} {
	if (flag !== undefined && flag !== '') {
		return {home: path.resolve(flag), source: 'flag'};
	}

	const fromEnv = env['TRACEDECK_HOME'];
	if (fromEnv !== undefined && fromEnv !== '') {
		return {home: path.resolve(fromEnv), source: 'env'};
	}

	if (fallback !== undefined) {
		return {home: path.resolve(fallback), source: 'default'};
	}

	const fromFile = loadConfig(env).home;
	return fromFile === undefined ? {home: DEFAULT_HOME, source: 'default'} : {home: fromFile, source: 'file'};
}

/** The tracedeck home alone; see homeSetting. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback?: string): string {
	return homeSetting(flag, env, fallback).home;
}

/** A setting given by the flag, else the variable, else the config file's key; empty counts as given (off). */
function chosenSetting(flag: string | undefined, env: NodeJS.ProcessEnv, variable: string, key: 'redis' | 'db' | 'endpoint', flagName: string): {value: string; setting: string} | undefined {
	if (flag !== undefined) {
		return {value: flag, setting: flagName};
	}

	const fromEnv = env[variable];
	if (fromEnv !== undefined) {
		return {value: fromEnv, setting: variable};
	}

	const config = loadConfig(env);
	const fromFile = config[key];
	return fromFile === undefined ? undefined : {value: fromFile, setting: `${key} in ${config.file}`};
}

/**
 * The Redis URL that turns on live streams (--redis, else
 * TRACEDECK_REDIS_URL, else the config file's `redis`), or undefined for
 * SQLite alone; empty is off. Several comma-separated URLs, or one with
 * TRACEDECK_REDIS_CLUSTER=1, name a Redis Cluster (redis-url.ts).
 *
 * @param flagName how a message names the flag: "--redis", or the library's option
 * @throws ConfigError (exit 2) for a malformed URL, naming the one that was used
 */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--redis'): string | undefined {
	const chosen = chosenSetting(flag, env, 'TRACEDECK_REDIS_URL', 'redis', flagName);
	if (chosen === undefined || chosen.value === '') {
		return undefined;
	}

	return checkRedisUrl(chosen.value, chosen.setting, clusterSeedSetting(env));
}

/**
 * serve's bearer token: --token, else TRACEDECK_TOKEN, else the config
 * file's `token`; undefined (no token asked for) when none is set. An
 * empty --token is refused (exit 2): it is
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
	if (fromEnv !== undefined && fromEnv !== '') {
		return fromEnv;
	}

	// An empty variable falls through to the file: it must not turn off the token the file asks for.
	return loadConfig(env).token;
}

/** The URL schemes that name a PostgreSQL index. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * The shared index's URL (--db, else TRACEDECK_DATABASE_URL, else the config
 * file's `db`), or undefined for the SQLite file under the home; an empty
 * --db is not given, an empty variable is unset (SQLite). Only PostgreSQL URLs
 * are taken: anything else is refused (exit 2) rather than guessed at.
 *
 * @param flagName how a message names the flag: "--db", or the library's option
 */
export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--db'): string | undefined {
	const given = chosenSetting(flag === '' ? undefined : flag, env, 'TRACEDECK_DATABASE_URL', 'db', flagName);
	if (given === undefined || given.value === '') {
		return undefined;
	}

	const {value: chosen, setting} = given;
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

/**
 * The `tracedeck serve` that exec and the emitter send to instead of a local
 * index (--endpoint, else TRACEDECK_ENDPOINT, else the config file's
 * `endpoint`), as its base URL without a trailing slash; undefined (record
 * locally) when none is set or it is empty. Only http(s) URLs are taken.
 *
 * @param flagName how a message names the flag: "--endpoint", or the library's option
 * @throws ConfigError (exit 2) for anything else, naming the setting used
 */
export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--endpoint'): string | undefined {
	const chosen = chosenSetting(flag, env, 'TRACEDECK_ENDPOINT', 'endpoint', flagName);
	if (chosen === undefined || chosen.value === '') {
		return undefined;
	}

	let url: URL;
	try {
		url = new URL(chosen.value);
	} catch {
		throw new ConfigError(chosen.setting, `${chosen.setting} is not a URL; write it as https://tracedeck.internal:4318`);
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ConfigError(chosen.setting, `${chosen.setting} must be an http:// or https:// URL of tracedeck serve (e.g. https://tracedeck.internal:4318)`);
	}

	if (url.username !== '' || url.password !== '') {
		throw new ConfigError(chosen.setting, `${chosen.setting} must not hold credentials; give the token in TRACEDECK_TOKEN`);
	}

	return url.href.replace(/\/+$/, '');
}
