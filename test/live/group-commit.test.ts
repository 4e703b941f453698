import assert from 'node:assert/strict';
import {test} from 'node:test';
import {InputError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {GroupCommit} from '../../source/live/group-commit.js';
import type {AppendInput} from '../../source/store/run-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {tempIndex} from '../helpers/temp-index.js';
import {lineOf, newTraceId, nthEvent} from './live-helpers.js';

/** A SqliteStore whose group commits are counted (how many transactions, of how many writes). */
function countingStore(store: SqliteStore): {store: SqliteStore; batches: number[]} {
	const batches: number[] = [];
	const appendInputs = store.appendInputs;
	Object.defineProperty(store, 'appendInputs', {
		value: async (inputs: readonly AppendInput[]) => {
			batches.push(inputs.length);
			return appendInputs(inputs);
		},
	});
	return {store, batches};
}

test('group commit: concurrent writes share one transaction, each stored once and answered with its own result', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const {store, batches} = countingStore(new SqliteStore(index));
		const writer = new EventWriter(store, undefined, {groupCommit: true, partEvents: 1000});
		const traces = Array.from({length: 8}, () => newTraceId());
		const results = await Promise.all(traces.map(traceId => writer.write([nthEvent(traceId, 0), nthEvent(traceId, 1), nthEvent(traceId, 2)])));
		assert.deepEqual(batches, [8], 'one transaction for the eight writes');
		for (const [i, traceId] of traces.entries()) {
			assert.equal(results[i]!.inserted.length, 3);
			assert.equal(results[i]!.duplicates, 0);
			assert.deepEqual(results[i]!.traces, [traceId]);
			assert.ok(results[i]!.inserted.every(stored => stored.event.trace_id === traceId));
			assert.deepEqual(
				index.events(traceId).map(stored => lineOf(stored.event)),
				['start', 'line 1', 'line 2'],
			);
			assert.equal(index.listRuns().filter(run => run.trace_id === traceId).length, 1);
		}

		// The same writes again, concurrently: a sender's retry, recognised whole.
		const again = await Promise.all(traces.map(traceId => writer.write([nthEvent(traceId, 0), nthEvent(traceId, 1), nthEvent(traceId, 2)])));
		assert.ok(again.every(result => result.inserted.length === 0 && result.duplicates === 3));
	} finally {
		cleanup();
	}
});

test('group commit: identical id-less events in two concurrent writes are stored once, as in two writes one after the other', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const writer = new EventWriter(new SqliteStore(index), undefined, {groupCommit: true});
		const traceId = newTraceId();
		const [first, second] = await Promise.all([writer.write([nthEvent(traceId, 0), nthEvent(traceId, 1)]), writer.write([nthEvent(traceId, 1), nthEvent(traceId, 2)])]);
		assert.equal(first!.inserted.length, 2);
		assert.equal(second!.inserted.length, 1);
		assert.equal(second!.duplicates, 1);
		assert.deepEqual(
			index.events(traceId).map(stored => lineOf(stored.event)),
			['start', 'line 1', 'line 2'],
		);
	} finally {
		cleanup();
	}
});

test('group commit: events of one trace keep their arrival order within and across the writes of a batch', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const {store, batches} = countingStore(new SqliteStore(index));
		const writer = new EventWriter(store, undefined, {groupCommit: true});
		const traceId = newTraceId();
		const writes = [
			[0, 1, 2],
			[3, 4],
			[5, 6, 7],
		].map(ns => writer.write(ns.map(n => nthEvent(traceId, n))));
		const results = await Promise.all(writes);
		assert.deepEqual(batches, [3]);
		const ids = results.flatMap(result => result.inserted.map(stored => stored.id));
		assert.deepEqual(
			ids,
			[...ids].sort((a, b) => a - b),
			'ids follow the order the writes arrived in',
		);
		assert.deepEqual(
			index.events(traceId).map(stored => lineOf(stored.event)),
			['start', ...Array.from({length: 7}, (_, i) => `line ${i + 1}`)],
		);
	} finally {
		cleanup();
	}
});

