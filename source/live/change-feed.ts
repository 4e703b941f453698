/** Where a live event was read: Redis Streams, or the run index. */
export type LiveSource = 'redis' | 'polling';

/** Where a change feed hears of changes: a live event's source, or the store's notifications (PostgreSQL LISTEN/NOTIFY). */
export type FeedSource = LiveSource | 'notify';

export interface LiveStatus {
	source: FeedSource;
	/** Time from an event's timestamp to its arrival here, for the newest event; null before any. */
	lagMs: number | null;
}

/**
 * What the console subscribes to: which traces changed. Screens re-read the
 * run index on a change, so the feed only has to say *that* something moved.
 */
export interface ChangeFeed {
	status(): LiveStatus;
	onChange(listener: (traceIds: readonly string[]) => void): () => void;
	onStatus(listener: (status: LiveStatus) => void): () => void;
	close(): Promise<void>;
}
