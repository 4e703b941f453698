import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import type {Run} from '../../source/core/run.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {generateDataset} from '../../source/demo/generate.js';
import type {LiveEvent} from '../../source/live/live-event.js';
import {storeChangeFeed} from '../../source/live/polling-change-feed.js';
import {watch} from '../../source/live/watch.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {ensureBuilt} from '../helpers/built-dist.js';
import {cliEnv} from '../helpers/cli-env.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {createPostgresDb, postgresUnavailable, queryRows, type PostgresDb} from '../helpers/postgres-db.js';
import {BIN} from '../helpers/run-cli.js';
import {type Served, startServe} from '../helpers/serve-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {waitFor} from '../live/live-helpers.js';
import {REPO} from '../helpers/repo-root.js';

/*
 * Issue 16's evidence: four writer processes at once on one PostgreSQL index,
 * two sending OTLP through one `tracedeck serve --db`, two running `tracedeck
 * ingest --db`, with the runs they write overlapping, while a reader follows
 * (the console's change feed and a watch() of one run, both woken by
 * LISTEN/NOTIFY, no Redis). Every event is stored once, whoever sent it
 * first, and the runs read the same as the same events ingested once into
 * SQLite.
 */

const HERE = path.join(REPO, 'test/team');
const NOW = new Date('2026-03-01T12:00:00.000Z');
// An hour: only a notification can bring a change in time, so a missed NOTIFY shows as a failure, not a slow pass.
const HOUR = 3_600_000;
const unavailable = await postgresUnavailable();
const workDir = tempHome();
const sqliteHome = tempHome();
let database: PostgresDb | undefined;
let served: Served | undefined;
let reader: PostgresStore | undefined;
const children = new Set<ReturnType<typeof spawn>>();
// Closed in after() too, so that a failed assertion leaves nothing running (a live reader keeps the process alive).
const closers: Array<() => Promise<void>> = [];

/*
 * Which writers send which runs: 1 and 2 through serve, 3 and 4 direct. Every
 * pairing of writers shares a run, run 6 is sent by all four (first, so that they race on it)
 * and run 7 by one.
 * Events carry producer ids (as the emitter's do), except run 5, which only
 * the direct writers send: its identity is its content, counted per input.
 */
const WRITERS: ReadonlyArray<{through: 'serve' | 'ingest'; runs: number[]}> = [
	{through: 'serve', runs: [6, 0, 1, 2]},
	{through: 'serve', runs: [6, 2, 3, 4]},
	{through: 'ingest', runs: [6, 3, 5, 0, 7]},
	{through: 'ingest', runs: [6, 5, 4, 1]},
];
const WATCHED = 6;
const UNNAMED = 5;

before(async () => {
	if (unavailable !== undefined) {
		return;
	}

	ensureBuilt();
	database = await createPostgresDb();
	served = await startServe(['--db', database.url, '--grpc-port', '0'], {home: tempHome()});
	reader = await PostgresStore.open(database.url, {readonly: true});
});

after(async () => {
	await Promise.all(closers.map(async close => close()));
	for (const child of children) {
		child.kill('SIGKILL');
	}

	await served?.stop();
	await reader?.close();
	await database?.drop();
});

function writeJsonl(file: string, events: readonly TraceEvent[]): string {
	fs.writeFileSync(file, `${events.map(event => JSON.stringify(event)).join('\n')}\n`);
	return file;
}

/** A child process to completion: its exit code and output (stdout and stderr). */
async function finished(child: ReturnType<typeof spawn>): Promise<{code: number | null; stdout: string; stderr: string}> {
	children.add(child);
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', chunk => {
		stdout += String(chunk);
	});
	child.stderr?.on('data', chunk => {
		stderr += String(chunk);
	});
	const [code] = (await once(child, 'exit')) as [number | null];
	children.delete(child);
	return {code, stdout, stderr};
}

