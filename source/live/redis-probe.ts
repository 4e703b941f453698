import {openRedisClient} from './redis-client.js';

/**
 * Does a Redis answer PING at this URL within timeoutMs? For "use Redis when
 * it is there" (the demo); a cluster target asks its nodes. ioredis is
 * imported only when asked.
 */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
	const redis = await openRedisClient(url, {lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null});
	redis.on('error', () => {});
	const timedOut = new Promise<boolean>(resolve => setTimeout(() => resolve(false), timeoutMs).unref());
	try {
		return await Promise.race([redis.connect().then(async () => (await redis.ping()) === 'PONG'), timedOut]);
	} catch {
		return false;
	} finally {
		redis.disconnect();
	}
}
