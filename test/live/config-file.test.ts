import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {configLocation, forgetConfig, loadConfig, saveFilter, setConfigFlag} from '../../source/live/config-file.js';
import {stuckAfterMs} from '../../source/live/active-runs.js';
import {DEFAULT_HOME, homeSetting, resolveDatabaseUrl, resolveRedisUrl, resolveToken} from '../../source/live/settings.js';
import {tempHome} from '../helpers/temp-home.js';

const dir = tempHome('tracedeck-config-');
let count = 0;

/** A config file of its own for each test (the cache is per file), and the env that points at it. */
function withFile(text: string): {file: string; env: NodeJS.ProcessEnv} {
	const file = path.join(dir, `config-${++count}.toml`);
	fs.writeFileSync(file, text);
	return {file, env: {TRACEDECK_CONFIG: file}};
}

const FULL = `# settings for the on-call laptop
home = "/srv/from-file"
redis = "redis://file:6379"
db = "postgres://file@db:5432/td"
token = "file-token"
stuck_after = "10m"

[links]
logs = "https://logs.example/?trace={trace_id}&span={span_id}"

[filters]
prod-failed = "status:failed env:prod"

[colors]
failed = "#ff5555"
accent = "blueBright"
`;

test('config: where the file is: --config, else TRACEDECK_CONFIG, else $XDG_CONFIG_HOME, else ~/.config', () => {
	assert.deepEqual(configLocation({XDG_CONFIG_HOME: '/x/cfg'}), {file: path.join('/x/cfg', 'tracedeck', 'config.toml'), source: 'default'});
	assert.deepEqual(configLocation({XDG_CONFIG_HOME: 'relative'}), {file: path.join(os.homedir(), '.config', 'tracedeck', 'config.toml'), source: 'default'});
	assert.deepEqual(configLocation({TRACEDECK_CONFIG: '/e.toml', XDG_CONFIG_HOME: '/x'}), {file: path.resolve('/e.toml'), source: 'env'});
	setConfigFlag('/f.toml');
	try {
		assert.deepEqual(configLocation({TRACEDECK_CONFIG: '/e.toml'}), {file: path.resolve('/f.toml'), source: 'flag'});
	} finally {
		setConfigFlag(undefined);
	}
});

test('config: flag > env > file > default, for home, redis, db, token and stuck_after', () => {
	const {env} = withFile(FULL);
	assert.deepEqual(homeSetting('/flag', {...env, TRACEDECK_HOME: '/env'}), {home: path.resolve('/flag'), source: 'flag'});
	assert.deepEqual(homeSetting(undefined, {...env, TRACEDECK_HOME: '/env'}), {home: path.resolve('/env'), source: 'env'});
	assert.deepEqual(homeSetting(undefined, env), {home: '/srv/from-file', source: 'file'});
	assert.deepEqual(homeSetting(undefined, env, '/demo'), {home: path.resolve('/demo'), source: 'default'}, 'a caller with its own default (demo) skips the file');

	assert.equal(resolveRedisUrl('redis://flag:1', {...env, TRACEDECK_REDIS_URL: 'redis://env:1'}), 'redis://flag:1');
	assert.equal(resolveRedisUrl(undefined, {...env, TRACEDECK_REDIS_URL: 'redis://env:1'}), 'redis://env:1');
	assert.equal(resolveRedisUrl(undefined, {...env, TRACEDECK_REDIS_URL: ''}), undefined, 'an empty variable still turns Redis off');
	assert.equal(resolveRedisUrl(undefined, env), 'redis://file:6379');

	assert.equal(resolveDatabaseUrl('postgres://flag/x', {...env, TRACEDECK_DATABASE_URL: 'postgres://env/x'}), 'postgres://flag/x');
	assert.equal(resolveDatabaseUrl(undefined, {...env, TRACEDECK_DATABASE_URL: 'postgres://env/x'}), 'postgres://env/x');
	assert.equal(resolveDatabaseUrl(undefined, env), 'postgres://file@db:5432/td');

	assert.equal(resolveToken('flag-token', {...env, TRACEDECK_TOKEN: 'env-token'}), 'flag-token');
	assert.equal(resolveToken(undefined, {...env, TRACEDECK_TOKEN: 'env-token'}), 'env-token');
	assert.equal(resolveToken(undefined, {...env, TRACEDECK_TOKEN: ''}), 'file-token', 'an empty variable does not turn off the file token');
	assert.equal(resolveToken(undefined, env), 'file-token');

	assert.equal(stuckAfterMs({...env, TRACEDECK_STUCK_AFTER: '30s'}), 30_000);
	assert.equal(stuckAfterMs(env), 600_000);
});

