import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import type {Run} from '../../source/core/run.js';
import {generateDataset} from '../../source/demo/generate.js';
import {createPostgresDb, postgresUnavailable, type PostgresDb} from '../helpers/postgres-db.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * The same events ingested into the SQLite index and into a PostgreSQL one:
 * every read command's --json output must be the same document on both
 * (DESIGN, "Beyond one machine"). Only the home's own path may differ.
 */

const NOW = new Date('2026-03-01T12:00:00.000Z');
const sqliteHome = tempHome();
const pgHome = tempHome();
const unavailable = await postgresUnavailable();
let database: PostgresDb | undefined;
let runs: Run[] = [];

async function both(args: readonly string[]): Promise<{sqlite: string; postgres: string}> {
	const sqlite = await runInProcess(args, {home: sqliteHome, env: {TRACEDECK_DATABASE_URL: undefined}});
	const postgres = await runInProcess(args, {home: pgHome, env: {TRACEDECK_DATABASE_URL: database!.url}});
	assert.equal(postgres.code, sqlite.code, `${args.join(' ')}: exit codes (${sqlite.stderr} | ${postgres.stderr})`);
	assert.equal(postgres.stderr.replaceAll(pgHome, '<home>'), sqlite.stderr.replaceAll(sqliteHome, '<home>'), `${args.join(' ')}: stderr`);
	return {sqlite: sqlite.stdout.replaceAll(sqliteHome, '<home>'), postgres: postgres.stdout.replaceAll(pgHome, '<home>')};
}

async function same(args: readonly string[]): Promise<void> {
	const {sqlite, postgres} = await both(args);
	assert.ok(sqlite.length > 0, `${args.join(' ')} printed something`);
	assert.equal(postgres, sqlite, `${args.join(' ')}: the same document on both backends`);
}

/** The same as same(), but for figures that move with the clock between the two calls (a window that ends now). */
async function sameBut(args: readonly string[], clockKeys: readonly string[]): Promise<void> {
	const {sqlite, postgres} = await both(args);
	const strip = (value: unknown): unknown =>
		Array.isArray(value)
			? value.map(strip)
			: value !== null && typeof value === 'object'
				? Object.fromEntries(
						Object.entries(value)
							.filter(([key]) => !clockKeys.includes(key))
							.map(([key, item]) => [key, strip(item)]),
					)
				: value;
	assert.deepEqual(strip(JSON.parse(postgres)), strip(JSON.parse(sqlite)), `${args.join(' ')}: the same document on both backends, but for ${clockKeys.join(', ')}`);
}

before(async () => {
	if (unavailable !== undefined) {
		return;
	}

	database = await createPostgresDb();
	const file = path.join(sqliteHome, 'events.jsonl');
	const dataset = generateDataset({seed: 11, runs: 40, now: NOW, running: 0});
	fs.writeFileSync(
		file,
		`${dataset
			.flat()
			.map(event => JSON.stringify(event))
			.join('\n')}\n`,
	);
	for (const [home, url] of [
		[sqliteHome, undefined],
		[pgHome, database.url],
	] as const) {
		const result = await runInProcess(['ingest', file, '--json'], {home, env: {TRACEDECK_DATABASE_URL: url}});
		assert.equal(result.code, 0, result.stderr);
	}

	runs = JSON.parse((await runInProcess(['runs', 'list', '--limit', '100', '--json'], {home: sqliteHome})).stdout) as Run[];
});

after(async () => {
	await database?.drop();
});

const skip = unavailable;

test('ingest says the same on both', {skip}, async () => {
	const file = path.join(sqliteHome, 'events.jsonl');
	// A second time: everything a duplicate, nothing doubled, on both.
	await same(['ingest', file, '--json']);
});

test('runs list, with each filter', {skip}, async () => {
	assert.ok(runs.length >= 30);
	const first = runs[0]!;
	await same(['runs', 'list', '--json']);
	await same(['runs', 'list', '--limit', '100', '--json']);
	await same(['runs', 'list', '--status', 'failed', '--json']);
	await same(['runs', 'list', '--env', first.env ?? 'prod', '--json']);
	await same(['runs', 'list', '--target', first.target ?? 'api', '--json']);
	await same(['runs', 'list', '--since', '2026-02-28T12:00:00Z', '--json']);
	await same(['runs', 'list', '--plan-hash', first.plan_hash ?? 'x', '--json']);
});

test('runs show, runs tail and runs diff of every kind of run', {skip}, async () => {
	const picked = [...new Map(runs.map(run => [`${run.status} ${run.name ?? ''}`, run])).values()].slice(0, 12);
	for (const run of picked) {
		await same(['runs', 'show', run.run_id, '--json']);
		await same(['runs', 'show', run.trace_id.slice(0, 10), '--json']);
		await same(['runs', 'tail', run.run_id, '--json']);
		await both(['runs', 'diff', run.run_id, '--json']).then(({sqlite, postgres}) => assert.equal(postgres, sqlite));
	}

	await same(['runs', 'diff', runs[0]!.run_id, runs[1]!.run_id, '--json']);
	// A name that matches nothing, and one that matches several: the same message and exit.
	await both(['runs', 'show', 'run-nope', '--json']);
	await both(['runs', 'show', 'run-', '--json']);
});

test('grep, analyze, audit, report, export and purge', {skip}, async () => {
	await same(['runs', 'grep', 'timeout', '--json']);
	await same(['runs', 'grep', 'fail', '--like', '--json']);
	await same(['runs', 'grep', 'deploy', '--limit', '3', '--json']);
	await same(['runs', 'analyze', '--since', '2026-02-01', '--json']);
	await sameBut(['runs', 'analyze', '--since', '2026-02-01', '--dora', '--json'], ['window_ms', 'deployment_frequency_per_day']);
	const user = runs.find(run => run.user !== null)?.user ?? 'ci-bot';
	await same(['runs', 'audit', '--user', user, '--since', '2026-02-01', '--json']);
	await sameBut(['runs', 'report', '--since', '2026-02-01', '--json'], ['generated_at']);
	await same(['runs', 'export', '--format', 'json']);
	await same(['runs', 'export', '--format', 'otlp']);
	await same(['runs', 'export', '--format', 'csv', '--spans']);
	await same(['runs', 'purge', '--dry-run', '--keep', '*=1d', '--json']);
});
