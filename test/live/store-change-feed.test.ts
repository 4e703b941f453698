import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {LiveStatus} from '../../source/live/change-feed.js';
import {pollingChangeFeed, storeChangeFeed} from '../../source/live/polling-change-feed.js';
import type {StoredEvent} from '../../source/store/run-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {StoreSubscription} from '../../source/store/store.js';
import {tempIndex} from '../helpers/temp-index.js';
import {newTraceId, nthEvent, waitFor} from './live-helpers.js';

/**
 * SQLite with the notifications PostgreSQL's LISTEN/NOTIFY gives: the test
 * says when a notification arrives (`notify`) and when the subscription is
 * lost (`lose`), and may refuse to subscribe (`refuse`). Reads are counted,
 * and how many run at once.
 */
class NotifyingStore extends SqliteStore {
	refuse = false;
	subscriptions = 0;
	reads = 0;
	overlapping = 0;
	mostAtOnce = 0;
	/** Set to hold reads until released (a slow network database). */
	gate: Promise<void> | null = null;
	private onStored: (() => void) | null = null;
	private onLost: ((error: Error) => void) | null = null;

	readonly subscribe = async (onStored: () => void, onLost: (error: Error) => void): Promise<StoreSubscription> => {
		if (this.refuse) {
			throw new Error('connection refused');
		}

		this.subscriptions += 1;
		this.onStored = onStored;
		this.onLost = onLost;
		return {
			close: async () => {
				this.onStored = null;
			},
		};
	};

	notify(): void {
		this.onStored?.();
	}

	lose(): void {
		const lost = this.onLost;
		this.onStored = null;
		this.onLost = null;
		lost?.(new Error('connection terminated'));
	}

	override async eventsAfter(cursor: number, traceId?: string, limit?: number): Promise<StoredEvent[]> {
		this.reads += 1;
		this.overlapping += 1;
		this.mostAtOnce = Math.max(this.mostAtOnce, this.overlapping);
		try {
			await this.gate;
			return await super.eventsAfter(cursor, traceId, limit);
		} finally {
			this.overlapping -= 1;
		}
	}
}

function open(): {store: NotifyingStore; cleanup: () => void} {
	const {index, cleanup} = tempIndex();
	return {store: new NotifyingStore(index), cleanup};
}

const HOUR = 3_600_000;

test('on a store that notifies, a notification wakes the feed (no tick needed); each change is told once', async () => {
	const {store, cleanup} = open();
	// An hour between polls: only a notification can bring a change in time.
	const feed = storeChangeFeed(store, {intervalMs: HOUR});
	const changes: string[][] = [];
	const statuses: LiveStatus[] = [];
	feed.onChange(ids => changes.push([...ids]));
	feed.onStatus(status => statuses.push(status));
	try {
		await waitFor(() => feed.status().source === 'notify', 'the feed on notifications');
		const [a, b] = [newTraceId(), newTraceId()];
		await store.appendEvents([nthEvent(a, 0), nthEvent(a, 1)]);
		store.notify();
		store.notify();
		await waitFor(() => changes.flat().includes(a), 'the change');
		await store.appendEvents([nthEvent(b, 0)]);
		store.notify();
		await waitFor(() => changes.flat().includes(b), 'the second change');
		assert.deepEqual(
			changes.flat().filter(id => id === a),
			[a],
			'two notifications for one write: told once',
		);
		assert.deepEqual(changes.at(-1), [b], 'the second read starts after the first');
		assert.equal(statuses[0]?.source, 'notify');
	} finally {
		await feed.close();
		cleanup();
	}
});

test('a lost subscription falls back to polling on the interval, loses nothing meanwhile, and subscribes again', async () => {
	const {store, cleanup} = open();
	const feed = storeChangeFeed(store, {intervalMs: 20, resubscribeMs: 20});
	const changes: string[][] = [];
	feed.onChange(ids => changes.push([...ids]));
	try {
		await waitFor(() => feed.status().source === 'notify', 'the feed on notifications');
		store.refuse = true;
		store.lose();
		assert.equal(feed.status().source, 'polling');
		// Stored while no notification can come: polling finds it.
		const a = newTraceId();
		await store.appendEvents([nthEvent(a, 0)]);
		await waitFor(() => changes.flat().includes(a), 'the change, by polling');
		store.refuse = false;
		await waitFor(() => feed.status().source === 'notify', 'back on notifications');
		assert.equal(store.subscriptions, 2);
		const b = newTraceId();
		await store.appendEvents([nthEvent(b, 0)]);
		store.notify();
		await waitFor(() => changes.flat().includes(b), 'the change, notified');
		assert.equal(changes.flat().filter(id => id === a).length, 1, 'nothing told twice across the switches');
	} finally {
		await feed.close();
		cleanup();
	}
});

test('notifications that pile up while a read is slow make one more read, never two at once', async () => {
	const {store, cleanup} = open();
	const feed = storeChangeFeed(store, {intervalMs: HOUR});
	const changes: string[][] = [];
	feed.onChange(ids => changes.push([...ids]));
	try {
		await waitFor(() => feed.status().source === 'notify', 'the feed on notifications');
		let release = (): void => undefined;
		store.gate = new Promise(resolve => {
			release = resolve;
		});
		const a = newTraceId();
		await store.appendEvents([nthEvent(a, 0)]);
		const before = store.reads;
		for (let i = 0; i < 10; i++) {
			store.notify();
		}

		release();
		store.gate = null;
		await waitFor(() => changes.flat().includes(a), 'the change');
		await waitFor(() => store.overlapping === 0, 'the reads done');
		assert.equal(store.mostAtOnce, 1, 'one read at a time');
		assert.ok(store.reads - before <= 2, `${store.reads - before} reads for ten notifications`);
		assert.deepEqual(changes, [[a]]);
	} finally {
		await feed.close();
		cleanup();
	}
});

test('on a store without notifications (SQLite), the feed polls; pollingChangeFeed never subscribes', async () => {
	const {index, cleanup} = tempIndex();
	const plain = new SqliteStore(index);
	const feed = storeChangeFeed(plain, {intervalMs: 20});
	const notifying = new NotifyingStore(index);
	const polling = pollingChangeFeed(notifying, 20);
	const changes: string[][] = [];
	const polled: string[][] = [];
	feed.onChange(ids => changes.push([...ids]));
	polling.onChange(ids => polled.push([...ids]));
	try {
		// Both feeds know the newest event id before the write (their first read).
		await waitFor(() => notifying.reads > 0, 'the polling feed reading');
		const a = newTraceId();
		await plain.appendEvents([nthEvent(a, 0)]);
		await waitFor(() => changes.flat().includes(a) && polled.flat().includes(a), 'the change');
		assert.equal(feed.status().source, 'polling');
		assert.equal(notifying.subscriptions, 0);
	} finally {
		await feed.close();
		await polling.close();
		cleanup();
	}
});
