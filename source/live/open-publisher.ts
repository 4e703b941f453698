import {NO_PUBLISHER, type EventPublisher} from './event-publisher.js';
import {createRedisPublisher, type RedisPublisherOptions} from './redis-publisher.js';

/** The publisher for a configuration: none without a Redis URL (ioredis is then never loaded), else Redis. */
export async function openPublisher(redisUrl: string | undefined, options?: RedisPublisherOptions): Promise<EventPublisher> {
	return redisUrl === undefined ? NO_PUBLISHER : createRedisPublisher(redisUrl, options);
}
