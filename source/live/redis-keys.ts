/**
 * The Redis key layout (DESIGN: Redis layout): one stream per trace, and one
 * of every event of every trace. Shared by the publisher, the watcher and
 * `watch`; no ioredis here, so readers can name keys without loading a client.
 */

/** Every event of every trace, on one Redis: watchAll and the console's live feed read this one. */
export const ACTIVE_STREAM = 'traces:active';

/**
 * On a Redis Cluster the stream of every event is sharded, so that it does
 * not sit on one node: `traces:active:{0}` ... `{15}`, each its own slot
 * (the hash tag is the shard number). Fixed: a reader must know every key.
 */
export const ACTIVE_SHARDS = 16;

/** FNV-1a over the UTF-16 code units: stable across processes and versions, so a trace's events all go to one shard, in order. */
function shardOf(traceId: string): number {
	let hash = 0x81_1c_9d_c5;
	for (let i = 0; i < traceId.length; i++) {
		hash = Math.imul(hash ^ traceId.charCodeAt(i), 0x01_00_01_93) >>> 0;
	}

	return hash % ACTIVE_SHARDS;
}

function activeShard(shard: number): string {
	return `${ACTIVE_STREAM}:{${shard}}`;
}

/** The stream(s) of every event that readers merge: the one key, or every shard on a cluster. */
export function activeStreams(cluster: boolean): string[] {
	return cluster ? Array.from({length: ACTIVE_SHARDS}, (_, shard) => activeShard(shard)) : [ACTIVE_STREAM];
}

/** Where this trace's events go in the stream of every event. */
export function activeStreamOf(traceId: string, cluster: boolean): string {
	return cluster ? activeShard(shardOf(traceId)) : ACTIVE_STREAM;
}

/** One stream per trace; the {hash tag} keeps a trace's keys in one cluster slot. */
export function traceStream(traceId: string): string {
	return `trace:{${traceId}}`;
}

/** MAXLEN ~ caps: a stream is a live window, not an archive (SQLite is). */
export const TRACE_STREAM_MAXLEN = 10_000;
export const ACTIVE_STREAM_MAXLEN = 100_000;
/** A trace stream goes an hour after its last event. */
export const TRACE_STREAM_TTL_SECONDS = 3600;
