import type {Store} from '../store/store.js';
import {NO_PUBLISHER, type EventPublisher} from './event-publisher.js';
import {EventWriter} from './event-writer.js';
import type {LiveLogger} from './live-logger.js';
import {redisAnswers} from './redis-probe.js';
import {createRedisPublisher} from './redis-publisher.js';
import {simulateLiveRun} from './simulate-run.js';
import {sleep} from './sleep.js';

export interface DemoLoop {
	/** The Redis the live run streams through, or undefined when none answered (the console then polls). */
	redisUrl?: string;
	stop(): Promise<void>;
}

export interface DemoLoopOptions {
	/** Each simulated run's length (default 60 s). */
	durationMs?: number;
	/** Pause between runs (default 5 s). */
	pauseMs?: number;
	/** The first run's seed; run n uses seed + n, so one seed replays the same outcomes (default 1). */
	seed?: number;
	/** Default: silent, since the console owns the terminal. */
	logger?: LiveLogger;
}

const SILENT: LiveLogger = {warn() {}};

/**
 * The demo's live side: simulated deploys, one after another, written to the
 * index (and to Redis when it answers) until stop(). The index stays the
 * caller's to close, after stop().
 */
export async function startDemoLoop(index: Pick<Store, 'appendEvents'>, redisUrl: string | undefined, options: DemoLoopOptions = {}): Promise<DemoLoop> {
	const reachable = redisUrl !== undefined && (await redisAnswers(redisUrl));
	const publisher: EventPublisher = reachable ? await createRedisPublisher(redisUrl, {logger: options.logger ?? SILENT}) : NO_PUBLISHER;
	const writer = new EventWriter(index, publisher);
	const controller = new AbortController();
	const loop = (async () => {
		for (let seed = options.seed ?? 1; !controller.signal.aborted; seed++) {
			try {
				await simulateLiveRun(writer, {seed, durationMs: options.durationMs, signal: controller.signal});
			} catch {
				// The index closed under us (the console exited): the demo is over.
				return;
			}

			await sleep(options.pauseMs ?? 5000, controller.signal);
		}
	})();
	return {
		redisUrl: reachable ? redisUrl : undefined,
		async stop() {
			controller.abort();
			await loop;
			await publisher.close();
		},
	};
}
