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
	if (value.includes(',')) {
		return 'several URLs (a Redis Cluster node list) are not supported; give one';
	}

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

/**
 * Check a Redis URL where a setting is read, before anything connects, so
 * that a typo is a usage error naming the setting instead of a TypeError deep
 * in ioredis (or a silent connection to the wrong place: ioredis reads
 * "http://x" as the socket path "//x"). Returns the URL to use, its scheme in
 * lower case (ioredis turns TLS on for "rediss://" only as written so). The
 * message never repeats the value's password.
 *
 * @param setting how the user gave it: "--redis", "TRACEDECK_REDIS_URL", ...
 * @throws ConfigError (exit code 2) saying what is wrong and what a good value looks like
 */
export function checkRedisUrl(value: string, setting: string): string {
	const trimmed = value.trim();
	const problem = problemOf(trimmed);
	if (problem !== undefined) {
		throw new ConfigError(setting, `${setting} is not a usable Redis URL: ${problem}; ${GOOD}`);
	}

	return trimmed.replace(/^rediss?:/i, scheme => scheme.toLowerCase());
}
