import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {DEFAULT_HOME, homeSetting, resolveEndpoint, resolveHome, resolveRedisUrl} from '../../source/live/settings.js';

/*
 * Issue 15: the home was looked up three times (commands/settings.ts, the
 * emitter, demo's "where did it come from"), and they disagreed on an empty
 * --home with TRACEDECK_HOME set: the CLI took ~/.tracedeck, demo named
 * TRACEDECK_HOME. One lookup now gives the home and its source together.
 */

test('settings: --home, else TRACEDECK_HOME, else the default; an empty --home is not given', () => {
	const env = {TRACEDECK_HOME: '/srv/td'};
	assert.deepEqual(homeSetting('/a', env), {home: path.resolve('/a'), source: 'flag'});
	assert.deepEqual(homeSetting(undefined, env), {home: path.resolve('/srv/td'), source: 'env'});
	assert.deepEqual(homeSetting('', env), {home: path.resolve('/srv/td'), source: 'env'});
	assert.deepEqual(homeSetting('', {TRACEDECK_HOME: ''}), {home: DEFAULT_HOME, source: 'default'});
	assert.deepEqual(homeSetting(undefined, {}, '/demo'), {home: path.resolve('/demo'), source: 'default'});
	assert.equal(resolveHome('', env), homeSetting('', env).home);
});

test('settings: the Redis URL from the flag, else TRACEDECK_REDIS_URL; empty is off; a bad one names where it came from', () => {
	assert.equal(resolveRedisUrl(undefined, {}), undefined);
	assert.equal(resolveRedisUrl('', {TRACEDECK_REDIS_URL: 'redis://env:6379'}), undefined);
	assert.equal(resolveRedisUrl(undefined, {TRACEDECK_REDIS_URL: 'redis://env:6379'}), 'redis://env:6379');
	assert.throws(() => resolveRedisUrl('redis://x:abc', {}), /^ConfigError: --redis /);
	assert.throws(() => resolveRedisUrl(undefined, {TRACEDECK_REDIS_URL: 'redis://x:abc'}), /TRACEDECK_REDIS_URL/);
	assert.throws(() => resolveRedisUrl('redis://x:abc', {}, 'the redisUrl option of TraceEmitter.open'), /the redisUrl option of TraceEmitter\.open/);
});

test('settings: the endpoint from --endpoint, else TRACEDECK_ENDPOINT, else the config file, else none; only http(s), no credentials', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-endpoint-'));
	const config = path.join(dir, 'config.toml');
	fs.writeFileSync(config, 'endpoint = "https://file.internal:4318/"\n');
	try {
		const file = {TRACEDECK_CONFIG: config};
		assert.equal(resolveEndpoint(undefined, {XDG_CONFIG_HOME: dir}), undefined);
		assert.equal(resolveEndpoint(undefined, file), 'https://file.internal:4318');
		assert.equal(resolveEndpoint(undefined, {...file, TRACEDECK_ENDPOINT: 'http://env:4318'}), 'http://env:4318');
		assert.equal(resolveEndpoint('https://flag:4318', {...file, TRACEDECK_ENDPOINT: 'http://env:4318'}), 'https://flag:4318');
		assert.equal(resolveEndpoint(undefined, {...file, TRACEDECK_ENDPOINT: ''}), undefined, 'an empty variable is off');
		assert.throws(() => resolveEndpoint('tracedeck.internal:4318', {}), /^ConfigError: --endpoint must be an http/);
		assert.throws(() => resolveEndpoint(undefined, {TRACEDECK_ENDPOINT: 'not a url'}), /TRACEDECK_ENDPOINT is not a URL/);
		assert.throws(() => resolveEndpoint('https://u:p@host:4318', {}), /TRACEDECK_TOKEN/);
		assert.throws(() => resolveEndpoint('x', {}, 'the endpoint option of TraceEmitter.open'), /the endpoint option of TraceEmitter\.open/);
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
});
