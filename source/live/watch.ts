import type {LiveStream, WatchOptions} from './live-event.js';
import {LiveWatcher} from './live-watcher.js';
import {activeStreams, traceStream} from './redis-keys.js';
import {isClusterTarget} from './redis-url.js';

export type {LiveEvent, LiveStream, WatchOptions} from './live-event.js';

/**
 * Events of one trace as they are stored: from its Redis stream while Redis
 * is up, by polling SQLite while it is not, without loss or repeats across
 * the switches. Iterate with for await; break, return() or the signal end it.
 */
export function watch(traceId: string, options: WatchOptions): LiveStream {
	return new LiveWatcher([traceStream(traceId)], traceId, options);
}

/** Events of every trace (traces:active, or its shards merged on a Redis Cluster), as watch does for one. */
export function watchAll(options: WatchOptions): LiveStream {
	return new LiveWatcher(activeStreams(options.redisUrl !== undefined && isClusterTarget(options.redisUrl)), undefined, options);
}
