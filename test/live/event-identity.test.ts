import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventWriter} from '../../source/live/event-writer.js';
import type {LiveSource} from '../../source/live/change-feed.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {watch} from '../../source/live/watch.js';
import {captureLogger, drain, lineOf, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';

/*
 * Issue 14, item 1, for live readers: the watcher used to drop an event whose
 * content it had seen, so of two identical events (a line printed twice) only
 * the first reached `runs tail` and the console. Now it tells deliveries
 * apart by their ids: both identical events arrive, each exactly once, also
 * across a Redis outage and the switches to polling and back.
 */

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

const FAST = {pollMs: 50, reconnectMaxMs: 100, reconcileMs: 200, initialConnectMs: 2000};

/** The n-th event twice: identical content, stored as two events (one input, two copies). */
function pair(traceId: string, n: number): TraceEvent[] {
	return [nthEvent(traceId, n), nthEvent(traceId, n)];
}

test('identical events (issue 14.1): polling SQLite, a watch delivers both of two identical events', async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const writer = new EventWriter(index);
	const stream = watch(traceId, {index, ...FAST});
	const sink = drain(stream);
	try {
		await writer.write(pair(traceId, 1));
		await writer.write(pair(traceId, 2));
		await waitFor(() => sink.items.length >= 4, 'four events');
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['line 1', 'line 1', 'line 2', 'line 2'],
		);
	} finally {
		await stream.return();
		await sink.done;
		cleanup();
	}
});

test('identical events (issue 14.1): live watch delivers both identical events exactly once each across a Redis kill and restart', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const {index, cleanup} = tempIndex();
	const traceId = newTraceId();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(index, publisher);
	const sources: LiveSource[] = [];
	const stream = watch(traceId, {index, redisUrl: redis.url, ...FAST, onSource: source => sources.push(source)});
	const sink = drain(stream);
	const expected: string[] = [];
	let n = 1;
	let writing = true;
	const producer = (async () => {
		while (writing) {
			const events = pair(traceId, n++);
			await writer.write(events);
			expected.push(...events.map(event => lineOf(event)));
			await new Promise(resolve => setTimeout(resolve, 5));
		}
	})();
	try {
		await waitFor(() => stream.source === 'redis' && sink.items.length >= 30, '30 events on Redis');
		await redis.kill();
		await waitFor(() => stream.source === 'polling', 'the switch to polling');
		const atKill = expected.length;
		await waitFor(() => expected.length >= atKill + 30 && sink.items.length >= atKill + 20, 'events during the outage');
		await redis.restart();
		await waitFor(() => stream.source === 'redis', 'the switch back to Redis');
		const atRestart = expected.length;
		await waitFor(() => expected.length >= atRestart + 30, 'events after the restart');
		writing = false;
		await producer;
		await waitFor(() => sink.items.length >= expected.length, `all ${expected.length} events`);
		// A repeat would come within a few reconcile rounds.
		await new Promise(resolve => setTimeout(resolve, 500));
		// Every line twice, in order: [line 1, line 1, line 2, line 2, ...]; none once, none three times.
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			expected,
		);
		assert.equal(new Set(sink.items.map(item => item.id)).size, sink.items.length, 'each delivery is its own event');
		assert.deepEqual(sources, ['redis', 'polling', 'redis']);
		assert.ok(sink.items.some(item => item.source === 'polling') && sink.items.some(item => item.source === 'redis'), 'both sources carried pairs');
	} finally {
		writing = false;
		await producer;
		await stream.return();
		await sink.done;
		await publisher.close();
		cleanup();
	}
});