test('config: without a file, the defaults; a file named by TRACEDECK_CONFIG must exist', () => {
	const env = {XDG_CONFIG_HOME: path.join(dir, 'no-such-xdg')};
	assert.deepEqual(homeSetting(undefined, env), {home: DEFAULT_HOME, source: 'default'});
	assert.equal(resolveRedisUrl(undefined, env), undefined);
	assert.equal(stuckAfterMs(env), 5 * 60_000);
	assert.throws(() => loadConfig({TRACEDECK_CONFIG: path.join(dir, 'missing.toml')}), /missing\.toml \(from TRACEDECK_CONFIG\) does not exist/);
});

test('config: a relative or ~ home in the file is taken from the file folder or the user home', () => {
	assert.equal(homeSetting(undefined, withFile('home = "td"\n').env).home, path.join(dir, 'td'));
	assert.equal(homeSetting(undefined, withFile('home = "~/td"\n').env).home, path.join(os.homedir(), 'td'));
});

test('config: broken TOML is one line naming the file, its line and column', () => {
	const {file, env} = withFile('home = "/a"\nstuck_after = = "5m"\n');
	assert.throws(
		() => loadConfig(env),
		(error: Error & {exitCode?: number}) => {
			assert.equal(error.message, `${file}:2:15: invalid value`);
			assert.equal(error.exitCode, 2);
			return true;
		},
	);
});

test('config: an unknown key is an error naming it and its line, top level or in a table', () => {
	const top = withFile('home = "/a"\nstuck_afer = "5m"\n');
	assert.throws(() => loadConfig(top.env), new RegExp(`^ConfigError: ${regexText(top.file)}:2: unknown key "stuck_afer"; the keys are home, redis`));
	const colors = withFile('[colors]\nfailed = "red"\nfailure = "red"\n');
	assert.throws(() => loadConfig(colors.env), new RegExp(`${regexText(colors.file)}:3: unknown key "colors.failure"; the keys are success, failed`));
});

test('config: bad values name their key: a duration, an unknown placeholder, a hex colour, a wrong type', () => {
	assert.throws(() => loadConfig(withFile('stuck_after = "soon"\n').env), /:1: stuck_after is not a duration/);
	assert.throws(() => loadConfig(withFile('stuck_after = 10\n').env), /:1: stuck_after must be a string/);
	assert.throws(() => loadConfig(withFile('[links]\nlogs = "https://l/?t={trace}"\n').env), /:2: links\.logs unknown placeholder \{trace\}/);
	assert.throws(() => loadConfig(withFile('[colors]\nfailed = "#ff55"\n').env), /colors a hex colour is #rgb or #rrggbb/);
	assert.throws(() => loadConfig(withFile('links = "x"\n').env), /:1: links must be a table/);
	assert.throws(() => resolveRedisUrl(undefined, withFile('redis = "redis://x:abc"\n').env), /redis in .*config-\d+\.toml/);
});

test('config: the file is read once per process', () => {
	const {file, env} = withFile('stuck_after = "2m"\n');
	assert.equal(stuckAfterMs(env), 120_000);
	fs.writeFileSync(file, 'stuck_after = "3m"\n');
	assert.equal(stuckAfterMs(env), 120_000);
	forgetConfig(file);
	assert.equal(stuckAfterMs(env), 180_000);
});

test('config: saveFilter keeps the rest of the file, replaces a name, adds [filters], and creates a missing file 0600', () => {
	const {file, env} = withFile(`# mine\nhome = "/a" # trailing\n\n[filters]\nold = "env:dev"\n\n[colors]\nfailed = "red"\n`);
	saveFilter('prod', 'status:failed env:prod', env);
	saveFilter('old', 'env:"dev" \\ x', env);
	assert.equal(fs.readFileSync(file, 'utf8'), `# mine\nhome = "/a" # trailing\n\n[filters]\nold = "env:\\"dev\\" \\\\ x"\nprod = "status:failed env:prod"\n\n[colors]\nfailed = "red"\n`);
	assert.deepEqual(loadConfig(env).filters, {old: 'env:"dev" \\ x', prod: 'status:failed env:prod'});
	forgetConfig(file);
	assert.deepEqual(loadConfig(env).filters, {old: 'env:"dev" \\ x', prod: 'status:failed env:prod'}, 'what was written reads back');

	const plain = withFile('home = "/a"\n');
	saveFilter('my filter', 'q', plain.env);
	assert.equal(fs.readFileSync(plain.file, 'utf8'), 'home = "/a"\n\n[filters]\n"my filter" = "q"\n');

	const fresh = path.join(dir, 'fresh', 'tracedeck', 'config.toml');
	saveFilter('x', 'status:running', {XDG_CONFIG_HOME: path.join(dir, 'fresh')});
	assert.equal(fs.readFileSync(fresh, 'utf8'), '[filters]\nx = "status:running"\n');
	assert.equal(fs.statSync(fresh).mode & 0o777, 0o600);
});

function regexText(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
