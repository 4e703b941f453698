import {ConfigError} from '../core/errors.js';
import {sanitizeMessage} from '../core/sanitize.js';

const GOOD = 'expected redis://[user:password@]host[:port][/db], rediss://… for TLS, or a unix socket path such as /run/redis/redis.sock';

/** The port as written after the host, for saying what is wrong with it (the URL parser only says "Invalid URL"). */
function writtenPort(afterScheme: string): string | undefined {
	const authority = afterScheme.split(/[/?#]/, 1)[0]!;
	const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
	const match = hostPort.startsWith('[') ? /\]:(.*)$/.exec(hostPort) : /:([^:]*)$/.exec(hostPort);
	return match?.[1];
}

function portProblem(port: string): string | undefined {
	if (port === '') {
		return undefined;
	}

	if (!/^\d+$/.test(port)) {
		return `port "${sanitizeMessage(port.slice(0, 20))}" is not a number`;
	}

	const n = Number(port);
	return n < 1 || n > 65_535 ? `port ${port.slice(0, 20)} is not from 1 to 65535` : undefined;
}

function problemOf(value: string): string | undefined {
	if (value.startsWith('/') && !value.startsWith('//')) {
		return undefined;
	}

	const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1];
	if (scheme === undefined) {
		// Echoed only when it cannot hold a password: "host:port" is the usual slip.
		const bare = value.replace(/^\/\//, '');
		return /^[\w.-]+(:\d+)?$/.test(bare) ? `no scheme; write redis://${bare}` : 'not a URL';
	}

	if (!/^rediss?$/i.test(scheme)) {
		return `scheme "${sanitizeMessage(scheme.slice(0, 20))}:" is not redis: or rediss:`;
	}

	const port = writtenPort(value.slice(scheme.length + 3));
	const badPort = port === undefined ? undefined : portProblem(port);
	if (badPort !== undefined) {
		return badPort;
	}

	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'not a valid URL';
	}

	if (url.hostname === '') {
		return 'no host';
	}

	if (!/^(\/\d{1,9})?\/?$/.test(url.pathname)) {
		return 'the path after the host must be a database number, e.g. /0';
	}

	try {
		decodeURIComponent(url.username);
		decodeURIComponent(url.password);
	} catch {
		return 'the user name or password has a "%" not followed by two hex digits (write a literal % as %25)';
	}

	return undefined;
}

/** What a cluster node URL may not have that a one-node URL may: a socket path, a database other than 0. */
function clusterProblemOf(node: string): string | undefined {
	if (!/^rediss?:\/\//i.test(node)) {
		return 'a Redis Cluster node must be a redis:// or rediss:// URL, not a socket path';
	}

	return /^(\/0?)?$/.test(new URL(node).pathname) ? undefined : 'a Redis Cluster has database 0 only: drop the /db from the node URLs';
}

/** The credentials and TLS a node URL asks for: one set serves the whole cluster (ioredis' redisOptions). */
function accessOf(node: string): string {
	const url = new URL(node);
	return `${url.protocol} ${url.username} ${url.password}`;
}

function failure(setting: string, problem: string): ConfigError {
	return new ConfigError(setting, `${setting} is not a usable Redis URL: ${problem}; ${GOOD}`);
}

/**
 * Is this (checked) target a Redis Cluster? A list of node URLs is, a
 * single URL is not; a single seed of a cluster is written as a list of one,
 * with a trailing comma (what checkRedisUrl returns for TRACEDECK_REDIS_CLUSTER=1).
 * One string carries the choice through every place that hands the Redis URL on.
 */
export function isClusterTarget(target: string): boolean {
	return target.includes(',');
}

/** A cluster target's node URLs, in order. */
export function clusterNodeUrls(target: string): string[] {
	return target
		.split(',')
		.map(node => node.trim())
		.filter(node => node !== '');
}

/** TRACEDECK_REDIS_CLUSTER: "1" (or true/yes/on) makes a single Redis URL a cluster seed; unset, "", "0" (false/no/off) do not. */
export function clusterSeedSetting(env: NodeJS.ProcessEnv): boolean {
	const value = (env['TRACEDECK_REDIS_CLUSTER'] ?? '').trim().toLowerCase();
	if (['', '0', 'false', 'no', 'off'].includes(value)) {
		return false;
	}

	if (['1', 'true', 'yes', 'on'].includes(value)) {
		return true;
	}

	throw new ConfigError('TRACEDECK_REDIS_CLUSTER', `TRACEDECK_REDIS_CLUSTER="${sanitizeMessage(value.slice(0, 20))}" is not 1 or 0; set it to 1 to treat a single Redis URL as a cluster seed`);
}

/**
 * Check a Redis URL where a setting is read, before anything connects, so
 * that a typo is a usage error naming the setting instead of a TypeError deep
 * in ioredis (or a silent connection to the wrong place: ioredis reads
 * "http://x" as the socket path "//x"). Returns the URL to use, its scheme in
 * lower case (ioredis turns TLS on for "rediss://" only as written so). The
 * message never repeats the value's password.
 *
 * Several comma-separated URLs are a Redis Cluster's nodes (any of them
 * seeds the client), as is one URL when `clusterSeed` is set: the result is
 * then a cluster target (isClusterTarget). The nodes share one user,
 * password and scheme, since the cluster client applies one set to all.
 *
 * @param setting how the user gave it: "--redis", "TRACEDECK_REDIS_URL", ...
 * @param clusterSeed TRACEDECK_REDIS_CLUSTER (clusterSeedSetting)
 * @throws ConfigError (exit code 2) saying what is wrong and what a good value looks like
 */
export function checkRedisUrl(value: string, setting: string, clusterSeed = false): string {
	const nodes = clusterNodeUrls(value);
	const cluster = clusterSeed || isClusterTarget(value);
	if (nodes.length === 0) {
		throw failure(setting, 'no URL');
	}

	const checked = nodes.map((node, i) => {
		const problem = problemOf(node) ?? (cluster ? clusterProblemOf(node) : undefined);
		if (problem !== undefined) {
			throw failure(setting, nodes.length > 1 ? `node ${i + 1} of ${nodes.length}: ${problem}` : problem);
		}

		return node.replace(/^rediss?:/i, scheme => scheme.toLowerCase());
	});
	if (!cluster) {
		return checked[0]!;
	}

	if (checked.some(node => accessOf(node) !== accessOf(checked[0]!))) {
		throw failure(setting, 'the Redis Cluster node URLs differ in scheme, user or password; the client uses one set for every node');
	}

	return checked.length === 1 ? `${checked[0]!},` : checked.join(',');
}
