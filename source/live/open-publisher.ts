import {NO_PUBLISHER, type EventPublisher} from './event-publisher.js';
import {createRedisPublisher, type RedisPublisherOptions} from './redis-publisher.js';
import {checkRedisUrl} from './redis-url.js';

/**
 * The publisher for a configuration: none without a Redis URL (ioredis is
 * then never loaded), else Redis.
 *
 * @throws ConfigError for a malformed URL (callers that read it from a
 * setting check it there first, so that the message names the setting)
 */
export async function openPublisher(redisUrl: string | undefined, options?: RedisPublisherOptions): Promise<EventPublisher> {
	return redisUrl === undefined ? NO_PUBLISHER : createRedisPublisher(checkRedisUrl(redisUrl, 'the Redis URL'), options);
}
