import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Redis} from 'ioredis';
import {EventWriter} from '../../source/live/event-writer.js';
import {watch, watchAll} from '../../source/live/watch.js';
import {drain, lineOf, newTraceId, nthEvent, waitFor} from './live-helpers.js';
import {FAST_WATCH, liveTrace, writeThroughOutage} from '../helpers/live-watch.js';
import {testRedisForFile} from '../helpers/redis-server.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const redis = testRedisForFile();

test('without Redis the watcher polls SQLite and delivers new events in order', async () => {
	const live = await liveTrace();
	await live.writer.write([nthEvent(live.traceId, 0)]);
	const {stream, sink} = live.watch();
	try {
		for (let n = 1; n <= 20; n++) {
			await live.writer.write([nthEvent(live.traceId, n)]);
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
		await live.close();
	}
});

test('events written while a watch runs arrive from Redis, all of them, in order', async () => {
	const live = await liveTrace({publishTo: redis.url});
	const {stream, sink, sources} = live.watch({redisUrl: redis.url});
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		const expected: string[] = [];
		for (let n = 0; n < 300; n += 3) {
			// Batches of three: one transaction, one pipeline.
			const batch = [nthEvent(live.traceId, n), nthEvent(live.traceId, n + 1), nthEvent(live.traceId, n + 2)];
			await live.writer.write(batch);
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
		assert.equal(live.publisher?.failures, 0);
	} finally {
		await live.close();
	}
});

test('afterEventId replays the stored backlog from SQLite at once, then goes on live from Redis', async () => {
	const live = await liveTrace({publishTo: redis.url});
	for (let n = 0; n < 1200; n += 100) {
		await live.writer.write(Array.from({length: 100}, (_, i) => nthEvent(live.traceId, n + i)));
	}

	// A long grace: the backlog must not wait for the reconcile to find it.
	const {stream, sink} = live.watch({redisUrl: redis.url, graceMs: 60_000, afterEventId: 0});
	try {
		await waitFor(() => sink.items.length >= 1200, 'the backlog');
		assert.ok(sink.items.every(item => item.source === 'polling'));
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		await live.writer.write([nthEvent(live.traceId, 1200)]);
		await waitFor(() => sink.items.length >= 1201, 'a live event');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['start', ...Array.from({length: 1200}, (_, i) => `line ${i + 1}`)],
		);
		assert.equal(sink.items.at(-1)!.source, 'redis');
	} finally {
		await live.close();
	}
});

test('an event whose publish failed is delivered from SQLite before the next Redis entry, keeping order', async () => {
	const live = await liveTrace({publishTo: redis.url});
	const sqliteOnly = new EventWriter(new SqliteStore(live.index));
	// A long grace: only the SQLite id on the next entry can bring the missing one this early.
	const {stream, sink} = live.watch({redisUrl: redis.url, graceMs: 60_000});
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		await sqliteOnly.write([nthEvent(live.traceId, 1)]);
		await live.writer.write([nthEvent(live.traceId, 2)]);
		await waitFor(() => sink.items.length >= 2, 'two events');
		assert.deepEqual(
			sink.items.map(item => [lineOf(item.event), item.source]),
			[
				['line 1', 'polling'],
				['line 2', 'redis'],
			],
		);
	} finally {
		await live.close();
	}
});

test('a writer that cannot reach Redis while the reader can still reaches the reader, from SQLite', async () => {
	// The writer publishes nowhere; only the reader is on Redis.
	const live = await liveTrace();
	const {stream, sink} = live.watch({redisUrl: redis.url, graceMs: 100});
	try {
		await waitFor(() => stream.source === 'redis', 'the watcher on Redis');
		for (let n = 0; n < 10; n++) {
			await live.writer.write([nthEvent(live.traceId, n)]);
		}

		await waitFor(() => sink.items.length >= 10, '10 events');
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['start', ...Array.from({length: 9}, (_, i) => `line ${i + 1}`)],
		);
		assert.ok(sink.items.every(item => item.source === 'polling'));
		assert.equal(stream.source, 'redis', 'the reader itself stays on Redis');
	} finally {
		await live.close();
	}
});

test('Redis killed mid-watch: polling loses nothing; Redis back: the watch resumes on Redis without duplicates', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const live = await liveTrace({publishTo: redis.url});
	const watching = live.watch({redisUrl: redis.url});
	const {sink, sources} = watching;
	try {
		const expected = await writeThroughOutage(live, watching, redis, n => [nthEvent(live.traceId, n)]);
		assert.ok(live.publisher!.failures > 0, 'failed publishes are counted');
		const got = sink.items.map(item => lineOf(item.event));
		assert.equal(new Set(got).size, got.length, 'no duplicates');
		assert.deepEqual(got, expected, 'every event, in order');
		assert.deepEqual(sources, ['redis', 'polling', 'redis']);
		assert.ok(
			sink.items.some(item => item.source === 'polling'),
			'the outage was bridged by polling',
		);
		assert.equal(sink.items.at(-1)!.source, 'redis', 'and Redis carries the tail again');
		assert.equal(live.messages.length, 1, `one warning for the outage, got: ${live.messages.join(' | ')}`);
	} finally {
		await live.close();
	}
});

test('watchAll sees every trace; return() and an abort end the iteration and close the connection', async () => {
	const live = await liveTrace({publishTo: redis.url});
	const {index, writer} = live;
	const admin = new Redis(redis.url);
	const clients = async () =>
		String(await admin.client('LIST'))
			.trim()
			.split('\n').length;
	const controller = new AbortController();
	const idle = await clients();
	const all = watchAll({index: new SqliteStore(index), redisUrl: redis.url, ...FAST_WATCH});
	const aborted = watch(newTraceId(), {index: new SqliteStore(index), redisUrl: redis.url, ...FAST_WATCH, signal: controller.signal});
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
		await live.close();
	}
});
