import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cliEnv, cliEnvChanges} from './cli-env.js';

/**
 * Three runners wrote this set-up three ways and disagreed: from dist the
 * test could not turn NO_COLOR off, from source it could not set
 * TRACEDECK_REDIS_URL (cleared after its env), and only exec's tests kept the
 * caller's TRACEDECK_RUN_ID and GITHUB_ENV out. Now: defaults, then the
 * test's env, then home.
 */
test('cli env: no colour and none of the caller’s settings, then the test’s env, then home', () => {
	assert.deepEqual(cliEnvChanges(), {
		NO_COLOR: '1',
		TRACEDECK_REDIS_URL: undefined,
		TRACEDECK_REDIS_CLUSTER: undefined,
		TRACEDECK_DATABASE_URL: undefined,
		TRACEDECK_ENDPOINT: undefined,
		TRACEDECK_CONFIG: undefined,
		TRACEDECK_RUN_ID: undefined,
		GITHUB_ENV: undefined,
		XDG_CONFIG_HOME: '/nonexistent/tracedeck-test-config',
	});
	const changes = cliEnvChanges({home: '/tmp/h', env: {TRACEDECK_REDIS_URL: 'redis://r:6379', NO_COLOR: undefined, TRACEDECK_HOME: '/ignored'}});
	assert.equal(changes['TRACEDECK_REDIS_URL'], 'redis://r:6379');
	assert.equal(changes['NO_COLOR'], undefined);
	assert.equal(changes['TRACEDECK_HOME'], '/tmp/h');
});

test('cli env: a child’s environment is this one with the changes applied, unset keys absent', () => {
	const saved = process.env['GITHUB_ENV'];
	process.env['GITHUB_ENV'] = '/tmp/github-env';
	try {
		const env = cliEnv({home: '/tmp/h', env: {EXTRA: 'x'}});
		assert.equal('GITHUB_ENV' in env, false);
		assert.equal(env['TRACEDECK_HOME'], '/tmp/h');
		assert.equal(env['EXTRA'], 'x');
		assert.equal(env['NO_COLOR'], '1');
		assert.equal(env['PATH'], process.env['PATH']);
	} finally {
		if (saved === undefined) {
			delete process.env['GITHUB_ENV'];
		} else {
			process.env['GITHUB_ENV'] = saved;
		}
	}
});
