import type {TraceEvent} from '../core/trace-event.js';
import type {StoredEvent} from '../store/run-index.js';
import type {EventPublisher} from './event-publisher.js';
import {redactRedisUrl, STDERR_LOGGER, type LiveLogger} from './live-logger.js';
import {entryFields} from './redis-entry.js';
import {openRedisClient, type RedisClient} from './redis-client.js';
import {ACTIVE_SHARDS, ACTIVE_STREAM_MAXLEN, activeStreamOf, TRACE_STREAM_MAXLEN, TRACE_STREAM_TTL_SECONDS, traceStream} from './redis-keys.js';
import {isClusterTarget} from './redis-url.js';

export interface RedisPublisherOptions {
	logger?: LiveLogger;
	/** MAXLEN ~ of each trace:{id} stream. */
	traceMaxLen?: number;
	/** MAXLEN ~ of traces:active (on a cluster, shared out over its shards). */
	activeMaxLen?: number;
	/** EXPIRE of each trace:{id} stream, refreshed on every publish. */
	ttlSeconds?: number;
	/** A publish that takes longer fails (and counts) instead of piling up. */
	commandTimeoutMs?: number;
	/** Cap of the reconnect backoff. */
	reconnectMaxMs?: number;
	/** How long creation waits for the first connection, so a run's first events are not dropped (default 1000 ms). */
	connectWaitMs?: number;
	/**
	 * On a cluster, how long without a failed write ends an outage (default
	 * 5000 ms). Writes to the nodes that are up keep succeeding while one is
	 * down: a success alone does not mean the outage is over.
	 */
	clusterQuietMs?: number;
}

export interface RedisPublisher extends EventPublisher {
	/** True while the connection is up. */
	readonly connected: boolean;
	/** Wait for the publishes in flight (for shutdown and tests); never rejects. */
	flush(): Promise<void>;
}

interface Outgoing {
	traceId: string;
	body: string;
	storedId: number | undefined;
}

function waitForReady(redis: RedisClient, ms: number): Promise<void> {
	if (redis.status === 'ready') {
		return Promise.resolve();
	}

	return new Promise(resolve => {
		const done = () => {
			clearTimeout(timer);
			redis.off('ready', done);
			resolve();
		};

		const timer = setTimeout(done, ms);
		redis.once('ready', done);
	});
}

/**
 * Dual-write's second half: XADD each stored event to its trace stream and to
 * traces:active, pipelined. On a Redis Cluster each command goes alone to the
 * node of its key's slot (ioredis routes it and follows MOVED/ASK; a
 * pipeline or MULTI must not mix slots), and the stream of every event is
 * the trace's shard of it (redis-keys.ts). Redis trouble never reaches the writer: without a
 * connection commands fail at once (no offline queue), in-flight ones fail on
 * disconnect (no retries) or after the command timeout, every event not
 * published is counted, and each outage is reported once.
 *
 * ioredis is imported dynamically (redis-client.ts), so that importing this
 * module costs nothing where Redis is not configured. Resolves once connected, or after
 * connectWaitMs with the connection still trying in the background.
 */