test('4 writers at once (2 through serve, 2 direct), overlapping: every event stored once, the live readers told each once', {skip: unavailable}, async () => {
	const url = database!.url;
	const runs = generateDataset({seed: 16, runs: 8, now: NOW, running: 0}).map((events, r) =>
		events.map((event, i): TraceEvent => {
			if (r === UNNAMED) {
				return event;
			}

			return {...event, event_id: `ev-${r}-${i}`};
		}),
	);
	const watchedTrace = runs[WATCHED]![0]!.trace_id;

	// The reader, before anything is written: the console's feed and a watcher of one run.
	const feed = storeChangeFeed(reader!, {intervalMs: HOUR});
	closers.push(async () => feed.close());
	const changed = new Set<string>();
	feed.onChange(ids => {
		for (const id of ids) {
			changed.add(id);
		}
	});
	const watcher = watch(watchedTrace, {index: reader!, afterEventId: 0, pollMs: HOUR});
	closers.push(async () => watcher.close());
	const watched: LiveEvent[] = [];
	const watching = (async () => {
		for await (const item of watcher) {
			watched.push(item);
		}
	})();
	await waitFor(() => feed.status().source === 'notify', 'the feed on LISTEN/NOTIFY');

	const writers = WRITERS.map(({through, runs: mine}, w) => {
		const file = writeJsonl(
			path.join(workDir, `writer-${w}.jsonl`),
			mine.flatMap(r => runs[r]!),
		);
		const child = through === 'serve' ? spawn(process.execPath, [path.join(HERE, 'emitter-child.mjs'), 'replay', file], {env: cliEnv({home: tempHome(), env: {TRACEDECK_ENDPOINT: served!.httpUrl}})}) : spawn(process.execPath, [BIN, 'ingest', file, '--db', url, '--json'], {env: cliEnv({home: tempHome()})});
		return finished(child);
	});
	for (const [w, result] of (await Promise.all(writers)).entries()) {
		assert.equal(result.code, 0, `writer ${w + 1}: ${result.stderr}`);
	}

	// The union of the inputs, by identity: every event of every run, once.
	const union = runs.flat();
	const [rows] = await queryRows<{count: string}>(url, 'SELECT count(*) AS count FROM events');
	assert.equal(Number(rows?.count), union.length, 'one row per event, however many writers sent it');
	const stored = await reader!.eventsAfter(0, undefined, union.length + 100);
	assert.deepEqual(stored.map(({event}) => event.event_id ?? `${event.trace_id} ${event.timestamp} ${event.event_type} ${event.span_id}`).sort(), union.map(event => event.event_id ?? `${event.trace_id} ${event.timestamp} ${event.event_type} ${event.span_id}`).sort());

	// The feed told every trace that changed.
	await waitFor(() => changed.size === runs.length, 'the feed to report every run', 15_000);
	assert.deepEqual([...changed].sort(), runs.map(events => events[0]!.trace_id).sort());
	assert.equal(feed.status().source, 'notify', 'still on notifications');

	// The watcher: every event of its run once, in the order stored.
	const ofWatched = await reader!.events(watchedTrace);
	assert.equal(ofWatched.length, runs[WATCHED]!.length);
	await waitFor(() => watched.length >= ofWatched.length, `the watcher to deliver ${ofWatched.length} events (has ${watched.length})`, 15_000);
	await watcher.close();
	await watching;
	await feed.close();
	assert.deepEqual(
		watched.map(item => item.id),
		ofWatched.map(({id}) => `sqlite:${id}`),
		'each event once, in id order',
	);
	assert.deepEqual(
		watched.map(item => item.event.event_id),
		ofWatched.map(({event}) => event.event_id),
	);

	assert.doesNotMatch(served!.stderr(), /warning|error/i, 'serve took every request without complaint');
	// The same events ingested once into SQLite read the same, run by run.
	const ingested = await runInProcess(['ingest', writeJsonl(path.join(workDir, 'union.jsonl'), union), '--json'], {home: sqliteHome});
	assert.equal(ingested.code, 0, ingested.stderr);
	const listed = JSON.parse((await runInProcess(['runs', 'list', '--limit', '100', '--json'], {home: sqliteHome})).stdout) as Run[];
	assert.equal(listed.length, runs.length);
	for (const run of listed) {
		const sqlite = await runInProcess(['runs', 'show', run.run_id, '--json'], {home: sqliteHome});
		const postgres = await runInProcess(['runs', 'show', run.run_id, '--json', '--db', url], {home: sqliteHome});
		assert.equal(postgres.code, 0, postgres.stderr);
		assert.deepEqual(JSON.parse(postgres.stdout), JSON.parse(sqlite.stdout), `runs show ${run.run_id}: the same on PostgreSQL`);
	}
});
