import type {StoredEvent} from '../store/run-index.js';
import type {StoreSubscription} from '../store/store.js';
import type {LiveSource} from './change-feed.js';
import type {LiveEvent, LiveStream, WatchOptions} from './live-event.js';
import {compareStreamIds, decodeEntry, streamIdAt, type DecodedEntry} from './redis-entry.js';
import {SeenSet} from './seen-set.js';
import {sleep} from './sleep.js';
import {StreamReader} from './stream-reader.js';

/** Events read per XREAD or SQLite query. */
const BATCH = 500;
/** Queued events beyond which the pump waits for the consumer. */
const HIGH_WATER = 1000;
/** While the store's notifications work, the safety poll runs this many times slower than pollMs. */
const NOTIFIED_POLL_FACTOR = 10;

type Waiter = {resolve: (result: IteratorResult<LiveEvent>) => void; reject: (error: unknown) => void};

/**
 * What one delivery is, for the seen-set. Never the content: two identical
 * events are two events. An event of our run index is its row (one row per
 * stored identity), whether SQLite or a Redis entry carrying its SQLite id
 * brought it; an entry that is not ours (another home's writer, or none
 * given) is its stream entry, which a rewound XREAD brings back unchanged.
 */
function storedKey(id: number): string {
	return `s:${id}`;
}

function entryKey(key: string, streamId: string): string {
	// Stream ids are unique within a stream only: the shards of the stream of every event each have their own.
	return `r:${key}:${streamId}`;
}

function laterId(a: string, b: string): string {
	return compareStreamIds(a, b) >= 0 ? a : b;
}

/**
 * One live reader: XREAD BLOCK on its own connection while Redis is up,
 * polling the run index while it is not, one ordered stream of events either
 * way. It reads one stream, or (the stream of every event on a Redis Cluster)
 * several shards at once, merged: the SQLite id on each entry puts them back
 * in the run index's order, as below.
 *
 * No loss: `sqlCursor` is a SQLite event id at or below which every event (of
 * this scope) has been delivered. Polling advances it directly; on Redis,
 * entries carry the writer's SQLite id, so before delivering entry n the
 * events below n that Redis did not bring are delivered from SQLite, and a
 * periodic check delivers any that stay missing from Redis (a writer that
 * cannot reach Redis while this reader can).
 * No duplicates: the cursor, and a bounded set of what was delivered (the
 * SQLite id of our events, the stream id of others), drop anything delivered
 * before, while two identical events, having their own ids, are both delivered.
 */
export class LiveWatcher implements LiveStream {
	private readonly queue: LiveEvent[] = [];
	private readonly waiters: Waiter[] = [];
	private readonly wakers = new Set<() => void>();
	private readonly seen: SeenSet;
	/** Reconcile: SQLite ids unseen on Redis → when first noticed. */
	private readonly missing = new Map<number, number>();
	private readonly pumpDone: Promise<void>;
	private readonly onAbort = () => void this.close();
	private mode: LiveSource = 'polling';
	private closed = false;
	private failure: {error: unknown} | undefined;
	private reader: StreamReader | undefined;
	private sqlCursor = 0;
	/** The last stream id read from each key. */
	private readonly redisIds = new Map<string, string>();
	private lastReconcile = 0;
	private redisRetryAt = 0;
	private readonly startedMs = Date.now();
	/** The newest stored event when we started: what came before is the run index's to deliver, not Redis's. */
	private startMaxId = 0;
	/** The store's own change notifications (PostgreSQL's LISTEN/NOTIFY), while they work. */
	private subscription: StoreSubscription | undefined;
	/** A notification came since the last read of the store: read again before sleeping. */
	private notified = false;

	private readonly pollMs: number;
	private readonly blockMs: number;
	private readonly reconcileMs: number;
	private readonly graceMs: number;
	private readonly resumeSafetyMs: number;
	private readonly redisRetryMs: number;

