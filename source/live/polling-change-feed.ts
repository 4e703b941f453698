import type {StoredEvent} from '../store/run-index.js';
import type {Store, StoreSubscription} from '../store/store.js';
import type {ChangeFeed, FeedSource, LiveStatus} from './change-feed.js';
import {feedListeners} from './feed-listeners.js';

/** Events read per query; a burst bigger than this is read in several, one after another. */
const BATCH = 5000;

export interface StoreFeedOptions {
	/** Polling interval, while the store cannot notify or its notifications are lost (default 500 ms). */
	intervalMs?: number;
	/** How often, while polling, a lost subscription is tried again (default 2000 ms). */
	resubscribeMs?: number;
	/** Use Store.subscribe where the store has it (default true). */
	listen?: boolean;
	now?: () => number;
}

/**
 * A change feed that polls the run index by event id: the fallback when Redis
 * is absent or down, and enough on its own for a single machine.
 */
export function pollingChangeFeed(store: Store, intervalMs = 500, now: () => number = Date.now): ChangeFeed {
	return storeChangeFeed(store, {intervalMs, now, listen: false});
}

/**
 * The store's own change feed: woken by the store's notifications where it
 * has them (PostgreSQL's LISTEN/NOTIFY: no polling loop), polling every
 * `intervalMs` where it has none or while they are lost (and subscribing
 * again meanwhile). Either way it reads eventsAfter from its own cursor, one
 * read at a time, so a lost, merged or early notification loses nothing and
 * no event is reported twice.
 */
export function storeChangeFeed(store: Store, options: StoreFeedOptions = {}): ChangeFeed {
	const intervalMs = options.intervalMs ?? 500;
	const resubscribeMs = options.resubscribeMs ?? 2000;
	const now = options.now ?? Date.now;
	const canListen = options.listen !== false && store.subscribe !== undefined;
	const listeners = feedListeners();
	let status: LiveStatus = {source: 'polling', lagMs: null};
	// Unknown until the store answers: the feed reports what is stored after it starts.
	let cursor: number | undefined;
	let closed = false;
	let timer: NodeJS.Timeout | undefined;
	let subscription: StoreSubscription | null = null;
	// Bumps on every subscription attempt and loss: a late callback from an older subscription is ignored.
	let generation = 0;
	let subscribing = false;
	let lastAttempt = Number.NEGATIVE_INFINITY;
	let reading: Promise<void> | null = null;
	let readAgain = false;

	const setSource = (source: FeedSource): void => {
		if (status.source !== source) {
			status = {...status, source};
			listeners.emitStatus(status);
		}
	};

	const report = (events: readonly StoredEvent[]): void => {
		const last = events.at(-1)!;
		const at = Date.parse(last.event.timestamp);
		status = {source: status.source, lagMs: Number.isNaN(at) ? null : Math.max(0, now() - at)};
		listeners.emitChange([...new Set(events.map(e => e.event.trace_id))]);
		listeners.emitStatus(status);
	};

	/** Read everything after the cursor, batch by batch; the cursor moves only past what was reported. */
	const readOnce = async (): Promise<void> => {
		if (cursor === undefined) {
			cursor = await store.maxEventId();
			return;
		}

		for (;;) {
			// eslint-disable-next-line no-await-in-loop
			const events = await store.eventsAfter(cursor, undefined, BATCH);
			if (closed || events.length === 0) {
				return;
			}

			cursor = events.at(-1)!.id;
			report(events);
			if (events.length < BATCH) {
				return;
			}
		}
	};

	/** One read at a time: asked while one is under way, one more follows it. */
	const read = (): void => {
		if (closed) {
			return;
		}

		if (reading !== null) {
			readAgain = true;
			return;
		}

		reading = (async () => {
			do {
				readAgain = false;
				try {
					// eslint-disable-next-line no-await-in-loop
					await readOnce();
				} catch {
					// The store did not answer (a network database can fail any call): the cursor did not
					// move, so the next read, on the next tick, takes up from it.
					if (subscription !== null) {
						lose();
					}

					break;
				}
			} while (readAgain && !closed);
		})().finally(() => {
			reading = null;
		});
	};

	const schedule = (): void => {
		if (closed || subscription !== null || timer !== undefined) {
			return;
		}

		timer = setTimeout(() => {
			timer = undefined;
			if (subscription !== null) {
				return;
			}

			if (canListen && now() - lastAttempt >= resubscribeMs) {
				void listen();
			}

			read();
			schedule();
		}, intervalMs);
		timer.unref();
	};

	const lose = (): void => {
		generation += 1;
		const lost = subscription;
		subscription = null;
		void lost?.close().catch(() => undefined);
		setSource('polling');
		// What was stored while the subscription was failing: read now, then on the interval.
		read();
		schedule();
	};

	const listen = async (): Promise<void> => {
		if (!store.subscribe || subscribing || subscription !== null || closed) {
			return;
		}

		subscribing = true;
		lastAttempt = now();
		generation += 1;
		const mine = generation;
		let lostEarly = false;
		try {
			const made = await store.subscribe(
				() => {
					if (mine === generation) {
						read();
					}
				},
				() => {
					if (mine !== generation) {
						return;
					}

					if (subscription === null) {
						lostEarly = true;
					} else {
						lose();
					}
				},
			);
			if (closed || mine !== generation || lostEarly) {
				await made.close().catch(() => undefined);
				return;
			}

			subscription = made;
			if (timer !== undefined) {
				clearTimeout(timer);
				timer = undefined;
			}

			setSource('notify');
			// What was stored before the subscription began: no notification will say so.
			read();
		} catch {
			// The store cannot notify now: polling goes on, and tries again in a while.
		} finally {
			subscribing = false;
		}
	};

	read();
	schedule();
	if (canListen) {
		void listen();
	}

	return {
		status: () => status,
		onChange: listeners.onChange,
		onStatus: listeners.onStatus,
		async close() {
			closed = true;
			generation += 1;
			if (timer !== undefined) {
				clearTimeout(timer);
				timer = undefined;
			}

			const held = subscription;
			subscription = null;
			await held?.close().catch(() => undefined);
			await reading;
		},
	};
}
