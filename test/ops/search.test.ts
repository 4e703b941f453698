import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {APPLICATION_ID, MIGRATIONS} from '../../source/store/migrations.js';
import {RunIndex} from '../../source/store/run-index.js';
import {ftsPhrase, searchRuns} from '../../source/store/search.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {DAY, deployEvents, HOUR} from './deploys.js';

const NOW = Date.now();

function seed(index: RunIndex): void {
	index.appendEvents(
		deployEvents({
			trace: 'p1',
			runId: 'run-prod-1',
			env: 'prod',
			startMs: NOW - 2 * HOUR,
			duration: 60,
			status: 'failed',
			stages: [
				{name: 'build', start: 0, end: 10},
				{name: 'migrate database', start: 10, end: 50, status: 'failed', error: 'connection refused by db-1:5432', stderr: ['psql: error: connection to server failed', '\u001b[31mFATAL\u001b[0m: 100% of "pool" used']},
			],
		}),
	);
	index.appendEvents(deployEvents({trace: 'd1', runId: 'run-dev-1', env: 'dev', startMs: NOW - 3 * DAY, duration: 60, stages: [{name: 'migrate database', start: 0, end: 20, stderr: ['connection refused, retrying']}]}));
}

test('full-text search finds step names, errors and stderr lines, newest run first', () => {
	const index = RunIndex.open(tempHome());
	seed(index);
	const hits = searchRuns(index.db, {pattern: 'connection refused'});
	assert.deepEqual(
		hits.map(h => [h.run_id, h.path, h.field]),
		[
			['run-prod-1', 'migrate database', 'error'],
			['run-dev-1', 'migrate database', 'stderr'],
		],
	);
	assert.equal(hits[0]!.snippet, '«connection refused» by db-1:5432');
	assert.deepEqual(
		searchRuns(index.db, {pattern: 'migrate'}).map(h => [h.run_id, h.field]),
		[
			['run-prod-1', 'name'],
			['run-dev-1', 'name'],
		],
	);
	assert.deepEqual(
		searchRuns(index.db, {pattern: 'connection refused', env: 'dev'}).map(h => h.run_id),
		['run-dev-1'],
	);
	assert.deepEqual(
		searchRuns(index.db, {pattern: 'connection refused', sinceMs: NOW - DAY}).map(h => h.run_id),
		['run-prod-1'],
	);
	assert.deepEqual(searchRuns(index.db, {pattern: 'conn*', limit: 2}).length, 2);
	index.close();
});

test('the pattern is a phrase: FTS syntax in it is searched for, not obeyed', () => {
	assert.equal(ftsPhrase('a "b" OR c'), '"a ""b"" OR c"');
	assert.equal(ftsPhrase('refus*'), '"refus" *');
	assert.throws(() => ftsPhrase('":"'), /no word to search for; use --like/);
	const index = RunIndex.open(tempHome());
	seed(index);
	// NEAR(, column filters and quotes would be syntax errors or operators if passed through.
	for (const pattern of ['NEAR(connection', 'error: connection', '"pool"', 'build OR migrate', '-refused']) {
		assert.doesNotThrow(() => searchRuns(index.db, {pattern}), pattern);
	}

	assert.equal(searchRuns(index.db, {pattern: 'build OR migrate'}).length, 0, 'OR is a word here');
	index.close();
});

test('--like matches substrings with % and _ taken literally; snippets are sanitized', () => {
	const index = RunIndex.open(tempHome());
	seed(index);
	const hits = searchRuns(index.db, {pattern: '100%', like: true});
	assert.deepEqual(
		hits.map(h => [h.run_id, h.field]),
		[['run-prod-1', 'stderr']],
	);
	assert.equal(hits[0]!.snippet, '[31mFATAL[0m: «100%» of "pool" used'.replace(/\[\d+m/g, ''));
	assert.equal(searchRuns(index.db, {pattern: '1_0', like: true}).length, 0, '_ is not a wildcard');
	assert.deepEqual(
		searchRuns(index.db, {pattern: ':5432', like: true}).map(h => h.field),
		['error'],
	);
	assert.deepEqual(
		searchRuns(index.db, {pattern: 'GRATE DATA', like: true}).map(h => h.run_id),
		['run-prod-1', 'run-dev-1'],
	);
	index.close();
});

test('the index follows deletes, and migration 2 indexes what a version-1 index already held', () => {
	const home = tempHome();
	// A version-1 run index with data, as an older tracedeck left it.
	const db = new Database(path.join(home, 'runs.db'));
	db.exec(MIGRATIONS[0]!);
	db.pragma(`application_id = ${APPLICATION_ID}`);
	db.pragma('user_version = 1');
	const old = new RunIndex(db);
	seed(old);
	old.close();

	const index = RunIndex.open(home);
	assert.equal(index.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
	assert.equal(searchRuns(index.db, {pattern: 'connection refused'}).length, 2);
	index.db.transaction(() => {
		index.db.prepare("DELETE FROM events WHERE trace_id = 'd1'").run();
		index.db.prepare("DELETE FROM spans WHERE trace_id = 'd1'").run();
	})();
	assert.deepEqual(
		searchRuns(index.db, {pattern: 'connection refused'}).map(h => h.run_id),
		['run-prod-1'],
	);
	index.db.exec("INSERT INTO log_search (log_search) VALUES ('integrity-check'); INSERT INTO span_search (span_search) VALUES ('integrity-check');");
	// The deployment counters were backfilled too.
	assert.equal(
		index.db
			.prepare("SELECT value FROM metric_counters WHERE name = 'deployment_total' AND labels = ?")
			.pluck()
			.get(JSON.stringify({env: 'prod', status: 'failed'})),
		1,
	);
	index.close();
});

test('tracedeck runs grep: table, --json, and a clear error without a pattern', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	seed(index);
	index.close();
	const text = runCli(['runs', 'grep', 'connection', 'refused', '--env', 'prod'], {home});
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /^RUN\s+STEP\s+IN\s+MATCH\nrun-prod-1\s+migrate database\s+error\s+«connection refused» by db-1:5432\n$/);
	const json = runCli(['runs', 'grep', 'pool', '--json'], {home});
	assert.equal(json.code, 0, json.stderr);
	const hits = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
	assert.equal(hits.length, 1);
	assert.equal(hits[0]!['snippet'], 'FATAL: 100% of "«pool»" used');
	// A word glued to a colour code ("\e[31mFATAL") is one token to the full-text index; --like finds it.
	const glued = runCli(['runs', 'grep', '--like', 'FATAL', '--json'], {home});
	assert.equal((JSON.parse(glued.stdout) as unknown[]).length, 1);
	assert.ok(!json.stdout.includes('\u001b'), 'no escape sequence reaches the output');
	const missing = runCli(['runs', 'grep'], {home});
	assert.equal(missing.code, 2);
	assert.equal(missing.stderr, 'tracedeck: missing the pattern to search for; see --help\n');
	const help = runCli(['runs', 'grep', '--help'], {home});
	assert.equal(help.code, 0);
	assert.match(help.stdout, /--like/);
});
