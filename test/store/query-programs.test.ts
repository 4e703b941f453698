import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {canonicalRuns} from '../../fixtures/canonical.js';
import {analyzeRuns} from '../../source/core/analytics.js';
import {QUERY_PROGRAMS} from '../../source/store/query-programs.js';
import {parseRetention} from '../../source/store/retention.js';
import type {RunListing, RunOrder} from '../../source/store/run-page.js';
import type {SqlDialect, SqlProgram, TransactionMode} from '../../source/store/sql-program.js';
import {runSqliteQuery} from '../../source/store/sqlite-query.js';
import {parseRunQuery} from '../../source/tui/state/run-filter.js';
import {failedDeploy} from '../helpers/events.js';
import {pgQueryDb, type PgQueryDb} from '../helpers/pg-query-db.js';
import {tempIndex} from '../helpers/temp-index.js';

// The same query programs on SQLite and on PostgreSQL, over the same rows
// (SQLite's, copied into PostgreSQL as they are): the answers must be equal.
const events = [...Object.values(canonicalRuns()).flat(), ...failedDeploy('t-a', 'run-20261124-030000-aaa1111'), ...failedDeploy('t-b', 'run-20261124-030000-bbb2222')];
const sqlite = tempIndex(events);
let pgDb: PgQueryDb | null = null;

before(async () => {
	pgDb = await pgQueryDb();
	if (pgDb === null) {
		console.log('# no PostgreSQL server at 127.0.0.1:5432: the PostgreSQL half of these tests is skipped');
		return;
	}

	await pgDb.copyFrom(sqlite.index.db);
});

after(async () => {
	await pgDb?.drop();
	sqlite.cleanup();
});

/** A program on both engines: SQLite's answer, then PostgreSQL's (undefined without a server). */
async function both<T>(program: (dialect: SqlDialect) => SqlProgram<T>, mode: TransactionMode = 'read'): Promise<{lite: T; pg: T | undefined}> {
	const lite = runSqliteQuery(sqlite.index.db, () => program('sqlite'), mode);
	const pg = pgDb === null ? undefined : await pgDb.run(() => program('postgres'), mode);
	return {lite, pg};
}

async function same<T>(label: string, program: (dialect: SqlDialect) => SqlProgram<T>, normalize: (value: T) => unknown = value => value): Promise<T> {
	const {lite, pg} = await both(program);
	if (pg !== undefined) {
		assert.deepEqual(normalize(pg), normalize(lite), label);
	}

	return lite;
}

const lastEvent = Math.max(...events.map(event => Date.parse(event.timestamp)));
const clock = {nowMs: lastEvent + 3_600_000, stuckAfterMs: 600_000};
const listing = (filter: string, order: RunOrder = 'started'): RunListing => ({query: parseRunQuery(filter), order, clock});
const FILTERS = ['', 'status:failed', 'status:running', 'status:stuck', 'env:prod', 'target:api', 'deploy', 'migrate status:failed', 'user:nobody', 'abc1234', 'branch:main', 'K'];

test('run pages, counts and figures: the same on both engines, for each filter and sort', async () => {
	for (const filter of FILTERS) {
		for (const order of ['started', 'duration', 'status'] as const) {
			const l = listing(filter, order);
			const page = await same(`${filter} ${order}: page`, d => QUERY_PROGRAMS.runPage(d, l, {traceId: null, index: 2}, 3));
			await same(`${filter} ${order}: first`, d => QUERY_PROGRAMS.firstRuns(d, l, 4));
			await same(`${filter} ${order}: all`, d => QUERY_PROGRAMS.runsBetween(d, l, page.counts, 0, page.counts.total));
			await same(`${filter} ${order}: figures`, d => QUERY_PROGRAMS.runFigures(d, l));
			for (const run of page.runs) {
				await same(`${filter} ${order}: around ${run.run_id}`, d => QUERY_PROGRAMS.runPage(d, l, {traceId: run.trace_id, index: 0}, 2));
			}
		}
	}

	const all = await same('every run', d => QUERY_PROGRAMS.firstRuns(d, listing(''), 100));
	assert.ok(all.length >= 8, 'the fixtures are stored');
});

