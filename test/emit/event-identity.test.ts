import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import type {EventInput} from '../../source/emit/trace-context.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex, type AppendOptions} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/*
 * Issue 14, item 1, for producers tracedeck controls: the emitter gives every
 * event its own event_id, so that a retried write of an event is stored once
 * and two identical lines are two events.
 */

const LINE: EventInput = {trace_id: 'emit-trace', span_id: 'step', event_type: 'log:stderr', timestamp: '2026-03-02T10:00:00.000Z', data: {line: 'same'}};

function lines(index: RunIndex): string[] {
	return index.events('emit-trace').map(stored => String(stored.event.data?.['line']));
}

test('identical events (issue 14.1): the emitter gives each event its own id, so the same line emitted twice is stored twice', async t => {
	const index = RunIndex.open(tempHome());
	t.after(() => index.close());
	const emitter = new TraceEmitter(new EventWriter(new SqliteStore(index)));
	const first = await emitter.emit(LINE);
	const second = await emitter.emit(LINE);
	assert.match(first.event_id ?? '', /^[0-9a-f-]{36}$/);
	assert.notEqual(first.event_id, second.event_id);
	// Same trace, span, type, instant and line: one event to a content digest, two to their producer.
	assert.deepEqual(lines(index), ['same', 'same']);
	const batch = await emitter.emitAll([LINE, LINE, LINE]);
	assert.equal(new Set(batch.map(event => event.event_id)).size, 3);
	assert.deepEqual(lines(index), Array(5).fill('same'));
});

test('identical events (issue 14.1): a write retried after it landed stores the event once', async t => {
	const index = RunIndex.open(tempHome());
	t.after(() => index.close());
	// The first attempt commits and is then reported as failed (a busy reply that came after the commit,
	// a lost answer): the writer tries again with the same prepared events.
	let attempts = 0;
	const flaky = {
		async appendEvents(events: readonly TraceEvent[], options?: AppendOptions) {
			const result = index.appendEvents(events, options);
			attempts++;
			if (attempts === 1) {
				throw Object.assign(new Error('database is locked'), {code: 'SQLITE_BUSY'});
			}

			return result;
		},
	};
	const emitter = new TraceEmitter(new EventWriter(flaky, undefined, {backoffMs: 1}));
	const emitted = await emitter.emitAll([LINE, LINE]);
	assert.equal(attempts, 2, 'the writer retried');
	assert.deepEqual(lines(index), ['same', 'same'], 'two lines, each stored once');

	// A caller that retries on its own, with the events as the emitter prepared them, adds nothing either.
	await emitter.emitAll(emitted);
	assert.deepEqual(lines(index), ['same', 'same']);
	assert.deepEqual(
		index.events('emit-trace').map(stored => stored.event.event_id),
		emitted.map(event => event.event_id),
	);
});

test("identical events (issue 14.1): a producer's own event_id is kept, and a bad one is refused before anything is written", async t => {
	const index = RunIndex.open(tempHome());
	t.after(() => index.close());
	const emitter = new TraceEmitter(new EventWriter(new SqliteStore(index)));
	assert.equal((await emitter.emit({...LINE, event_id: 'order-42/charge'})).event_id, 'order-42/charge');
	await emitter.emit({...LINE, event_id: 'order-42/charge'});
	assert.deepEqual(lines(index), ['same'], 'the same id twice is one event');
	for (const bad of ['', 'has space', 'x'.repeat(129), 'bell\u0007']) {
		await assert.rejects(emitter.emit({...LINE, event_id: bad}), TypeError);
	}

	assert.equal(index.events('emit-trace').length, 1);
});
