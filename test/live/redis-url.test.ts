import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {ConfigError, InputError} from '../../source/core/errors.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {ConfigError as LibraryConfigError} from '../../source/index.js';
import {openPublisher} from '../../source/live/open-publisher.js';
import {checkRedisUrl} from '../../source/live/redis-url.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Issue 14, item 5: a malformed Redis URL stopped recording. `exec` recorded
 * nothing and blamed "the run index", the emitter crashed at open with an
 * uncaught TypeError (ioredis' new URL), `serve` exited 70. Config errors are
 * usage errors now: exit 2, one line naming the setting and a good value.
 */

const GOOD = /; expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\], rediss:\/\/… for TLS, or a unix socket path such as \/run\/redis\/redis\.sock$/;

test('config errors (issue 14.5): what is wrong with each malformed Redis URL, worked out by hand', () => {
	const cases: Array<[string, string]> = [
		['redis://cache:abc', 'port "abc" is not a number'],
		['redis://cache:99999', 'port 99999 is not from 1 to 65535'],
		['redis://cache:0', 'port 0 is not from 1 to 65535'],
		['http://cache:6379', 'scheme "http:" is not redis: or rediss:'],
		// ioredis would take it, but as redis://http, socket path "//x": a connection to the wrong place.
		['http://x', 'scheme "http:" is not redis: or rediss:'],
		['cache:6379', 'no scheme; write redis://cache:6379'],
		['not a url', 'not a URL'],
		['redis://', 'no host'],
		['redis://cache/db1', 'the path after the host must be a database number, e.g. /0'],
		['redis://user:50%off@cache', 'the user name or password has a "%" not followed by two hex digits (write a literal % as %25)'],
		['redis://a:6379,cache:6380', 'node 2 of 2: no scheme; write redis://cache:6380'],
		['redis://a:6379,/run/redis.sock', 'node 2 of 2: a Redis Cluster node must be a redis:// or rediss:// URL, not a socket path'],
		['redis://a:6379/2,redis://b:6379/2', 'node 1 of 2: a Redis Cluster has database 0 only: drop the /db from the node URLs'],
		['redis://:pw@a:6379,redis://b:6379', 'the Redis Cluster node URLs differ in scheme, user or password; the client uses one set for every node'],
		['rediss://a:6379,redis://b:6379', 'the Redis Cluster node URLs differ in scheme, user or password; the client uses one set for every node'],
		[' , ', 'no URL'],
	];
	for (const [value, problem] of cases) {
		assert.throws(
			() => checkRedisUrl(value, 'TRACEDECK_REDIS_URL'),
			(error: unknown) => {
				assert.ok(error instanceof ConfigError && error instanceof InputError, value);
				assert.equal(error.exitCode, 2);
				assert.equal(error.setting, 'TRACEDECK_REDIS_URL');
				assert.ok(error.message.startsWith(`TRACEDECK_REDIS_URL is not a usable Redis URL: ${problem}; `), `${value}: ${error.message}`);
				assert.match(error.message, GOOD);
				return true;
			},
		);
	}
});

test('config errors (issue 14.5): good Redis URLs pass, the scheme in lower case so that REDISS:// still means TLS', () => {
	for (const value of ['redis://127.0.0.1:6379', 'redis://cache', 'rediss://user:p%40ss@cache:6380/2', 'redis://[::1]:6379/0', 'redis://cache?family=6', '/run/redis/redis.sock']) {
		assert.equal(checkRedisUrl(value, '--redis'), value);
	}

	assert.equal(checkRedisUrl('REDISS://cache:6380', '--redis'), 'rediss://cache:6380');
	assert.equal(checkRedisUrl('  redis://cache  ', '--redis'), 'redis://cache');
});

