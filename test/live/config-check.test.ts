import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseConfig} from '../../source/live/config-file.js';

/*
 * The config file's checks, rule by rule, through parseConfig (no file is
 * read). config-file.test.ts covers loading, precedence and the messages a
 * user meets first; these pin every other rule the zod schema had, and the
 * shape of what passes.
 */

const FILE = '/etc/td/config.toml';

function problem(text: string): string {
	try {
		parseConfig(text, FILE);
	} catch (error) {
		return (error as Error).message;
	}

	return assert.fail(`no error for ${JSON.stringify(text)}`);
}

test('config check: each string key refuses every other type, naming the key and its line', () => {
	for (const key of ['home', 'redis', 'db', 'token', 'stuck_after']) {
		for (const value of ['3', '1.5', 'true', '["a"]', '{a = "b"}', '1979-05-27', '1979-05-27T07:32:00Z']) {
			assert.equal(problem(`# a comment\n${key} = ${value}\n`), `${FILE}:2: ${key} must be a string`, `${key} = ${value}`);
		}
	}
});

test('config check: a table where a string belongs is refused (without a line when no "key =" line sets it)', () => {
	assert.equal(problem('[home]\npath = "/a"\n'), `${FILE}: home must be a string`);
	assert.equal(problem('[[token]]\nx = "y"\n'), `${FILE}: token must be a string`);
	assert.equal(problem('db = {url = "pg://x"}\n'), `${FILE}:1: db must be a string`);
});

test('config check: home and token must not be empty; an empty redis or db is allowed (it turns them off)', () => {
	assert.equal(problem('home = ""\n'), `${FILE}:1: home must not be empty`);
	assert.equal(problem('token = ""\n'), `${FILE}:1: token must not be empty`);
	assert.deepEqual(parseConfig('redis = ""\ndb = ""\n', FILE), {file: FILE, redis: '', db: '', links: {}, filters: {}, colors: {}});
});

test('config check: [links], [filters] and [colors] must be tables, not a string, an array, an array of tables or a date', () => {
	for (const key of ['links', 'filters', 'colors']) {
		for (const value of ['"x"', '3', '["a"]', '1979-05-27T07:32:00Z']) {
			assert.equal(problem(`${key} = ${value}\n`), `${FILE}:1: ${key} must be a table`, `${key} = ${value}`);
		}

		assert.equal(problem(`[[${key}]]\nx = "y"\n`), `${FILE}: ${key} must be a table`);
	}
});

test('config check: a table nested under [links], [filters] or [colors] is a value that is not a string', () => {
	assert.equal(problem('[links]\nlogs = "https://l/{trace_id}"\n\n[links.more]\nx = "https://m"\n'), `${FILE}: links.more must be a string`);
	assert.equal(problem('[links]\nmore = {x = "https://m"}\n'), `${FILE}:2: links.more must be a string`);
	assert.equal(problem('[filters.prod]\nq = "env:prod"\n'), `${FILE}: filters.prod must be a string`);
	assert.equal(problem('[colors]\nfailed = {fg = "red"}\n'), `${FILE}:2: colors.failed must be a string`);
});

test('config check: the entries of [links], [filters] and [colors] are strings', () => {
	assert.equal(problem('[links]\nlogs = 3\n'), `${FILE}:2: links.logs must be a string`);
	assert.equal(problem('[filters]\nprod = ["env:prod"]\n'), `${FILE}:2: filters.prod must be a string`);
	assert.equal(problem('[colors]\naccent = true\n'), `${FILE}:2: colors.accent must be a string`);
	assert.equal(problem('[colors]\naccent = ""\n'), `${FILE}:2: colors.accent must not be empty`);
});

test('config check: a link name is letters, digits, _ . or -; a filter name is not empty', () => {
	assert.equal(problem('[links]\n"my logs" = "https://l"\n'), `${FILE}:2: links.my logs a link name is letters, digits, _ . or -`);
	assert.equal(problem('[filters]\n"" = "env:prod"\n'), `${FILE}:2: filters. a filter name must not be empty`);
	assert.deepEqual(parseConfig('[links]\n"a.b" = "https://a"\nx-1_y = "https://x"\n\n[filters]\n"my filter" = ""\n', FILE).links, {'a.b': 'https://a', 'x-1_y': 'https://x'});
});

test('config check: a link names the first unknown placeholder; a hex colour is #rgb or #rrggbb, a name is left to the console', () => {
	assert.match(problem('[links]\nx = "https://l/{run_id}{nope}{other}"\n'), /:2: links\.x unknown placeholder \{nope\}; the placeholders are \{run_id\} \{trace_id\}/);
	assert.equal(problem('[colors]\nfailed = "red"\nmuted = "#12345"\n'), `${FILE}: colors a hex colour is #rgb or #rrggbb`);
	assert.deepEqual(parseConfig('[colors]\nfailed = "#f00"\nmuted = "#123456"\nmark = "notAColour"\n', FILE).colors, {failed: '#f00', muted: '#123456', mark: 'notAColour'});
});

test('config check: the first problem is the first known key that is wrong, then an unknown key, then the hex check', () => {
	assert.equal(problem('bogus = 1\nhome = 3\n'), `${FILE}:2: home must be a string`, 'a bad value before an unknown key, wherever it is in the file');
	assert.equal(problem('[colors]\nfailure = "red"\nfailed = 3\n'), `${FILE}:3: colors.failed must be a string`);
	assert.match(problem('[colors]\nfailed = "#12"\nfailure = "red"\n'), /:3: unknown key "colors\.failure"/, 'an unknown role before the hex check');
	assert.equal(problem('[colors]\nfailed = "#12"\n\n[links]\nx = 3\n'), `${FILE}:5: links.x must be a string`, '[links] before the hex check in [colors]');
	assert.match(problem('[colors]\n__proto__ = "red"\n'), /:2: unknown key "colors\.__proto__"; the keys are success, failed/);
	assert.match(problem('__proto__ = "x"\n'), /:1: unknown key "__proto__"; the keys are home, redis, db, token, endpoint, stuck_after, \[links\], \[filters\], \[colors\]$/);
});

test('config check: what passes is plain objects, keys in a fixed order, colours in role order, a "__proto__" link dropped', () => {
	const config = parseConfig('[colors]\naccent = "blue"\nfailed = "red"\n\n[links]\n__proto__ = "x"\nlogs = "https://l"\n\n[filters]\nf = "q"\n', FILE);
	assert.equal(JSON.stringify(parseConfig('stuck_after = "1m"\ntoken = "t"\nhome = "/h"\ndb = "d"\nredis = "r"\n', FILE)), JSON.stringify({file: FILE, redis: 'r', db: 'd', token: 't', stuck_after: '1m', home: '/h', links: {}, filters: {}, colors: {}}));
	assert.deepEqual(config, {file: FILE, links: {logs: 'https://l'}, filters: {f: 'q'}, colors: {accent: 'blue', failed: 'red'}});
	assert.deepEqual(Object.keys(config.colors), ['failed', 'accent']);
});
