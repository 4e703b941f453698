/**
 * Does a Redis answer PING at this URL within timeoutMs? For "use Redis when
 * it is there" (the demo). ioredis is imported only when asked.
 */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
	const {Redis} = await import('ioredis');
	const redis = new Redis(url, {
		lazyConnect: true,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		connectTimeout: timeoutMs,
		retryStrategy: () => null,
	});
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
