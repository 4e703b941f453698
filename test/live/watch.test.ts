import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {Redis} from 'ioredis';
import {EventWriter} from '../../source/live/event-writer.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {watch, watchAll} from '../../source/live/watch.js';
import type {LiveSource} from '../../source/live/change-feed.js';
import {captureLogger, drain, lineOf, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

// Short intervals keep the fault tests quick; correctness does not depend on them.
const FAST = {pollMs: 50, reconnectMaxMs: 100, reconcileMs: 200, initialConnectMs: 2000};

test('without Redis the watcher polls SQLite and delivers new events in order', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const writer = new EventWriter(index);
	await writer.write([nthEvent(traceId, 0)]);
	const stream = watch(traceId, {index, ...FAST});
	const sink = drain(stream);
	try {
		for (let n = 1; n <= 20; n++) {
			await writer.write([nthEvent(traceId, n)]);
		}

		await waitFor(() => sink.items.length >= 20, '20 events');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			Array.from({length: 20}, (_, i) => `line ${i + 1}`),
			'only events after the start, in order',
		);
		assert.ok(sink.items.every(item => item.source === 'polling' && item.id.startsWith('sqlite:')));
		assert.equal(stream.source, 'polling');
	} finally {
		await stream.return();
		await sink.done;
		cleanup();
	}
});

test('events written while a watch runs arrive from Redis, all of them, in order', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(index, publisher);
	const sources: LiveSource[] = [];
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, onSource: source => sources.push(source)});
	const sink = drain(stream);
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		const expected: string[] = [];
		for (let n = 0; n < 300; n += 3) {
			// Batches of three: one transaction, one pipeline.
			const batch = [nthEvent(traceId, n), nthEvent(traceId, n + 1), nthEvent(traceId, n + 2)];
			await writer.write(batch);
			expected.push(...batch.map(event => lineOf(event)));
		}

		await waitFor(() => sink.items.length >= 300, '300 events');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			expected,
		);
		assert.ok(
			sink.items.every(item => item.source === 'redis'),
			'a healthy Redis brings everything',
		);
		assert.deepEqual(sources, ['redis']);
		assert.equal(publisher.failures, 0);
	} finally {
		await stream.return();
		await sink.done;
		await publisher.close();
		cleanup();
	}
});

test('afterEventId replays the stored backlog from SQLite at once, then goes on live from Redis', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(index, publisher);
	for (let n = 0; n < 1200; n += 100) {
		await writer.write(Array.from({length: 100}, (_, i) => nthEvent(traceId, n + i)));
	}

	// A long grace: the backlog must not wait for the reconcile to find it.
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, graceMs: 60_000, afterEventId: 0});
	const sink = drain(stream);
	try {
		await waitFor(() => sink.items.length >= 1200, 'the backlog');
		assert.ok(sink.items.every(item => item.source === 'polling'));
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		await writer.write([nthEvent(traceId, 1200)]);
		await waitFor(() => sink.items.length >= 1201, 'a live event');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['start', ...Array.from({length: 1200}, (_, i) => `line ${i + 1}`)],
		);
		assert.equal(sink.items.at(-1)!.source, 'redis');
	} finally {
		await stream.return();
		await sink.done;
		await publisher.close();
		cleanup();
	}
});

test('an event whose publish failed is delivered from SQLite before the next Redis entry, keeping order', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const withRedis = new EventWriter(index, publisher);
	const sqliteOnly = new EventWriter(index);
	// A long grace: only the SQLite id on the next entry can bring the missing one this early.
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, graceMs: 60_000});
	const sink = drain(stream);
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		await sqliteOnly.write([nthEvent(traceId, 1)]);
		await withRedis.write([nthEvent(traceId, 2)]);
		await waitFor(() => sink.items.length >= 2, 'two events');
		assert.deepEqual(
			sink.items.map(item => [lineOf(item.event), item.source]),
			[
				['line 1', 'polling'],
				['line 2', 'redis'],
			],
		);
	} finally {
		await stream.return();
		await sink.done;
		await publisher.close();
		cleanup();
	}
});

