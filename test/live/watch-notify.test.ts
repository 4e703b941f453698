import assert from 'node:assert/strict';
import {test} from 'node:test';
import {watch} from '../../source/live/watch.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {StoreSubscription} from '../../source/store/store.js';
import {tempIndex} from '../helpers/temp-index.js';
import {lineOf, newTraceId, nthEvent, waitFor} from './live-helpers.js';

/** SQLite with notifications as PostgresStore has them: `subscribe` a method, using `this` as a class method does. */
class NotifyingStore extends SqliteStore {
	private listeners: Array<() => void> = [];

	override async appendEvents(...args: Parameters<SqliteStore['appendEvents']>): ReturnType<SqliteStore['appendEvents']> {
		const result = await super.appendEvents(...args);
		for (const listener of this.listeners) {
			listener();
		}

		return result;
	}

	async subscribe(onStored: () => void, _onLost: (error: Error) => void): Promise<StoreSubscription> {
		this.listeners.push(onStored);
		return {close: async () => void this.listeners.splice(this.listeners.indexOf(onStored), 1)};
	}
}

test('a watch without Redis wakes on the store notifications, not on its poll', async () => {
	const {index, cleanup} = tempIndex();
	const store = new NotifyingStore(index);
	const traceId = newTraceId();
	const controller = new AbortController();
	// An hour between polls: whatever arrives, the notification brought.
	const stream = watch(traceId, {index: store, pollMs: 3_600_000, signal: controller.signal});
	const got: string[] = [];
	const consumed = (async () => {
		for await (const {event} of stream) {
			got.push(lineOf(event));
		}
	})();
	try {
		await new Promise(resolve => setTimeout(resolve, 50));
		for (let n = 0; n < 5; n++) {
			await store.appendEvents([nthEvent(traceId, n)]);
		}

		await waitFor(() => got.length === 5, '5 events by notification');
		assert.equal(new Set(got).size, 5, 'each once');
	} finally {
		controller.abort();
		await stream.close();
		await consumed;
		cleanup();
	}
});
