import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {lineOf, nthEvent, waitFor} from './live-helpers.js';
import {liveTrace, writeThroughOutage} from '../helpers/live-watch.js';
import {testRedisForFile} from '../helpers/redis-server.js';

/*
 * Issue 14, item 1, for live readers: the watcher used to drop an event whose
 * content it had seen, so of two identical events (a line printed twice) only
 * the first reached `runs tail` and the console. Now it tells deliveries
 * apart by their ids: both identical events arrive, each exactly once, also
 * across a Redis outage and the switches to polling and back.
 */

const redis = testRedisForFile();

/** The n-th event twice: identical content, stored as two events (one input, two copies). */
function pair(traceId: string, n: number): TraceEvent[] {
	return [nthEvent(traceId, n), nthEvent(traceId, n)];
}

test('identical events (issue 14.1): polling SQLite, a watch delivers both of two identical events', async () => {
	const live = await liveTrace();
	const {sink} = live.watch();
	try {
		await live.writer.write(pair(live.traceId, 1));
		await live.writer.write(pair(live.traceId, 2));
		await waitFor(() => sink.items.length >= 4, 'four events');
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			['line 1', 'line 1', 'line 2', 'line 2'],
		);
	} finally {
		await live.close();
	}
});

test('identical events (issue 14.1): live watch delivers both identical events exactly once each across a Redis kill and restart', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const live = await liveTrace({publishTo: redis.url});
	const watching = live.watch({redisUrl: redis.url});
	const {sink, sources} = watching;
	try {
		const expected = await writeThroughOutage(live, watching, redis, n => pair(live.traceId, n), 1);
		// Every line twice, in order: [line 1, line 1, line 2, line 2, ...]; none once, none three times.
		assert.deepEqual(
			sink.items.map(item => lineOf(item.event)),
			expected,
		);
		assert.equal(new Set(sink.items.map(item => item.id)).size, sink.items.length, 'each delivery is its own event');
		assert.deepEqual(sources, ['redis', 'polling', 'redis']);
		assert.ok(sink.items.some(item => item.source === 'polling') && sink.items.some(item => item.source === 'redis'), 'both sources carried pairs');
	} finally {
		await live.close();
	}
});