	constructor(
		private readonly keys: readonly string[],
		private readonly traceId: string | undefined,
		private readonly options: WatchOptions,
	) {
		this.pollMs = options.pollMs ?? 500;
		this.blockMs = options.blockMs ?? 2000;
		this.reconcileMs = options.reconcileMs ?? 1000;
		this.graceMs = options.graceMs ?? 2000;
		this.resumeSafetyMs = options.resumeSafetyMs ?? 2000;
		this.redisRetryMs = options.redisRetryMs ?? 5000;
		this.seen = new SeenSet(options.seenCapacity);
		if (options.signal?.aborted) {
			this.closed = true;
			this.pumpDone = Promise.resolve();
		} else {
			options.signal?.addEventListener('abort', this.onAbort, {once: true});
			// Starts now: the cursor (the newest stored event, by default) is read before anything else can be stored.
			this.pumpDone = this.pump();
		}
	}

	get source(): LiveSource {
		return this.mode;
	}

	[Symbol.asyncIterator](): this {
		return this;
	}

	async next(): Promise<IteratorResult<LiveEvent>> {
		const value = this.queue.shift();
		if (value !== undefined) {
			if (this.queue.length < HIGH_WATER / 2) {
				this.wake();
			}

			return {value, done: false};
		}

		if (this.failure) {
			const {error} = this.failure;
			this.failure = undefined;
			throw error;
		}

		if (this.closed) {
			return {value: undefined, done: true};
		}

		return new Promise((resolve, reject) => {
			this.waiters.push({resolve, reject});
		});
	}

	async return(): Promise<IteratorResult<LiveEvent>> {
		await this.close();
		return {value: undefined, done: true};
	}

	async close(): Promise<void> {
		if (!this.closed) {
			this.closed = true;
			this.queue.length = 0;
			this.reader?.close();
			this.wake();
			for (const waiter of this.waiters.splice(0)) {
				waiter.resolve({value: undefined, done: true});
			}
		}

		this.options.signal?.removeEventListener('abort', this.onAbort);
		await this.pumpDone;
	}

	private emit(value: LiveEvent): void {
		if (this.closed) {
			return;
		}

		const waiter = this.waiters.shift();
		if (waiter) {
			waiter.resolve({value, done: false});
		} else {
			this.queue.push(value);
		}
	}

	private fail(error: unknown): void {
		this.closed = true;
		const waiter = this.waiters.shift();
		if (waiter) {
			waiter.reject(error);
		} else {
			this.failure = {error};
		}

		for (const rest of this.waiters.splice(0)) {
			rest.resolve({value: undefined, done: true});
		}
	}

	private wake(): void {
		for (const waker of [...this.wakers]) {
			waker();
		}
	}

	/** Sleep until `ms` passes, the consumer or close() wakes us, or (optionally) Redis comes back. */
	private async nap(ms: number, onRedisReady = false): Promise<void> {
		await sleep(ms, undefined, done => {
			this.wakers.add(done);
			const off = onRedisReady ? this.reader?.onReady(done) : undefined;
			return () => {
				this.wakers.delete(done);
				off?.();
			};
		});
	}

	private setSource(source: LiveSource, force = false): void {
		if (source !== this.mode || force) {
			this.mode = source;
			this.options.onSource?.(source);
		}
	}

	private async pump(): Promise<void> {
		try {
			await this.start();
			while (!this.closed) {
				if (this.queue.length >= HIGH_WATER) {
					await this.nap(this.pollMs);
				} else if (this.mode === 'redis') {
					await this.redisStep();
				} else {
					await this.pollStep();
				}
			}
		} catch (error) {
			if (!this.closed) {
				this.fail(error);
			}
		} finally {
			this.reader?.close();
			await this.subscription?.close().catch(() => undefined);
		}
	}

