import type {ChangeFeed} from '../live/change-feed.js';
import type {Store} from '../store/store.js';

/** What the console opens on. */
export type InitialScreen =
	| {screen: 'runs'}
	| {screen: 'trace'; run: string}
	/** Without `a`, B is compared with its last success (the last successful run of its env and target before it). */
	| {screen: 'diff'; a?: string; b: string};

/** Makes the live feed for the console, e.g. Redis-backed with polling fallback. */
export type FeedFactory = (store: Store) => ChangeFeed | Promise<ChangeFeed>;

export interface ConsoleOptions {
	home: string;
	/** A postgres:// URL for a shared index (live/settings.ts resolveDatabaseUrl); without it, the SQLite file under `home`. */
	databaseUrl?: string;
	redisUrl?: string;
	initial?: InitialScreen;
	/**
	 * The live feed. Default: Redis Streams when `redisUrl` is set
	 * (live/live-change-feed), else the store's own feed (LISTEN/NOTIFY on
	 * PostgreSQL, polling on SQLite). The console closes
	 * the feed when it exits.
	 */
	feed?: FeedFactory;
	/** A running run with no event for this long is flagged stuck. Default 5 minutes. */
	stuckAfterMs?: number;
}

export {DEFAULT_STUCK_AFTER_MS} from '../core/active-runs.js';
