import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {LiveStatus} from '../../source/live/change-feed.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {createLiveChangeFeed} from '../../source/live/live-change-feed.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {captureLogger, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {testRedisForFile} from '../helpers/redis-server.js';

const redis = testRedisForFile();

test('the live feed reports changed traces from Redis, with source and lag; polling while Redis is down', async () => {
	const {index, cleanup} = tempIndex();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(new SqliteStore(index), publisher);
	const feed = createLiveChangeFeed({store: new SqliteStore(index), redisUrl: redis.url, coalesceMs: 20, watch: {pollMs: 50, reconnectMaxMs: 100}});
	const changes: string[][] = [];
	const statuses: LiveStatus[] = [];
	feed.onChange(traceIds => changes.push([...traceIds]));
	feed.onStatus(status => statuses.push(status));
	const seen = (traceId: string) => changes.some(batch => batch.includes(traceId));
	try {
		await waitFor(() => feed.status().source === 'redis', 'the feed on Redis');
		const [a, b] = [newTraceId(), newTraceId()];
		await writer.write([nthEvent(a, 0), nthEvent(b, 0), nthEvent(a, 1)]);
		await waitFor(() => seen(a) && seen(b), 'both traces reported');
		assert.ok(
			changes.some(batch => batch.includes(a) && batch.includes(b)),
			'a burst is one change',
		);
		assert.equal(typeof feed.status().lagMs, 'number');

		if (redis.controllable) {
			await redis.kill();
			await waitFor(() => feed.status().source === 'polling', 'the switch to polling');
			const c = newTraceId();
			await writer.write([nthEvent(c, 0)]);
			await waitFor(() => seen(c), 'a change seen by polling');
			await redis.restart();
			await waitFor(() => feed.status().source === 'redis', 'back on Redis');
			assert.deepEqual([...new Set(statuses.map(status => status.source))], ['redis', 'polling']);
		}
	} finally {
		await feed.close();
		await publisher.close();
		cleanup();
	}
});

test('without a Redis URL it is the polling feed', async () => {
	const {index, cleanup} = tempIndex();
	const feed = createLiveChangeFeed({store: new SqliteStore(index), watch: {pollMs: 30}});
	try {
		const changes: string[][] = [];
		feed.onChange(traceIds => changes.push([...traceIds]));
		const traceId = newTraceId();
		await new EventWriter(new SqliteStore(index)).write([nthEvent(traceId, 0)]);
		await waitFor(() => changes.some(batch => batch.includes(traceId)), 'the change');
		assert.equal(feed.status().source, 'polling');
	} finally {
		await feed.close();
		cleanup();
	}
});
