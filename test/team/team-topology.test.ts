import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import path from 'node:path';
import {after, before, test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {traceIdForRun} from '../../source/emit/ids.js';
import type {LiveEvent} from '../../source/live/live-event.js';
import {watch} from '../../source/live/watch.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {ensureBuilt} from '../helpers/built-dist.js';
import {cliEnv} from '../helpers/cli-env.js';
import {createPostgresDb, postgresUnavailable, queryRows, type PostgresDb} from '../helpers/postgres-db.js';
import {clusterUnavailable, startTestCluster, type TestCluster} from '../helpers/redis-cluster.js';
import {BIN} from '../helpers/run-cli.js';
import {type Served, startServe} from '../helpers/serve-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {waitFor} from '../live/live-helpers.js';
import {REPO} from '../helpers/repo-root.js';

/*
 * Issue 17's evidence, the team's topology with real processes: one `tracedeck
 * serve --db <postgres> --token` publishing to a real 3-node Redis Cluster;
 * two CI runners running `tracedeck exec` on TRACEDECK_ENDPOINT and two
 * services emitting through TraceEmitter.open({endpoint}), all at once, while
 * the console follows one run live on the cluster. Every event is in
 * PostgreSQL once; the follower gets each event of its run once, in order,
 * from Redis.
 */

const HERE = path.join(REPO, 'test/team');
const TOKEN = 'team-topology-token';
const LINES = 40;
const unavailable = (await postgresUnavailable()) ?? clusterUnavailable();
let database: PostgresDb | undefined;
let cluster: TestCluster | undefined;
let served: Served | undefined;
let reader: PostgresStore | undefined;
const children = new Set<ReturnType<typeof spawn>>();
const closers: Array<() => Promise<void>> = [];

before(async () => {
	if (unavailable !== undefined) {
		return;
	}

	ensureBuilt();
	[database, cluster] = await Promise.all([createPostgresDb(), startTestCluster()]);
	served = await startServe(['--db', database.url, '--token', TOKEN], {home: tempHome(), env: {TRACEDECK_REDIS_URL: cluster.url}});
	reader = await PostgresStore.open(database.url, {readonly: true});
});

after(async () => {
	await Promise.all(closers.map(async close => close()));
	for (const child of children) {
		child.kill('SIGKILL');
	}

	await served?.stop();
	await reader?.close();
	await Promise.all([database?.drop(), cluster?.stop()]);
});

/** A producer process to completion: its exit code and output. */
async function finished(command: readonly string[], home: string, env: Record<string, string>): Promise<{code: number | null; stdout: string; stderr: string}> {
	const child = spawn(process.execPath, command, {env: cliEnv({home, env})});
	children.add(child);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', chunk => {
		stdout += String(chunk);
	});
	child.stderr.on('data', chunk => {
		stderr += String(chunk);
	});
	const [code] = (await once(child, 'exit')) as [number | null];
	children.delete(child);
	return {code, stdout, stderr};
}

/** One CI runner on another machine: two steps and the finish, each its own `tracedeck exec`, through serve. */
async function runner(runId: string): Promise<void> {
	const home = tempHome();
	const env = {TRACEDECK_ENDPOINT: served!.httpUrl, TRACEDECK_TOKEN: TOKEN, TRACEDECK_RUN_ID: runId};
	const lines = `i=1; while [ $i -le ${LINES} ]; do echo ${runId}-$i; i=$((i+1)); done`;
	for (const args of [['--step', 'build/compile', '--', 'sh', '-c', lines], ['--step', 'test/unit', '--', 'sh', '-c', `${lines} >&2`], ['--finish']]) {
		const result = await finished([BIN, 'exec', ...args], home, env);
		assert.equal(result.code, 0, `${runId} exec ${args.join(' ')}: ${result.stderr}`);
		assert.doesNotMatch(result.stderr, /cannot reach|warning/, `${runId}: serve took everything`);
	}
}