test('a writer that cannot reach Redis while the reader can still reaches the reader, from SQLite', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const writer = new EventWriter(index);
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, graceMs: 100});
	const sink = drain(stream);
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		for (let n = 0; n < 10; n++) {
			await writer.write([nthEvent(traceId, n)]);
		}

		await waitFor(() => sink.items.length >= 10, '10 events');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['start', ...Array.from({length: 9}, (_, i) => `line ${i + 1}`)],
		);
		assert.ok(sink.items.every(item => item.source === 'polling'));
		assert.equal(stream.source, 'redis', 'the reader itself stays on Redis');
	} finally {
		await stream.return();
		await sink.done;
		cleanup();
	}
});

test('Redis killed mid-watch: polling loses nothing; Redis back: the watch resumes on Redis without duplicates', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const logger = captureLogger();
	const publisher = await createRedisPublisher(redis.url, {logger, ...TEST_PUBLISHER});
	const writer = new EventWriter(index, publisher);
	const sources: LiveSource[] = [];
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, onSource: source => sources.push(source)});
	const sink = drain(stream);
	const expected: string[] = [];
	let n = 0;
	let writing = true;
	// A producer that never stops for the outage, as a real run would not.
	const producer = (async () => {
		while (writing) {
			const event = nthEvent(traceId, n++);
			await writer.write([event]);
			expected.push(lineOf(event));
			await new Promise(resolve => setTimeout(resolve, 5));
		}
	})();
	try {
		await waitFor(() => stream.source === 'redis' && sink.items.length >= 30, '30 events on Redis');
		await redis.kill();
		await waitFor(() => stream.source === 'polling', 'the switch to polling');
		const atKill = expected.length;
		await waitFor(() => expected.length >= atKill + 30 && sink.items.length >= atKill + 20, 'events during the outage');
		assert.ok(publisher.failures > 0, 'failed publishes are counted');
		await redis.restart();
		await waitFor(() => stream.source === 'redis', 'the switch back to Redis');
		const atRestart = expected.length;
		await waitFor(() => expected.length >= atRestart + 30, 'events after the restart');
		writing = false;
		await producer;
		await waitFor(() => sink.items.length >= expected.length, `all ${expected.length} events`);
		// Anything duplicated would come within a few reconcile rounds.
		await new Promise(resolve => setTimeout(resolve, 500));
		const got = sink.items.map(item => lineOf(item.event));
		assert.equal(new Set(got).size, got.length, 'no duplicates');
		assert.deepEqual(got, expected, 'every event, in order');
		assert.deepEqual(sources, ['redis', 'polling', 'redis']);
		assert.ok(
			sink.items.some(item => item.source === 'polling'),
			'the outage was bridged by polling',
		);
		assert.equal(sink.items.at(-1)!.source, 'redis', 'and Redis carries the tail again');
		assert.equal(logger.messages.length, 1, `one warning for the outage, got: ${logger.messages.join(' | ')}`);
	} finally {
		writing = false;
		await producer;
		await stream.return();
		await sink.done;
		await publisher.close();
		cleanup();
	}
});

test('watchAll sees every trace; return() and an abort end the iteration and close the connection', async () => {
	const {index, cleanup} = tempIndex();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(index, publisher);
	const admin = new Redis(redis.url);
	const clients = async () =>
		String(await admin.client('LIST'))
			.trim()
			.split('\n').length;
	const controller = new AbortController();
	const idle = await clients();
	const all = watchAll({index, redisUrl: redis.url, ...FAST});
	const aborted = watch(newTraceId(), {index, redisUrl: redis.url, ...FAST, signal: controller.signal});
	const sink = drain(all);
	try {
		await waitFor(() => all.source === 'redis' && aborted.source === 'redis', 'both watchers on Redis');
		assert.equal(await clients(), idle + 2, 'each watcher has its own connection');
		const [a, b] = [newTraceId(), newTraceId()];
		await writer.write([nthEvent(a, 0), nthEvent(b, 0)]);
		await waitFor(() => sink.items.filter(item => item.event.trace_id === a || item.event.trace_id === b).length >= 2, 'both traces');
		const pending = aborted.next();
		controller.abort();
		assert.deepEqual(await pending, {value: undefined, done: true}, 'a pending next() ends on abort');
		await all.return();
		await sink.done;
		// The server notices a closed socket a moment later.
		let open = await clients();
		for (let i = 0; i < 100 && open !== idle; i++) {
			await new Promise(resolve => setTimeout(resolve, 20));
			open = await clients();
		}

		assert.equal(open, idle, 'connections closed');
	} finally {
		await all.close();
		await aborted.close();
		admin.disconnect();
		await publisher.close();
		cleanup();
	}
});
