import {compareStreamIds} from './redis-entry.js';
import {openRedisClient, type RedisClient} from './redis-client.js';

export interface StreamReaderOptions {
	/** Longest XREAD BLOCK the caller will ask for; the command timeout sits above it. */
	maxBlockMs: number;
	/** Cap of the reconnect backoff. */
	reconnectMaxMs: number;
}

/** An entry as XREAD returns it, and the stream it came from. */
export interface KeyedEntry {
	key: string;
	id: string;
	fields: string[];
}

type Outcome = {entries: KeyedEntry[]} | {error: unknown};

interface Shard {
	key: string;
	redis: RedisClient;
	/** The XREAD in flight on this stream's connection, if any; it never rejects. */
	pending: Promise<Outcome> | undefined;
	/** Set once `pending` has settled: taken by the next read. */
	outcome: Outcome | undefined;
}

/**
 * A reader's own connections, one per stream it reads (XREAD BLOCK holds a
 * connection for its whole wait, and on a Redis Cluster one XREAD cannot
 * name keys of different slots, as the shards of the stream of every event
 * are). Each stream has at most one XREAD in flight; a read returns what the
 * first of them to answer brought, with any others that have answered by
 * then, merged in stream-id order. An XREAD still waiting stays in flight for
 * the next read, so nothing it brings is lost; whatever it brings at or before
 * a stream's position (after the caller moved it) is dropped.
 *
 * Commands fail at once while disconnected and an in-flight XREAD fails when
 * its connection drops, so the watcher notices an outage right away; ioredis
 * keeps reconnecting in the background and says when it is back.
 */
export class StreamReader {
	private readonly shards: Shard[];
	private readonly readyListeners = new Set<() => void>();
	private closed = false;

	/** ioredis is imported dynamically (redis-client.ts): a watcher without a Redis URL never loads it. */
	static async open(target: string, keys: readonly string[], options: StreamReaderOptions): Promise<StreamReader> {
		const clients = await Promise.all(
			keys.map(async key => ({
				key,
				redis: await openRedisClient(target, {
					// A half-open connection would otherwise leave XREAD waiting forever.
					commandTimeout: options.maxBlockMs + 3000,
					connectTimeout: 2000,
					retryStrategy: times => Math.min(50 * 2 ** Math.min(times, 10), options.reconnectMaxMs),
				}),
			})),
		);
		return new StreamReader(clients);
	}

	private constructor(clients: ReadonlyArray<{key: string; redis: RedisClient}>) {
		this.shards = clients.map(({key, redis}) => ({key, redis, pending: undefined, outcome: undefined}));
		for (const {redis} of this.shards) {
			// The watcher reports outages through its source; errors here are expected noise.
			redis.on('error', () => {});
			redis.on('node error', () => {});
			redis.on('ready', () => {
				if (this.ready) {
					for (const listener of [...this.readyListeners]) {
						listener();
					}
				}
			});
		}
	}

	/** Every stream's connection is up. */
	get ready(): boolean {
		return !this.closed && this.shards.every(shard => shard.redis.status === 'ready');
	}

	/** Call `listener` whenever the connections become ready; returns the unsubscribe. */
	onReady(listener: () => void): () => void {
		this.readyListeners.add(listener);
		return () => this.readyListeners.delete(listener);
	}

	/** Forget the XREADs in flight (the caller moved its positions): what they bring is dropped. */
	reset(): void {
		for (const shard of this.shards) {
			shard.pending = undefined;
			shard.outcome = undefined;
		}
	}

	/**
	 * Entries after each stream's position, waiting up to blockMs for the
	 * first; [] when none came. Rejects when a stream's XREAD failed.
	 *
	 * @param positions the last id delivered of each stream the reader was opened with
	 */
	async read(positions: ReadonlyMap<string, string>, blockMs: number, count: number): Promise<KeyedEntry[]> {
		for (const shard of this.shards) {
			if (shard.pending === undefined) {
				this.arm(shard, positions.get(shard.key) ?? '$', blockMs, count);
			}
		}

		await Promise.race(this.shards.map(shard => shard.pending));
		const merged: KeyedEntry[] = [];
		let failure: {error: unknown} | undefined;
		for (const shard of this.shards) {
			const {outcome} = shard;
			if (outcome === undefined) {
				continue;
			}

			shard.pending = undefined;
			shard.outcome = undefined;
			if ('error' in outcome) {
				failure ??= outcome;
				continue;
			}

			const after = positions.get(shard.key);
			merged.push(...(after === undefined ? outcome.entries : outcome.entries.filter(entry => compareStreamIds(entry.id, after) > 0)));
		}

		if (failure) {
			throw failure.error;
		}

		// Stable: one stream's entries keep their order; across streams, the older id first.
		return merged.sort((a, b) => compareStreamIds(a.id, b.id));
	}

	private arm(shard: Shard, afterId: string, blockMs: number, count: number): void {
		const pending: Promise<Outcome> = shard.redis.xread('COUNT', count, 'BLOCK', Math.max(1, Math.round(blockMs)), 'STREAMS', shard.key, afterId).then(
			reply => ({entries: (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({key: shard.key, id, fields}))}),
			(error: unknown) => ({error}),
		);
		shard.pending = pending;
		// Registered before read()'s race: the outcome is in place when the race settles.
		void pending.then(outcome => {
			// A reset() or a newer XREAD replaced this one: its outcome is not ours to give.
			if (shard.pending === pending) {
				shard.outcome = outcome;
			}
		});
	}

	close(): void {
		this.closed = true;
		this.readyListeners.clear();
		for (const {redis} of this.shards) {
			redis.disconnect();
		}
	}
}
