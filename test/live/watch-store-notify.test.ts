import assert from 'node:assert/strict';
import {test} from 'node:test';
import {watch} from '../../source/live/watch.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {StoreSubscription} from '../../source/store/store.js';
import {tempIndex} from '../helpers/temp-index.js';
import {drain, lineOf, newTraceId, nthEvent, waitFor} from './live-helpers.js';

/**
 * SQLite that notifies as PostgresStore does: `subscribe` is a method (it
 * needs its `this`), and `notify` plays a NOTIFY arriving.
 */
class MethodNotifyingStore extends SqliteStore {
	private onStored: (() => void) | undefined;

	async subscribe(onStored: () => void): Promise<StoreSubscription> {
		this.onStored = onStored;
		return {
			close: async () => {
				this.onStored = undefined;
			},
		};
	}

	notify(): void {
		this.onStored?.();
	}

	get subscribed(): boolean {
		return this.onStored !== undefined;
	}
}

test('watch() without Redis on a store whose subscribe is a method: a notification wakes it (no poll needed)', async () => {
	const {index, cleanup} = tempIndex();
	const store = new MethodNotifyingStore(index);
	const traceId = newTraceId();
	// An hour between polls: only the notification can bring the events in time.
	const stream = watch(traceId, {index: store, pollMs: 3_600_000});
	const {items, done} = drain(stream);
	try {
		await waitFor(() => store.subscribed, 'the watcher to subscribe');
		await store.appendEvents([nthEvent(traceId, 0), nthEvent(traceId, 1)]);
		store.notify();
		await waitFor(() => items.length === 2, 'the two events');
		assert.deepEqual(
			items.map(item => lineOf(item.event)),
			['start', 'line 1'],
		);
	} finally {
		await stream.close();
		await done;
		cleanup();
	}
});
