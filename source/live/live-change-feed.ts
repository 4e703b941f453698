import type {Store} from '../store/store.js';
import type {ChangeFeed, LiveStatus} from './change-feed.js';
import type {WatchOptions} from './live-event.js';
import {feedListeners} from './feed-listeners.js';
import {storeChangeFeed} from './polling-change-feed.js';
import {watchAll} from './watch.js';

export interface LiveChangeFeedOptions {
	store: Store;
	/** Without it, the store's own feed (storeChangeFeed: NOTIFY where the store has it, else polling). */
	redisUrl?: string;
	/** Changes arriving within this window reach listeners as one call (default 50 ms): a burst redraws once. */
	coalesceMs?: number;
	now?: () => number;
	/** Passed to watchAll (intervals, reconnect backoff). */
	watch?: Omit<WatchOptions, 'index' | 'redisUrl' | 'signal' | 'onSource'>;
}

/**
 * The console's change feed over watchAll: Redis Streams while Redis is up,
 * SQLite polling while it is down, with the source and lag in the status.
 */
export function createLiveChangeFeed(options: LiveChangeFeedOptions): ChangeFeed {
	const {store, redisUrl} = options;
	if (redisUrl === undefined) {
		return storeChangeFeed(store, {intervalMs: options.watch?.pollMs, now: options.now});
	}

	const now = options.now ?? Date.now;
	const coalesceMs = options.coalesceMs ?? 50;
	const listeners = feedListeners();
	let status: LiveStatus = {source: 'polling', lagMs: null};
	let changed = new Set<string>();
	let timer: NodeJS.Timeout | undefined;

	const setStatus = (next: LiveStatus): void => {
		if (next.source === status.source && next.lagMs === status.lagMs) {
			return;
		}

		status = next;
		listeners.emitStatus(status);
	};

	const flush = (): void => {
		timer = undefined;
		const traceIds = [...changed];
		changed = new Set();
		listeners.emitChange(traceIds);
	};

	const stream = watchAll({
		...options.watch,
		index: store,
		redisUrl,
		onSource: source => setStatus({...status, source}),
	});
	const consumed = (async () => {
		try {
			for await (const item of stream) {
				changed.add(item.event.trace_id);
				timer ??= setTimeout(flush, coalesceMs);
				const at = Date.parse(item.event.timestamp);
				setStatus({source: stream.source, lagMs: Number.isNaN(at) ? null : Math.max(0, now() - at)});
			}
		} catch {
			// The run index went away (closed under us): nothing more to report.
		}
	})();

	return {
		status: () => status,
		onChange: listeners.onChange,
		onStatus: listeners.onStatus,
		async close() {
			await stream.close();
			await consumed;
			if (timer) {
				clearTimeout(timer);
				timer = undefined;
			}
		},
	};
}
