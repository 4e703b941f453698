/**
 * The Redis key layout (DESIGN: Redis layout): one stream per trace, and one
 * of every event of every trace. Shared by the publisher, the watcher and
 * `watch`; no ioredis here, so readers can name keys without loading a client.
 */

/** Every event of every trace: watchAll and the active-runs list read this one. */
export const ACTIVE_STREAM = 'traces:active';

/** One stream per trace; the {hash tag} keeps a trace's keys in one cluster slot. */
export function traceStream(traceId: string): string {
	return `trace:{${traceId}}`;
}

/** MAXLEN ~ caps: a stream is a live window, not an archive (SQLite is). */
export const TRACE_STREAM_MAXLEN = 10_000;
export const ACTIVE_STREAM_MAXLEN = 100_000;
/** A trace stream goes an hour after its last event. */
export const TRACE_STREAM_TTL_SECONDS = 3600;
