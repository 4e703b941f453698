import assert from 'node:assert/strict';
import {test} from 'node:test';
import {StoreBusyError, StoreError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {EventPublisher} from '../../source/live/event-publisher.js';
import {EventWriter, isBusyError, openEventWriter} from '../../source/live/event-writer.js';
import type {AppendResult, StoredEvent} from '../../source/store/run-index.js';
import {newTraceId, nthEvent} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

function recordingPublisher(): EventPublisher & {published: StoredEvent[][]} {
	const published: StoredEvent[][] = [];
	return {
		published,
		publish() {
			throw new Error('publishStored is preferred');
		},
		publishStored(events) {
			published.push([...events]);
		},
		failures: 0,
		async close() {},
	};
}

function busy(code = 'SQLITE_BUSY'): Error {
	return Object.assign(new Error('database is locked'), {code});
}

test('write stores in SQLite, then publishes only the events that were new, with their ids', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const publisher = recordingPublisher();
		const writer = new EventWriter(new SqliteStore(index), publisher);
		const traceId = newTraceId();
		const first = await writer.write([nthEvent(traceId, 0), nthEvent(traceId, 1)]);
		assert.equal(first.inserted.length, 2);
		const again = await writer.write([nthEvent(traceId, 1), nthEvent(traceId, 2)]);
		assert.equal(again.duplicates, 1);
		assert.deepEqual(
			publisher.published.map(batch => batch.map(stored => stored.event.data?.['line'] ?? 'start')),
			[['start', 'line 1'], ['line 2']],
		);
		assert.deepEqual(
			publisher.published.flat().map(stored => stored.id),
			index.events(traceId).map(stored => stored.id),
		);
		const all = await writer.write([nthEvent(traceId, 2)]);
		assert.equal(all.inserted.length, 0);
		assert.equal(publisher.published.length, 2, 'nothing new, nothing published');
	} finally {
		cleanup();
	}
});

test('busy database: a locked store is retried with backoff; after its tries the write fails loudly with StoreBusyError', async () => {
	const event = nthEvent(newTraceId(), 0);
	const ok: AppendResult = {inserted: [{id: 1, event}], duplicates: 0, traces: [event.trace_id]};
	let calls = 0;
	const flaky = {
		async appendEvents(): Promise<AppendResult> {
			calls++;
			if (calls < 3) {
				throw busy(calls === 1 ? 'SQLITE_BUSY' : 'SQLITE_LOCKED');
			}

			return ok;
		},
	};
	const publisher = recordingPublisher();
	assert.equal(await new EventWriter(flaky, publisher, {backoffMs: 1}).write([event]), ok);
	assert.equal(calls, 3);
	assert.equal(publisher.published.length, 1);

	calls = 0;
	const locked = {
		async appendEvents(): Promise<AppendResult> {
			calls++;
			throw busy('SQLITE_BUSY_SNAPSHOT');
		},
	};
	const silent = recordingPublisher();
	await assert.rejects(new EventWriter(locked, silent, {backoffMs: 1, tries: 3}).write([event]), (error: unknown) => error instanceof StoreBusyError && error instanceof StoreError && /after 3 tries/.test(error.message));
	assert.equal(calls, 3);
	assert.equal(silent.published.length, 0, 'nothing stored, nothing published');

	// Without a cap on tries, the patience decides: the waits double from 1 ms until they would pass it (1, 2, … 256 ms
	// for 1 s: 10 tries). The patience is wall time, and a loaded machine stretches each timer, so the patience is
	// long beside the first waits: 5 tries need 15 ms of waits, which a 1 s patience allows even when each timer runs 200 ms late.
	calls = 0;
	await assert.rejects(new EventWriter(locked, silent, {backoffMs: 1, patienceMs: 1000}).write([event]), StoreBusyError);
	assert.ok(calls >= 5 && calls <= 10, `tried ${calls} times`);
});

test('other store errors are not retried', async () => {
	let calls = 0;
	const broken = {
		async appendEvents(): Promise<AppendResult> {
			calls++;
			throw Object.assign(new Error('disk I/O error'), {code: 'SQLITE_IOERR'});
		},
	};
	await assert.rejects(new EventWriter(broken).write([nthEvent(newTraceId(), 0)]), /disk I\/O error/);
	assert.equal(calls, 1);
	assert.equal(isBusyError(busy()), true);
	assert.equal(isBusyError(new Error('x')), false);
	assert.equal(isBusyError(null), false);
});

test('openEventWriter without Redis owns its index and closes it', async () => {
	const {home, cleanup} = tempIndex();
	try {
		const writer = await openEventWriter({home});
		const events: TraceEvent[] = [nthEvent(newTraceId(), 0)];
		assert.equal((await writer.write(events)).inserted.length, 1);
		assert.equal(writer.publisher.failures, 0);
		await writer.close();
		assert.equal((writer.store as SqliteStore).index.db.open, false);
	} finally {
		cleanup();
	}
});