export async function createRedisPublisher(url: string, options: RedisPublisherOptions = {}): Promise<RedisPublisher> {
	const cluster = isClusterTarget(url);
	const logger = options.logger ?? STDERR_LOGGER;
	const traceMaxLen = options.traceMaxLen ?? TRACE_STREAM_MAXLEN;
	// The window of every event stays the same size in all: each shard holds its share.
	const activeMaxLen = cluster ? Math.ceil((options.activeMaxLen ?? ACTIVE_STREAM_MAXLEN) / ACTIVE_SHARDS) : (options.activeMaxLen ?? ACTIVE_STREAM_MAXLEN);
	const ttlSeconds = options.ttlSeconds ?? TRACE_STREAM_TTL_SECONDS;
	const reconnectMaxMs = options.reconnectMaxMs ?? 2000;
	const quietMs = cluster ? (options.clusterQuietMs ?? 5000) : 0;
	const redis = await openRedisClient(url, {
		commandTimeout: options.commandTimeoutMs ?? 2000,
		connectTimeout: 2000,
		retryStrategy: times => Math.min(50 * 2 ** Math.min(times, 10), reconnectMaxMs),
	});
	const where = `${cluster ? 'Redis Cluster' : 'Redis'} at ${redactRedisUrl(url)}`;
	let failures = 0;
	let down = false;
	let lastFailureMs = 0;
	let closing = false;
	const inFlight = new Set<Promise<void>>();

	const markDown = (reason: string): void => {
		lastFailureMs = Date.now();
		if (closing || down) {
			return;
		}

		down = true;
		logger.warn(`${where} is unreachable (${reason}); events still go to SQLite, and live views poll it until Redis is back`);
	};

	const markUp = (): void => {
		if (Date.now() - lastFailureMs >= quietMs) {
			down = false;
		}
	};

	// Without an 'error' listener ioredis prints every failed reconnect itself.
	redis.on('error', (error: Error) => markDown(error.message));
	redis.on('close', () => markDown('connection closed'));
	// A cluster node's own trouble: its commands fail (and warn) if it matters; the others go on.
	redis.on('node error', () => {});
	redis.on('ready', markUp);

	await waitForReady(redis, options.connectWaitMs ?? 1000);

	const send = (items: readonly Outgoing[]): void => {
		if (items.length === 0) {
			return;
		}

		if (closing || redis.status !== 'ready') {
			failures += items.length;
			markDown(closing ? 'publisher closed' : `connection ${redis.status}`);
			return;
		}

		const commands: Array<[string, ...Array<string | number>]> = [];
		const traces = new Set<string>();
		for (const item of items) {
			const fields = entryFields(item.body, item.storedId);
			commands.push(['xadd', traceStream(item.traceId), 'MAXLEN', '~', traceMaxLen, '*', ...fields]);
			commands.push(['xadd', activeStreamOf(item.traceId, cluster), 'MAXLEN', '~', activeMaxLen, '*', ...fields]);
			traces.add(item.traceId);
		}

		for (const traceId of traces) {
			commands.push(['expire', traceStream(traceId), ttlSeconds]);
		}

		// On a cluster one call per command, in order: ioredis sends each to its slot's node, so a key's entries keep their order there.
		const results: Promise<Array<[Error | null, unknown]> | null> = cluster
			? Promise.all(
					commands.map(([name, ...args]) =>
						redis.call(name, ...args).then(
							(value): [Error | null, unknown] => [null, value],
							(error: unknown): [Error | null, unknown] => [error instanceof Error ? error : new Error(String(error)), null],
						),
					),
				)
			: redis.pipeline(commands).exec();
		const done: Promise<void> = results
			.then(
				results => {
					let failed = 0;
					let firstError: Error | undefined;
					for (let i = 0; i < items.length; i++) {
						const error = results?.[2 * i]?.[0] ?? results?.[2 * i + 1]?.[0] ?? (results ? null : new Error('no reply'));
						if (error) {
							failed++;
							firstError ??= error;
						}
					}

					if (failed > 0) {
						failures += failed;
						markDown(firstError!.message);
					} else {
						markUp();
					}
				},
				(error: unknown) => {
					failures += items.length;
					markDown(error instanceof Error ? error.message : String(error));
				},
			)
			.finally(() => {
				inFlight.delete(done);
			});
		inFlight.add(done);
	};

	const guarded = (items: () => Outgoing[], count: number): void => {
		try {
			send(items());
		} catch (error) {
			// publish never throws into the write path.
			failures += count;
			markDown(error instanceof Error ? error.message : String(error));
		}
	};

	return {
		publish(events: readonly TraceEvent[]) {
			guarded(() => events.map(event => ({traceId: event.trace_id, body: JSON.stringify(event), storedId: undefined})), events.length);
		},
		publishStored(events: readonly StoredEvent[]) {
			guarded(() => events.map(({id, event}) => ({traceId: event.trace_id, body: JSON.stringify(event), storedId: id})), events.length);
		},
		get failures() {
			return failures;
		},
		get connected() {
			return redis.status === 'ready';
		},
		async flush() {
			await Promise.allSettled([...inFlight]);
		},
		async close() {
			if (closing) {
				return;
			}

			closing = true;
			await Promise.allSettled([...inFlight]);
			if (redis.status === 'ready') {
				const quit = redis.quit().then(
					() => true,
					() => false,
				);
				const timedOut = new Promise<boolean>(resolve => setTimeout(() => resolve(false), 1000).unref());
				if (await Promise.race([quit, timedOut])) {
					return;
				}
			}

			redis.disconnect();
		},
	};
}