	private async start(): Promise<void> {
		// Asked first, before any await: an embedded store answers at once, so the cursor is as of the watch's creation.
		this.startMaxId = await this.options.index.maxEventId();
		await this.subscribe();
		this.sqlCursor = Math.min(this.options.afterEventId ?? this.startMaxId, this.startMaxId);
		if (this.options.redisUrl !== undefined) {
			const reader = await StreamReader.open(this.options.redisUrl, this.keys, {maxBlockMs: this.blockMs, reconnectMaxMs: this.options.reconnectMaxMs ?? 1000});
			this.reader = reader;
			if (this.closed) {
				reader.close();
				return;
			}

			if (!this.reader.ready) {
				await this.nap(this.options.initialConnectMs ?? 1000, true);
			}

			if (this.reader.ready && !this.closed) {
				await this.switchToRedis(true);
			}
		}

		if (this.mode === 'polling') {
			this.setSource('polling', true);
		}
	}

	/**
	 * Where the store can say when events are stored (PostgreSQL), read when
	 * it does instead of on a timer; the timer stays, slower, as the safety
	 * net, and takes over at its own pace if the notifications stop. What is
	 * stored between the cursor and the subscription is read by the first
	 * poll step, which reads before it waits.
	 */
	private async subscribe(): Promise<void> {
		const {index} = this.options;
		if (index.subscribe === undefined) {
			return;
		}

		try {
			// Called on the index, not detached from it: PostgresStore.subscribe is a method that needs its `this`.
			this.subscription = await index.subscribe(
				() => {
					this.notified = true;
					this.wake();
				},
				() => {
					this.subscription = undefined;
				},
			);
		} catch {
			// No notifications (the server refused LISTEN): polling alone still delivers everything.
		}
	}

	private async pollStep(): Promise<void> {
		this.notified = false;
		await this.drainSqlite();
		if (this.reader?.ready && Date.now() >= this.redisRetryAt) {
			await this.switchToRedis(false);
			return;
		}

		if (!this.notified) {
			await this.nap(this.subscription === undefined ? this.pollMs : this.pollMs * NOTIFIED_POLL_FACTOR, true);
		}
	}

	/**
	 * Start reading Redis where it can hold what we have not seen. After an
	 * outage: catch up from SQLite first, then read from the later of our last
	 * id and the switch time less a safety margin; the seen-set drops what
	 * polling already gave. At start: from the start time less the margin,
	 * without draining, so that events stored while we connected still come
	 * by Redis; entries of events at or below the start cursor are recognised
	 * by their SQLite id and dropped. (The ids come from our clock: a Redis
	 * clock far behind it only delays events, which the SQLite checks bring.)
	 */
	private async switchToRedis(initial: boolean): Promise<void> {
		const switchMs = Date.now();
		if (initial) {
			// A caller replaying from an older id gets that backlog from SQLite at once.
			await this.drainSqlite(this.startMaxId);
		} else {
			await this.drainSqlite();
		}

		const from = streamIdAt((initial ? this.startedMs : switchMs) - this.resumeSafetyMs);
		for (const key of this.keys) {
			this.redisIds.set(key, initial ? from : laterId(this.redisIds.get(key) ?? '0-0', from));
		}

		// An XREAD still in flight from before the outage reads from an older position: start afresh.
		this.reader?.reset();

		this.missing.clear();
		this.lastReconcile = Date.now();
		this.setSource('redis', initial);
	}

	private switchToPolling(): void {
		// A command that failed on a live connection (timeout, wrong key type) must not flip straight back.
		// (On a cluster a node can be down while the client is ready: its commands fail, so retry at this pace.)
		this.redisRetryAt = this.reader?.ready ? Date.now() + this.redisRetryMs : 0;
		this.missing.clear();
		this.setSource('polling');
	}

	private async redisStep(): Promise<void> {
		if (Date.now() - this.lastReconcile >= this.reconcileMs) {
			await this.reconcile(Date.now());
			this.lastReconcile = Date.now();
		}

		const block = Math.max(1, Math.min(this.blockMs, this.reconcileMs - (Date.now() - this.lastReconcile)));
		let raw;
		try {
			raw = await this.reader!.read(this.redisIds, block, BATCH);
		} catch {
			if (!this.closed) {
				this.switchToPolling();
			}

			return;
		}

		for (const {key, id, fields} of raw) {
			if (this.closed) {
				return;
			}

			this.redisIds.set(key, id);
			const entry = decodeEntry(id, fields);
			if (entry) {
				await this.deliverEntry(key, entry);
			}
		}
	}

