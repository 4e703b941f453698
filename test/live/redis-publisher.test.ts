import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Redis} from 'ioredis';
import {EventWriter} from '../../source/live/event-writer.js';
import {decodeEntry} from '../../source/live/redis-entry.js';
import {ACTIVE_STREAM, traceStream} from '../../source/live/redis-keys.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {captureLogger, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {testRedisForFile} from '../helpers/redis-server.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const redis = testRedisForFile();

test('each stored event goes to its trace stream and traces:active, capped, with a TTL on the trace stream', async () => {
	const {index, cleanup} = tempIndex();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), traceMaxLen: 100, ...TEST_PUBLISHER});
	const admin = new Redis(redis.url);
	try {
		assert.equal(publisher.connected, true, 'creation waits for the connection');
		const writer = new EventWriter(new SqliteStore(index), publisher);
		const traceId = newTraceId();
		const written = await writer.write(Array.from({length: 300}, (_, n) => nthEvent(traceId, n)));
		await publisher.flush();
		const key = traceStream(traceId);
		assert.equal(key, `trace:{${traceId}}`);
		const len = await admin.xlen(key);
		assert.ok(len >= 100 && len < 300, `MAXLEN ~ 100 trims the trace stream (got ${len})`);
		const ttl = await admin.ttl(key);
		assert.ok(ttl > 3500 && ttl <= 3600, `1 h TTL (got ${ttl})`);
		const [last] = await admin.xrevrange(key, '+', '-', 'COUNT', 1);
		const entry = decodeEntry(last![0], last![1]);
		assert.deepEqual(entry?.event, nthEvent(traceId, 299));
		assert.equal(entry?.storedId, written.inserted.at(-1)!.id, 'the SQLite id rides along');
		const active = await admin.xrevrange(ACTIVE_STREAM, '+', '-', 'COUNT', 300);
		assert.equal(active.map(([id, fields]) => decodeEntry(id, fields)).filter(e => e?.event.trace_id === traceId).length, 300);
		assert.equal(publisher.failures, 0);
	} finally {
		admin.disconnect();
		await publisher.close();
		cleanup();
	}
});

test('with Redis down, writes still succeed in SQLite; failures are counted and each outage warned about once', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const {index, cleanup} = tempIndex();
	const logger = captureLogger();
	const publisher = await createRedisPublisher(redis.url, {logger, ...TEST_PUBLISHER});
	const writer = new EventWriter(new SqliteStore(index), publisher);
	const traceId = newTraceId();
	let n = 0;
	try {
		await writer.write([nthEvent(traceId, n++)]);
		await publisher.flush();
		assert.equal(publisher.failures, 0);

		await redis.kill();
		for (let i = 0; i < 20; i++) {
			const started = Date.now();
			const result = await writer.write([nthEvent(traceId, n++), nthEvent(traceId, n++)]);
			assert.equal(result.inserted.length, 2, 'SQLite takes the write');
			assert.ok(Date.now() - started < 1000, 'a dead Redis does not hold the write up');
		}

		await publisher.flush();
		assert.equal(index.events(traceId).length, 41);
		assert.ok(publisher.failures >= 38, `failed publishes are counted (got ${publisher.failures})`);
		assert.equal(logger.messages.length, 1, `one warning for the outage, got: ${logger.messages.join(' | ')}`);
		assert.match(logger.messages[0]!, /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);

		await redis.restart();
		await waitFor(() => publisher.connected, 'the publisher to reconnect');
		const failuresBefore = publisher.failures;
		await writer.write([nthEvent(traceId, n++)]);
		await publisher.flush();
		assert.equal(publisher.failures, failuresBefore, 'publishing works again');

		await redis.kill();
		await writer.write([nthEvent(traceId, n++)]);
		await publisher.flush();
		await waitFor(() => logger.messages.length === 2, 'a second warning for the second outage');
		await redis.restart();
	} finally {
		await publisher.close();
		cleanup();
	}
});

test('publish never throws, and a closed publisher counts what it was given', async () => {
	const logger = captureLogger();
	const publisher = await createRedisPublisher(redis.url, {logger, ...TEST_PUBLISHER});
	await publisher.close();
	assert.doesNotThrow(() => publisher.publish([nthEvent(newTraceId(), 0)]));
	assert.equal(publisher.failures, 1);
	assert.equal(logger.messages.length, 0, 'closing is not an outage');
});

test('an unreachable Redis at start: creation gives up waiting, warns once, never throws', async () => {
	const logger = captureLogger();
	// Port 1 on localhost refuses connections.
	const publisher = await createRedisPublisher('redis://:secret@127.0.0.1:1', {logger, connectWaitMs: 300, reconnectMaxMs: 50});
	try {
		assert.equal(publisher.connected, false);
		publisher.publish([nthEvent(newTraceId(), 0)]);
		await new Promise(resolve => setTimeout(resolve, 200));
		assert.equal(publisher.failures, 1);
		assert.equal(logger.messages.length, 1);
		assert.doesNotMatch(logger.messages[0]!, /secret/, 'the password stays out of logs');
	} finally {
		await publisher.close();
	}
});