test('config errors (issue 14.5): the message never repeats a password', () => {
	for (const value of ['redis://ops:hunter2@cache:99999', 'redis://ops:hunter2@cache:x', 'redis://ops:hunter2@ca che', 'ftp://ops:hunter2@cache', 'ops:hunter2@cache']) {
		assert.throws(
			() => checkRedisUrl(value, '--redis'),
			(error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
			value,
		);
	}
});

test('config errors (issue 14.5): serve with a malformed --redis or TRACEDECK_REDIS_URL exits 2 with one line naming it (was 70)', () => {
	const home = tempHome();
	const flag = runCli(['serve', '--port', '0', '--redis', 'redis://cache:abc'], {home});
	assert.equal(flag.code, 2, flag.stderr);
	assert.match(flag.stderr, /^tracedeck: --redis is not a usable Redis URL: port "abc" is not a number; expected [^\n]+\n$/);
	const env = runCli(['serve', '--port', '0'], {home, env: {TRACEDECK_REDIS_URL: 'redis://cache:99999'}});
	assert.equal(env.code, 2, env.stderr);
	assert.match(env.stderr, /^tracedeck: TRACEDECK_REDIS_URL is not a usable Redis URL: port 99999 is not from 1 to 65535; expected [^\n]+\n$/);
	assert.doesNotMatch(flag.stderr + env.stderr, /internal error/);
	assert.ok(!fs.existsSync(path.join(home, 'runs.db')), 'refused before the index was opened');
});

test('config errors (issue 14.5): runs tail and the console refuse a malformed TRACEDECK_REDIS_URL with exit 2', () => {
	const home = tempHome();
	for (const args of [['runs', 'tail', 'run-x'], []]) {
		const result = runCli(args, {home, env: {TRACEDECK_REDIS_URL: 'http://cache:6379'}});
		assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
		assert.match(result.stderr, /^tracedeck: TRACEDECK_REDIS_URL is not a usable Redis URL: scheme "http:" is not redis: or rediss:; expected [^\n]+\n$/);
	}
});

test('config errors (issue 14.5): exec with a malformed Redis URL warns, runs the step and records it in SQLite', () => {
	const home = tempHome();
	const step = runCli(['exec', '--run', 'run-bad-redis', '--step', 'build', '--', process.execPath, '-e', 'console.log("built"); process.exit(5)'], {home, env: {TRACEDECK_REDIS_URL: 'redis://:bad:port'}});
	assert.equal(step.code, 5, "the step's own exit code");
	assert.equal(step.stdout, 'built\n');
	assert.match(step.stderr, /^tracedeck: warning: TRACEDECK_REDIS_URL is not a usable Redis URL: port "port" is not a number; expected .*; recording without live streams$/m);
	assert.doesNotMatch(step.stderr, /run index/, 'no longer blamed on the run index');
	const finish = runCli(['exec', '--run', 'run-bad-redis', '--finish', '--redis', 'redis://cache:abc'], {home});
	assert.equal(finish.code, 0, finish.stderr);
	assert.match(finish.stderr, /--redis is not a usable Redis URL/);
	assert.match(finish.stdout, /^run run-bad-redis finished: failed/);
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun('run-bad-redis');
		assert.equal(run.status, 'failed');
		assert.deepEqual(
			index
				.spans(run.trace_id)
				.filter(span => span.name === 'build')
				.map(span => span.status),
			['failed'],
		);
	} finally {
		index.close();
	}
});

test('config errors (issue 14.5): the emitter throws a ConfigError at open, before opening anything; the library exports it', async () => {
	const home = tempHome();
	await assert.rejects(TraceEmitter.open({home, redisUrl: 'redis://cache:abc'}), (error: unknown) => {
		assert.ok(error instanceof ConfigError && error instanceof LibraryConfigError && error instanceof InputError);
		assert.equal(error.setting, 'the redisUrl option of TraceEmitter.open');
		assert.match(error.message, /port "abc" is not a number/);
		return true;
	});
	const saved = process.env['TRACEDECK_REDIS_URL'];
	process.env['TRACEDECK_REDIS_URL'] = 'http://x';
	try {
		await assert.rejects(TraceEmitter.open({home}), (error: unknown) => error instanceof ConfigError && error.setting === 'TRACEDECK_REDIS_URL');
		assert.deepEqual(fs.readdirSync(home), [], 'refused before the run index was opened');
		// An explicit empty redisUrl still means SQLite alone, whatever the environment says.
		const emitter = await TraceEmitter.open({home, redisUrl: ''});
		await emitter.close();
	} finally {
		if (saved === undefined) {
			delete process.env['TRACEDECK_REDIS_URL'];
		} else {
			process.env['TRACEDECK_REDIS_URL'] = saved;
		}
	}

	await assert.rejects(openPublisher('redis://cache:99999'), (error: unknown) => error instanceof ConfigError && /^the Redis URL is not a usable Redis URL: port 99999/.test(error.message));
});
