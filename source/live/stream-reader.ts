import type {Redis} from 'ioredis';

export interface StreamReaderOptions {
	/** Longest XREAD BLOCK the caller will ask for; the command timeout sits above it. */
	maxBlockMs: number;
	/** Cap of the reconnect backoff. */
	reconnectMaxMs: number;
}

export type RawEntry = [id: string, fields: string[]];

/**
 * One reader's own connection (XREAD BLOCK holds a connection for its whole
 * wait). Commands fail at once while disconnected and an in-flight XREAD
 * fails when the connection drops, so the watcher notices an outage right
 * away; ioredis keeps reconnecting in the background and says when it is back.
 */
export class StreamReader {
	private readonly redis: Redis;
	private readonly readyListeners = new Set<() => void>();
	private closed = false;

	/** ioredis is imported dynamically: a watcher without a Redis URL never loads it. */
	static async open(url: string, options: StreamReaderOptions): Promise<StreamReader> {
		const {Redis: RedisClient} = await import('ioredis');
		return new StreamReader(
			new RedisClient(url, {
				enableOfflineQueue: false,
				maxRetriesPerRequest: 0,
				autoResendUnfulfilledCommands: false,
				// A half-open connection would otherwise leave XREAD waiting forever.
				commandTimeout: options.maxBlockMs + 3000,
				connectTimeout: 2000,
				retryStrategy: times => Math.min(50 * 2 ** Math.min(times, 10), options.reconnectMaxMs),
			}),
		);
	}

	private constructor(redis: Redis) {
		this.redis = redis;
		// The watcher reports outages through its source; errors here are expected noise.
		this.redis.on('error', () => {});
		this.redis.on('ready', () => {
			for (const listener of [...this.readyListeners]) {
				listener();
			}
		});
	}

	get ready(): boolean {
		return !this.closed && this.redis.status === 'ready';
	}

	/** Call `listener` whenever the connection becomes ready; returns the unsubscribe. */
	onReady(listener: () => void): () => void {
		this.readyListeners.add(listener);
		return () => this.readyListeners.delete(listener);
	}

	/** Entries after `afterId`, waiting up to blockMs for the first; [] when none came. */
	async read(key: string, afterId: string, blockMs: number, count: number): Promise<RawEntry[]> {
		const reply = await this.redis.xread('COUNT', count, 'BLOCK', Math.max(1, Math.round(blockMs)), 'STREAMS', key, afterId);
		return reply?.[0]?.[1] ?? [];
	}

	close(): void {
		this.closed = true;
		this.readyListeners.clear();
		this.redis.disconnect();
	}
}