test('runs grep: full-text and --like hits, their order and snippets, the same on both engines', async () => {
	for (const pattern of ['connection refused', 'migrate', 'deploy', 'health', 'conn*', 'timeout', 'exit code', 'step']) {
		for (const limit of [50, 2]) {
			const hits = await same(`grep ${pattern} ${limit}`, d => QUERY_PROGRAMS.search(d, {pattern, limit}));
			if (pattern === 'deploy') {
				assert.ok(hits.length > 0 && hits.some(hit => hit.snippet.includes('«')), 'hits with marks');
			}
		}

		await same(`grep --like ${pattern}`, d => QUERY_PROGRAMS.search(d, {pattern, like: true}));
	}

	await same('grep --env', d => QUERY_PROGRAMS.search(d, {pattern: 'deploy', env: 'prod'}));
	await same('grep --since', d => QUERY_PROGRAMS.search(d, {pattern: 'deploy', sinceMs: lastEvent - 86_400_000}));
	await same('grep --like 100%', d => QUERY_PROGRAMS.search(d, {pattern: '100%', like: true}));
	await same('grep --like case', d => QUERY_PROGRAMS.search(d, {pattern: 'MIGRATE', like: true}));
});

test('audit, baseline, decision history, analytics, DORA and deployment figures: the same on both engines', async () => {
	for (const filter of [{}, {env: 'prod'}, {user: 'alice'}, {sinceMs: lastEvent - 86_400_000, untilMs: lastEvent}]) {
		await same(`audit ${JSON.stringify(filter)}`, d => QUERY_PROGRAMS.auditRuns(d, filter));
	}

	const runs = runSqliteQuery(sqlite.index.db, () => QUERY_PROGRAMS.firstRuns('sqlite', listing(''), 100));
	for (const run of runs) {
		await same(`baseline of ${run.run_id}`, d => QUERY_PROGRAMS.lastSuccessBefore(d, run));
	}

	const paths = sqlite.index.db.prepare('SELECT DISTINCT path FROM spans ORDER BY path').pluck().all() as string[];
	for (const name of new Set(runs.map(run => run.name))) {
		for (const path of paths) {
			await same(`decisions at ${path}`, d => QUERY_PROGRAMS.decisionHistory(d, path, name, 10));
		}
	}

	const window = {sinceMs: 0};
	// The rows' order is each engine's own (analyzeRuns sorts): compare them sorted, and the analysis as it is.
	const sorted = (input: ReturnType<typeof analyzeRuns> extends unknown ? Parameters<typeof analyzeRuns>[0] : never): unknown => ({
		runs: [...input.runs].sort((a, b) => a.run_id.localeCompare(b.run_id)),
		stepDurations: [...input.stepDurations].map(row => ({path: row.path, durations_ms: [...row.durations_ms].sort((a, b) => a - b)})),
		decisions: [...input.decisions].map(row => JSON.stringify(row)).sort(),
	});
	const input = await same('analytics input', d => QUERY_PROGRAMS.analyticsInput(d, window), sorted);
	assert.ok(input.runs.length > 0);
	const {pg} = await both(d => QUERY_PROGRAMS.analyticsInput(d, window));
	if (pg !== undefined) {
		assert.deepEqual(analyzeRuns(pg), analyzeRuns(input), 'the analysis');
	}

	await same('dora rows', d => QUERY_PROGRAMS.doraRows(d, window));
	await same('dora rows, prod', d => QUERY_PROGRAMS.doraRows(d, {sinceMs: 0, env: 'prod'}));
	for (const name of ['deployment_total', 'deployment_failed_total']) {
		await same(`counter ${name}`, d => QUERY_PROGRAMS.counters(d, name));
	}

	await same('histogram', d => QUERY_PROGRAMS.histogram(d, 'deployment_duration_seconds'));
	await same('in progress', d => QUERY_PROGRAMS.inProgress(d));
	await same('stuck', d => QUERY_PROGRAMS.stuck(d, clock.nowMs));
	await same('deployment envs', d => QUERY_PROGRAMS.deploymentEnvs(d));
});

test('purge: the dry run and the real one take the same runs and rows on both engines', async () => {
	const policy = parseRetention('*=1h');
	const options = {now: clock.nowMs + 86_400_000};
	const dry = await same('purge --dry-run', d => QUERY_PROGRAMS.purge(d, policy, {...options, dryRun: true}));
	assert.ok(dry.rows.length > 0, 'something to purge');
	const {lite, pg} = await both(d => QUERY_PROGRAMS.purge(d, policy, options), 'write');
	if (pg !== undefined) {
		assert.deepEqual(pg, lite, 'purge');
	}

	assert.deepEqual({...lite, dryRun: true}, dry, 'the dry run said what the purge did');
	await same('after the purge', d => QUERY_PROGRAMS.firstRuns(d, listing(''), 100));
});
