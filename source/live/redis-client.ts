import type {Cluster, Redis} from 'ioredis';
import {clusterNodeUrls, isClusterTarget} from './redis-url.js';

/** A connection to one Redis, or ioredis' client of a Redis Cluster (which routes each command by its key's slot). */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
	/** A command without a reply by then fails (none: wait). */
	commandTimeout?: number;
	connectTimeout: number;
	/** Wait before reconnect attempt `times`, or null to give up. */
	retryStrategy: (times: number) => number | null;
	lazyConnect?: boolean;
}

/**
 * The client for a checked target (redis-url.ts): fail-fast either way, since
 * every caller has the run index to fall back on. Commands fail at once while
 * disconnected (no offline queue), are not retried or resent after a drop.
 * On a cluster, ioredis follows MOVED and ASK and retries CLUSTERDOWN and
 * lost connections a few times (each ~50 ms apart) before the command fails;
 * the nodes get the seed URLs' user, password and TLS.
 *
 * ioredis is imported here, dynamically: callers without a Redis URL never load it.
 */
export async function openRedisClient(target: string, options: RedisClientOptions): Promise<RedisClient> {
	const {Redis, Cluster} = await import('ioredis');
	const perConnection = {
		maxRetriesPerRequest: 0,
		autoResendUnfulfilledCommands: false,
		commandTimeout: options.commandTimeout,
		connectTimeout: options.connectTimeout,
	};
	if (!isClusterTarget(target)) {
		return new Redis(target, {...perConnection, enableOfflineQueue: false, retryStrategy: options.retryStrategy, lazyConnect: options.lazyConnect});
	}

	const urls = clusterNodeUrls(target).map(node => new URL(node));
	const first = urls[0]!;
	return new Cluster(
		urls.map(url => ({host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 6379 : Number(url.port)})),
		{
			enableOfflineQueue: false,
			lazyConnect: options.lazyConnect,
			clusterRetryStrategy: times => options.retryStrategy(times),
			// 16 tries 50 ms apart: a node that is gone fails its commands within about a second.
			retryDelayOnFailover: 50,
			retryDelayOnClusterDown: 50,
			retryDelayOnTryAgain: 50,
			slotsRefreshTimeout: options.connectTimeout,
			redisOptions: {
				...perConnection,
				username: first.username === '' ? undefined : decodeURIComponent(first.username),
				password: first.password === '' ? undefined : decodeURIComponent(first.password),
				tls: first.protocol === 'rediss:' ? {} : undefined,
			},
		},
	);
}