test('group commit: a write that fails its batch fails alone; the others in the batch are stored', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const writer = new EventWriter(new SqliteStore(index), undefined, {groupCommit: true});
		const good = [newTraceId(), newTraceId()];
		const bad = newTraceId();
		const undatable: TraceEvent = {...nthEvent(bad, 0), timestamp: 'not a time'};
		const outcomes = await Promise.allSettled([writer.write([nthEvent(good[0]!, 0)]), writer.write([undatable]), writer.write([nthEvent(good[1]!, 0)])]);
		assert.equal(outcomes[0]!.status, 'fulfilled');
		assert.equal(outcomes[2]!.status, 'fulfilled');
		assert.equal(outcomes[1]!.status, 'rejected');
		assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof InputError);
		assert.equal(index.events(good[0]!).length, 1);
		assert.equal(index.events(good[1]!).length, 1);
		assert.equal(index.events(bad).length, 0);
	} finally {
		cleanup();
	}
});

test('group commit: a batch takes writes up to its event limit; the rest follow in the next, in order', async () => {
	const committed: string[][] = [];
	const group = new GroupCommit({
		maxEvents: 4,
		async commitMany(writes) {
			committed.push(writes.map(write => write.map(event => event.span_id).join('')));
			return writes.map(write => ({inserted: [], duplicates: write.length, traces: []}));
		},
		async commitOne(events) {
			committed.push([events.map(event => event.span_id).join('')]);
			return {inserted: [], duplicates: events.length, traces: []};
		},
	});
	const event = (span: string): TraceEvent => ({...nthEvent('t', 1), span_id: span});
	await Promise.all([group.write([event('a'), event('a')]), group.write([event('b'), event('b')]), group.write([event('c'), event('c')]), group.write([event('d')])]);
	assert.deepEqual(committed, [
		['aa', 'bb'],
		['cc', 'd'],
	]);
});

test('group commit: small writes that come while a big write is stored in parts go before its next part', async () => {
	const {index, cleanup} = tempIndex();
	try {
		const writer = new EventWriter(new SqliteStore(index), undefined, {groupCommit: true, partEvents: 10});
		const big = newTraceId();
		const small = Array.from({length: 3}, () => newTraceId());
		const bigWrite = writer.write(Array.from({length: 50}, (_, n) => nthEvent(big, n)));
		const smallWrites = small.map(traceId => writer.write([nthEvent(traceId, 0), nthEvent(traceId, 1)]));
		await Promise.all([bigWrite, ...smallWrites]);
		const bigIds = index.events(big).map(stored => stored.id);
		const smallIds = small.flatMap(traceId => index.events(traceId).map(stored => stored.id));
		assert.equal(bigIds.length, 50);
		assert.equal(smallIds.length, 6);
		// At most the first part (10 events) went before them; the other 40 after.
		assert.ok(Math.max(...smallIds) < [...bigIds].sort((a, b) => a - b)[10]!, `small writes stored at ${smallIds.join(', ')}, the big one at ${bigIds.join(', ')}`);
	} finally {
		cleanup();
	}
});

test('GroupCommit.drained waits for the writes queued or being stored, not later ones, and never rejects', async () => {
	const order: string[] = [];
	let release!: () => void;
	const gate = new Promise<void>(resolve => {
		release = resolve;
	});
	const group = new GroupCommit({
		maxEvents: 100,
		commitOne: async events => {
			await gate;
			order.push(`stored ${events.length}`);
			throw new InputError('bad write');
		},
		commitMany: async writes => {
			order.push(`stored ${writes.length} writes`);
			return writes.map(() => ({inserted: [], duplicates: 0, traces: []}));
		},
	});
	const first = group.write([nthEvent(newTraceId(), 0)]).catch(() => order.push('first failed'));
	const drained = group.drained().then(() => order.push('drained'));
	setImmediate(release);
	await Promise.all([first, drained]);
	assert.deepEqual(order, ['stored 1', 'first failed', 'drained']);
	await group.drained();
});