/** One service emitting a run of its own through serve. @returns how many events it emitted. */
async function emitter(runId: string): Promise<number> {
	const result = await finished([path.join(HERE, 'emitter-child.mjs'), 'run', runId, String(LINES)], tempHome(), {TRACEDECK_ENDPOINT: served!.httpUrl, TRACEDECK_TOKEN: TOKEN});
	assert.equal(result.code, 0, `${runId}: ${result.stderr}`);
	return (JSON.parse(result.stdout) as {emitted: number}).emitted;
}

function linesOf(events: ReadonlyArray<{event: TraceEvent}>, type: string): unknown[] {
	return events.filter(({event}) => event.event_type === type).map(({event}) => event.data?.['line']);
}

test('2 exec runners and 2 emitters through serve into PostgreSQL, one run followed live on the Redis Cluster: every event once', {skip: unavailable}, async () => {
	const followed = 'run-team-runner-a';
	const followedTrace = traceIdForRun(followed);
	const sources: string[] = [];
	const watcher = watch(followedTrace, {index: reader!, redisUrl: cluster!.url, afterEventId: 0, onSource: source => sources.push(source)});
	closers.push(async () => watcher.close());
	const watched: LiveEvent[] = [];
	const watching = (async () => {
		for await (const item of watcher) {
			watched.push(item);
		}
	})();
	// The console is on the cluster before the run begins.
	await waitFor(() => watcher.source === 'redis', 'the follower on Redis');

	const [, , ...emitted] = await Promise.all([runner(followed), runner('run-team-runner-b'), emitter('run-team-service-a'), emitter('run-team-service-b')]);

	for (const runId of [followed, 'run-team-runner-b']) {
		const events = await reader!.events(traceIdForRun(runId));
		const expected = Array.from({length: LINES}, (_, i) => `${runId}-${i + 1}`);
		assert.deepEqual(linesOf(events, 'log:stdout'), expected, `${runId}: every stdout line once, in order`);
		assert.deepEqual(linesOf(events, 'log:stderr'), expected, `${runId}: every stderr line once, in order`);
		assert.equal(new Set(events.map(({event}) => event.event_id)).size, events.length, `${runId}: no event twice`);
		assert.deepEqual(
			events.filter(({event}) => event.event_type.startsWith('workflow:')).map(({event}) => event.event_type),
			['workflow:started', 'workflow:completed'],
		);
	}

	for (const [e, runId] of ['run-team-service-a', 'run-team-service-b'].entries()) {
		const events = await reader!.events(traceIdForRun(runId));
		assert.equal(events.length, emitted[e], `${runId}: every emitted event arrived`);
		assert.equal(new Set(events.map(({event}) => event.event_id)).size, events.length, `${runId}: no event twice`);
		assert.deepEqual(
			linesOf(events, 'log:stdout'),
			Array.from({length: LINES}, (_, i) => `${runId} line ${i}`),
		);
	}

	const [rows] = await queryRows<{count: string}>(database!.url, 'SELECT count(*) AS count FROM events');
	const total = (await Promise.all([followed, 'run-team-runner-b', 'run-team-service-a', 'run-team-service-b'].map(async runId => (await reader!.events(traceIdForRun(runId))).length))).reduce((a, b) => a + b, 0);
	assert.equal(Number(rows?.count), total, 'nothing stored beside the four runs');

	// The follower: every event of its run once, in the order PostgreSQL stored them, most of them from Redis.
	const stored = await reader!.events(followedTrace);
	await waitFor(() => watched.length >= stored.length, `the follower to deliver ${stored.length} events (has ${watched.length})`, 15_000);
	await watcher.close();
	await watching;
	assert.deepEqual(
		watched.map(item => item.event.event_id),
		stored.map(({event}) => event.event_id),
		'each event once, in order',
	);
	assert.doesNotMatch(served!.stderr(), /warning|error/i, 'serve took every request without complaint');
	const fromRedis = watched.filter(item => item.source === 'redis').length;
	assert.ok(fromRedis > watched.length / 2, `most events came by Redis (${fromRedis} of ${watched.length}; sources ${sources.join(' → ')})`);
});
