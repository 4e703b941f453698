import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Cluster} from 'ioredis';
import {run} from '../../source/commands/runs-tail.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {redactRedisUrl} from '../../source/live/live-logger.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {ACTIVE_STREAM, activeStreamOf, activeStreams, traceStream} from '../../source/live/redis-keys.js';
import {checkRedisUrl, isClusterTarget} from '../../source/live/redis-url.js';
import {resolveRedisUrl} from '../../source/live/settings.js';
import type {TailRecord} from '../../source/live/tail-events.js';
import {type LiveEvent, type LiveStream, watch, watchAll, type WatchOptions} from '../../source/live/watch.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {FAST_WATCH} from '../helpers/live-watch.js';
import {clusterUnavailable, type TestCluster, testClusterForFile} from '../helpers/redis-cluster.js';
import {tempIndex} from '../helpers/temp-index.js';
import {captureLogger, drain, lineOf, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';

/*
 * Issue 17, item 1: on a real 3-node Redis Cluster four of six runs hit
 * MOVED errors logged as "unreachable". Now a node list (or one seed with
 * TRACEDECK_REDIS_CLUSTER=1) opens ioredis' Cluster client, writes go per
 * key to their slot's node, and the stream of every event is sharded over
 * hash-tagged keys that readers merge.
 */

const skip = clusterUnavailable() ?? false;
const cluster = testClusterForFile();

test('a node list, or one seed with TRACEDECK_REDIS_CLUSTER=1, is a cluster target; one URL alone is not', () => {
	assert.equal(checkRedisUrl(' REDIS://a:7000 , redis://b:7001,', '--redis'), 'redis://a:7000,redis://b:7001');
	assert.equal(checkRedisUrl('redis://a:7000', '--redis', true), 'redis://a:7000,');
	assert.equal(checkRedisUrl('redis://a:7000,', '--redis'), 'redis://a:7000,', 'checking a checked target changes nothing');
	assert.ok(isClusterTarget(resolveRedisUrl(undefined, {TRACEDECK_REDIS_URL: 'redis://a:7000', TRACEDECK_REDIS_CLUSTER: '1', TRACEDECK_CONFIG: '/nonexistent'})!));
	assert.ok(!isClusterTarget(resolveRedisUrl(undefined, {TRACEDECK_REDIS_URL: 'redis://a:7000', TRACEDECK_REDIS_CLUSTER: '0', TRACEDECK_CONFIG: '/nonexistent'})!));
	assert.throws(() => resolveRedisUrl(undefined, {TRACEDECK_REDIS_URL: 'redis://a:7000', TRACEDECK_REDIS_CLUSTER: 'maybe', TRACEDECK_CONFIG: '/nonexistent'}), /TRACEDECK_REDIS_CLUSTER="maybe" is not 1 or 0/);
	assert.throws(
		() => checkRedisUrl('redis://:s3cret@a:7000,redis://:other@b:7001', 'TRACEDECK_REDIS_URL'),
		(error: unknown) => error instanceof Error && /differ in scheme, user or password/.test(error.message) && !/s3cret|other/.test(error.message),
	);
	assert.equal(redactRedisUrl('rediss://u:s3cret@a:7000,rediss://u:s3cret@b:7001'), 'rediss://u:***@a:7000,rediss://u:***@b:7001');
	// One node: the key of every event stays what it was.
	assert.deepEqual(activeStreams(false), [ACTIVE_STREAM]);
	assert.equal(activeStreamOf('abc', false), 'traces:active');
	assert.equal(activeStreams(true).length, 16);
	assert.equal(activeStreamOf('abc', true), activeStreamOf('abc', true));
	assert.match(activeStreamOf('abc', true), /^traces:active:\{\d+\}$/);
});

/** Trace ids whose streams sit two on each node, and whose shards of the stream of every event are on all three too. */
function tracesOnEveryNode(c: TestCluster): string[] {
	for (;;) {
		const byPort = new Map<number, string[]>(c.ports.map(port => [port, []]));
		for (let tries = 0; tries < 200 && [...byPort.values()].some(ids => ids.length < 2); tries++) {
			const id = newTraceId();
			const ids = byPort.get(c.portOfKey(traceStream(id)))!;
			if (ids.length < 2) {
				ids.push(id);
			}
		}

		const ids = [...byPort.values()].flat();
		if (new Set(ids.map(id => c.portOfKey(activeStreamOf(id, true)))).size === 3) {
			return ids;
		}
	}
}

function capture() {
	const out = {
		text: '',
		isTTY: false,
		write(chunk: string) {
			out.text += chunk;
			return true;
		},
		records: () =>
			out.text
				.split('\n')
				.filter(line => line !== '')
				.map(line => JSON.parse(line) as TailRecord),
	};
	return out;
}

const label = (item: {event: TraceEvent}): string => `${item.event.trace_id} ${lineOf(item.event)}`;

interface Watched {
	stream: LiveStream;
	sink: {items: LiveEvent[]; done: Promise<void>};
}

function watching(stream: LiveStream): Watched {
	return {stream, sink: drain(stream)};
}

test('six runs on a 3-node cluster: no MOVED, no warning; watch, watchAll and runs tail get every event once, in order', {skip}, async () => {
	const c = cluster();
	const {home, index, cleanup} = tempIndex();
	const store = new SqliteStore(index);
	const logger = captureLogger();
	const publisher = await createRedisPublisher(c.url, {logger, ...TEST_PUBLISHER});
	const writer = new EventWriter(store, publisher);
	const traces = tracesOnEveryNode(c);
	const admin = new Cluster(c.ports.map(port => ({host: '127.0.0.1', port})));
	const options: WatchOptions = {index: store, redisUrl: c.url, ...FAST_WATCH};
	const all = watching(watchAll(options));
	const each = traces.map(traceId => watching(watch(traceId, options)));
	const out = capture();
	try {
		await waitFor(() => all.stream.source === 'redis' && each.every(({stream}) => stream.source === 'redis'), 'every watch on Redis');
		for (const traceId of traces) {
			await writer.write([nthEvent(traceId, 0)]);
		}

		const tail = run([traces[0]!, '--home', home, '--json', '--redis', c.url], {stdout: out, pollMs: 30});
		for (let n = 1; n <= 30; n++) {
			// A batch mixing every trace: six slots on three nodes in one write.
			await writer.write(traces.map(traceId => nthEvent(traceId, n)));
		}

		await writer.write([{trace_id: traces[0]!, span_id: 'root', event_type: 'workflow:completed', status: 'success', timestamp: new Date().toISOString()}]);
		assert.equal(await tail, 0, 'the tailed run ended');
		const stored = index.eventsAfter(0, undefined, 1_000_000).map(({event}) => ({event}));
		await waitFor(() => all.sink.items.length >= stored.length, 'watchAll to see every event');
		await waitFor(() => each.every(({sink}, i) => sink.items.length >= 30 + (i === 0 ? 1 : 0)), 'each watch to see its trace');
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.deepEqual(all.sink.items.map(label), stored.map(label), 'watchAll: every event once, in the run index order');
		assert.ok(all.sink.items.some(item => item.source === 'redis'));
		for (const [i, traceId] of traces.entries()) {
			const expected = stored.filter(({event}) => event.trace_id === traceId);
			assert.deepEqual(each[i]!.sink.items.map(label), expected.map(label), `watch ${traceId}`);
			assert.ok(
				each[i]!.sink.items.some(item => item.source === 'redis'),
				`watch ${traceId} read its stream on its node`,
			);
		}

		assert.deepEqual(
			out.records().map(record => label(record)),
			stored.filter(({event}) => event.trace_id === traces[0]).map(label),
			'runs tail: its run, once, in order',
		);
		assert.equal(publisher.failures, 0);
		assert.deepEqual(logger.messages, []);
		const lengths = await Promise.all(activeStreams(true).map(async key => admin.xlen(key)));
		assert.equal(
			lengths.reduce((a, b) => a + b, 0),
			stored.length,
			'the shards hold every event once',
		);
		assert.equal(await admin.exists(ACTIVE_STREAM), 0, 'no unsharded stream on a cluster');
		for (const traceId of traces) {
			assert.equal(await admin.xlen(traceStream(traceId)), stored.filter(({event}) => event.trace_id === traceId).length);
		}
	} finally {
		await Promise.all(
			[all, ...each].map(async ({stream, sink}) => {
				await stream.return();
				await sink.done;
			}),
		);
		await publisher.close();
		admin.disconnect();
		cleanup();
	}
});

test('a node killed mid-run and restarted (no failover): one warning, its events from the run index, then back on Redis; nothing lost or doubled', {skip}, async () => {
	const c = cluster();
	const {index, cleanup} = tempIndex();
	const store = new SqliteStore(index);
	const logger = captureLogger();
	const publisher = await createRedisPublisher(c.url, {logger, ...TEST_PUBLISHER});
	const writer = new EventWriter(store, publisher);
	const traces = tracesOnEveryNode(c);
	const victim = c.portOfKey(traceStream(traces[0]!));
	const options: WatchOptions = {index: store, redisUrl: c.url, ...FAST_WATCH, redisRetryMs: 300};
	const all = watching(watchAll(options));
	const onVictim = watching(watch(traces[0]!, options));
	const elsewhere = traces.find(id => c.portOfKey(traceStream(id)) !== victim)!;
	const onOther = watching(watch(elsewhere, options));
	const watches = [all, onVictim, onOther];
	// Each watch starts at the newest stored event: write once they all have.
	await waitFor(() => watches.every(({stream}) => stream.source === 'redis'), 'every watch on Redis');
	let n = 0;
	let writing = true;
	const producer = (async () => {
		while (writing) {
			await writer.write(traces.map(traceId => nthEvent(traceId, n)));
			n++;
			await new Promise(resolve => setTimeout(resolve, 5));
		}
	})();
	try {
		await waitFor(() => all.sink.items.length >= 60, 'events on Redis');
		await c.kill(victim);
		await waitFor(() => onVictim.stream.source === 'polling', 'the watch of a trace on the dead node to poll');
		const atKill = n;
		await waitFor(() => n >= atKill + 20 && logger.messages.length > 0, 'writes during the outage');
		await c.restart(victim);
		await waitFor(() => watches.every(({stream}) => stream.source === 'redis'), 'every watch back on Redis');
		const atRestart = n;
		await waitFor(() => n >= atRestart + 20, 'writes after the restart');
	} finally {
		writing = false;
		await producer;
	}

	try {
		const stored = index.eventsAfter(0, undefined, 1_000_000).map(({event}) => ({event}));
		// The cluster is the file's: the first test's entries (another home's) come through watchAll too, as any other writer's would.
		const ours = () => all.sink.items.filter(item => traces.includes(item.event.trace_id));
		await waitFor(() => ours().length >= stored.length, `watchAll to see all ${stored.length} events`);
		await new Promise(resolve => setTimeout(resolve, 500));
		assert.deepEqual(ours().map(label), stored.map(label), 'watchAll: every event once, in order');
		for (const [watched, traceId] of [
			[onVictim, traces[0]!],
			[onOther, elsewhere],
		] as const) {
			assert.deepEqual(watched.sink.items.map(label), stored.filter(({event}) => event.trace_id === traceId).map(label), `watch ${traceId}`);
		}

		assert.ok(publisher.failures > 0, 'the dead node’s events were counted as not published');
		assert.equal(logger.messages.length, 1, `one warning for the outage: ${logger.messages.join(' | ')}`);
		assert.match(logger.messages[0]!, /^Redis Cluster at redis:\/\/127\.0\.0\.1:\d+,.* is unreachable \(/);
		assert.ok(
			onVictim.sink.items.some(item => item.source === 'polling'),
			'the dead node’s trace came from the run index meanwhile',
		);
		assert.equal(onVictim.sink.items.at(-1)!.source, 'redis', 'and from Redis again after the restart');
	} finally {
		await Promise.all(
			watches.map(async ({stream, sink}) => {
				await stream.return();
				await sink.done;
			}),
		);
		await publisher.close();
		cleanup();
	}
});
