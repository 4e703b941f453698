import type {TraceEvent} from '../../source/core/trace-event.js';
import type {LiveSource} from '../../source/live/change-feed.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {createRedisPublisher, type RedisPublisher} from '../../source/live/redis-publisher.js';
import {type LiveEvent, type LiveStream, type WatchOptions, watch} from '../../source/live/watch.js';
import type {RunIndex} from '../../source/store/run-index.js';
import {captureLogger, drain, lineOf, newTraceId, TEST_PUBLISHER, waitFor} from '../live/live-helpers.js';
import type {TestRedis} from './redis-server.js';
import {tempIndex} from './temp-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/** Short intervals keep the fault tests quick; correctness does not depend on them. */
export const FAST_WATCH = {pollMs: 50, reconnectMaxMs: 100, reconcileMs: 200, initialConnectMs: 2000} as const;

export interface Watching {
	stream: LiveStream;
	/** What the stream delivered so far, and its end. */
	sink: {items: LiveEvent[]; done: Promise<void>};
	/** Every source the watcher told, in order. */
	sources: LiveSource[];
}

/** A fresh home and trace with a writer, publishing to Redis when given one; watch() it, then close() it all. */
export interface LiveTrace {
	index: RunIndex;
	traceId: string;
	writer: EventWriter;
	publisher: RedisPublisher | undefined;
	/** The publisher's warnings. */
	messages: string[];
	/** Watch this trace with FAST_WATCH and `options`; closed by close(). */
	watch(options?: Omit<WatchOptions, 'index' | 'onSource'>): Watching;
	/** End every watch (awaiting what it was delivering), close the publisher, remove the home. */
	close(): Promise<void>;
}

export async function liveTrace(options: {publishTo?: string} = {}): Promise<LiveTrace> {
	const {index, cleanup} = tempIndex();
	const logger = captureLogger();
	const publisher = options.publishTo === undefined ? undefined : await createRedisPublisher(options.publishTo, {logger, ...TEST_PUBLISHER});
	const traceId = newTraceId();
	const watches: Watching[] = [];
	return {
		index,
		traceId,
		writer: new EventWriter(new SqliteStore(index), publisher),
		publisher,
		messages: logger.messages,
		watch(watchOptions = {}) {
			const sources: LiveSource[] = [];
			const stream = watch(traceId, {index: new SqliteStore(index), ...FAST_WATCH, ...watchOptions, onSource: source => sources.push(source)});
			const watching = {stream, sink: drain(stream), sources};
			watches.push(watching);
			return watching;
		},
		async close() {
			for (const {stream, sink} of watches) {
				await stream.return();
				await sink.done;
			}

			await publisher?.close();
			cleanup();
		},
	};
}

/**
 * A run that never stops for an outage: writes next(first), next(first + 1),
 * ... every 5 ms while Redis is killed (once the watch is on Redis with 30
 * events) and restarted (after 30 more were written and 20 delivered by
 * polling). Returns the lines written, in order, once the watch has as many
 * and half a second more has passed: a repeat would come within a few
 * reconcile rounds.
 */
export async function writeThroughOutage(trace: LiveTrace, {stream, sink}: Watching, redis: TestRedis, next: (n: number) => TraceEvent[], first = 0): Promise<string[]> {
	const expected: string[] = [];
	let n = first;
	let writing = true;
	const producer = (async () => {
		while (writing) {
			const events = next(n++);
			await trace.writer.write(events);
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
	} finally {
		writing = false;
		await producer;
	}

	await waitFor(() => sink.items.length >= expected.length, `all ${expected.length} events`);
	await new Promise(resolve => setTimeout(resolve, 500));
	return expected;
}