	private async deliverEntry(key: string, entry: DecodedEntry): Promise<void> {
		let ours = false;
		if (entry.storedId !== undefined) {
			if (entry.storedId > this.sqlCursor) {
				ours = await this.catchUpTo(entry);
			} else if (await this.storedAs(entry)) {
				// At or below the cursor and ours: delivered already (or history before the start).
				return;
			}
		}

		if (this.seen.add(ours ? storedKey(entry.storedId!) : entryKey(key, entry.id))) {
			this.emit({id: entry.id, event: entry.event, source: 'redis'});
		}
	}

	/** Is this entry the event our run index holds under its SQLite id (same home, not a foreign writer)? */
	private async storedAs(entry: DecodedEntry): Promise<boolean> {
		const [stored] = await this.options.index.eventsAfter(entry.storedId! - 1, undefined, 1);
		return stored !== undefined && stored.id === entry.storedId && JSON.stringify(stored.event) === entry.body;
	}

	/**
	 * Deliver, from SQLite, the events stored before this entry that Redis has
	 * not brought (a failed or slower publish), so the order stays SQLite's;
	 * then move the cursor onto the entry when it is ours.
	 *
	 * @returns whether the entry is ours: the event our index holds under its SQLite id.
	 */
	private async catchUpTo(entry: DecodedEntry): Promise<boolean> {
		const target = entry.storedId!;
		for (;;) {
			// Ids are unique integers: at most target - cursor rows lie in between (usually one: the entry itself).
			const batch = await this.options.index.eventsAfter(this.sqlCursor, this.traceId, Math.min(BATCH, target - this.sqlCursor));
			for (const stored of batch) {
				if (stored.id > target) {
					return false;
				}

				if (stored.id === target) {
					if (JSON.stringify(stored.event) === entry.body) {
						this.sqlCursor = target;
						return true;
					}

					return false;
				}

				this.deliverStored(stored);
			}

			if (batch.length === 0 || this.closed) {
				return false;
			}
		}
	}

	private deliverStored(stored: StoredEvent): void {
		if (this.seen.add(storedKey(stored.id))) {
			this.emit({id: `sqlite:${stored.id}`, event: stored.event, source: 'polling'});
		}

		this.sqlCursor = stored.id;
		this.missing.delete(stored.id);
	}

	/** What SQLite holds after the cursor (up to `upTo`) that we have not seen. */
	private async drainSqlite(upTo = Number.POSITIVE_INFINITY): Promise<void> {
		while (this.sqlCursor < upTo && !this.closed) {
			const batch = await this.options.index.eventsAfter(this.sqlCursor, this.traceId, BATCH);
			for (const stored of batch) {
				if (stored.id > upTo) {
					return;
				}

				this.deliverStored(stored);
			}

			if (batch.length < BATCH) {
				return;
			}
		}
	}

	/**
	 * While on Redis: advance the cursor over events Redis brought, and deliver
	 * from SQLite those still missing from Redis a grace period after we first
	 * noticed them. Order is kept: nothing passes an event still in its grace.
	 */
	private async reconcile(now: number): Promise<void> {
		for (;;) {
			const batch = await this.options.index.eventsAfter(this.sqlCursor, this.traceId, BATCH);
			let waiting = false;
			for (const stored of batch) {
				if (this.seen.has(storedKey(stored.id))) {
					if (!waiting) {
						this.sqlCursor = stored.id;
						this.missing.delete(stored.id);
					}

					continue;
				}

				const noticed = this.missing.get(stored.id) ?? now;
				this.missing.set(stored.id, noticed);
				if (!waiting && now - noticed >= this.graceMs) {
					this.deliverStored(stored);
				} else {
					waiting = true;
				}
			}

			if (waiting || batch.length < BATCH || this.closed) {
				break;
			}
		}

		for (const id of this.missing.keys()) {
			if (id <= this.sqlCursor) {
				this.missing.delete(id);
			}
		}
	}
}
