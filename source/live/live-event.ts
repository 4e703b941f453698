import type {TraceEvent} from '../core/trace-event.js';
import type {Store} from '../store/store.js';
import type {LiveSource} from './change-feed.js';

/** An event as a live reader sees it. */
export interface LiveEvent {
	/** The Redis stream id ("<ms>-<seq>"), or "sqlite:<event id>" when it came from the run index. */
	id: string;
	event: TraceEvent;
	/** Where this event came from: Redis, or the run index (polling, or filling a gap Redis left). */
	source: LiveSource;
}

export interface WatchOptions {
	/**
	 * The run index: the polling fallback, and the check that nothing was
	 * missed; where it has `subscribe` (PostgreSQL), reads wake on its
	 * notifications instead of waiting for the poll.
	 */
	index: Pick<Store, 'eventsAfter' | 'maxEventId'> & Partial<Pick<Store, 'subscribe'>>;
	/** Redis Streams to read; without it the watcher polls SQLite only. */
	redisUrl?: string;
	/** Ends the iteration (like return()). */
	signal?: AbortSignal;
	/** Deliver events stored after this SQLite event id (default: the newest at start, i.e. only new events). */
	afterEventId?: number;
	/** Polling interval while Redis is absent or down (default 500 ms). */
	pollMs?: number;
	/** Longest XREAD BLOCK (default 2000 ms). */
	blockMs?: number;
	/** How often, while on Redis, SQLite is checked for events Redis did not bring (default 1000 ms). */
	reconcileMs?: number;
	/** How long an event may sit in SQLite unseen on Redis before it is delivered from SQLite (default 2000 ms). */
	graceMs?: number;
	/** How far back XREAD starts when returning to Redis after an outage (default 2000 ms). */
	resumeSafetyMs?: number;
	/** After a failed read with the connection still up (a cluster node down, a timeout), how long before Redis is tried again (default 5000 ms). */
	redisRetryMs?: number;
	/** Delivered events remembered (by SQLite or stream id) to drop one seen twice (default 20,000). */
	seenCapacity?: number;
	/** Cap of the Redis reconnect backoff (default 1000 ms). */
	reconnectMaxMs?: number;
	/** How long to wait for the first Redis connection before starting on polling (default 1000 ms). */
	initialConnectMs?: number;
	/** Told the source at start and on every switch. */
	onSource?: (source: LiveSource) => void;
}

/** An async iterator of live events that also says where they come from. */
export interface LiveStream extends AsyncIterableIterator<LiveEvent> {
	/** What the watcher reads now: Redis, or the run index while Redis is absent or down. */
	readonly source: LiveSource;
	/** Stop, close the connection, end the iteration (pending next() calls resolve done). */
	return(): Promise<IteratorResult<LiveEvent>>;
	/** Same as return(). */
	close(): Promise<void>;
}
