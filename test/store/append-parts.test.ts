import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {AppendParts} from '../../source/store/append-parts.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/**
 * Two traces of stages and steps, as an OTLP SDK sends them: children before
 * their parents, the roots last, a failure every 40 steps (a retry recovers
 * some), identical stderr lines repeated (content identity, no event ids).
 */
function bigInput(): TraceEvent[] {
	const events: TraceEvent[] = [];
	for (const trace of ['ta', 'tb']) {
		for (let s = 0; s < 600; s++) {
			const failed = s % 40 === 7;
			const stage = `stage-${s % 6}`;
			events.push(
				{trace_id: trace, span_id: `s${s}`, parent_span_id: stage, event_type: 'step:started', timestamp: at(s), data: {name: `step ${s}`}},
				{trace_id: trace, span_id: `s${s}`, event_type: 'log:stderr', timestamp: at(s), data: {line: 'same line'}},
				{trace_id: trace, span_id: `s${s}`, event_type: 'log:stderr', timestamp: at(s), data: {line: 'same line'}},
				{trace_id: trace, span_id: `s${s}`, parent_span_id: stage, event_type: failed ? 'step:failed' : 'step:completed', status: failed ? 'failed' : 'success', timestamp: at(s + 0.5), ...(failed ? {data: {error: {message: `step ${s} broke`}}} : {})},
			);
		}

		for (let g = 0; g < 6; g++) {
			events.push({trace_id: trace, span_id: `stage-${g}`, parent_span_id: 'root', event_type: 'stage:started', timestamp: at(0), data: {name: `stage ${g}`}}, {trace_id: trace, span_id: `stage-${g}`, parent_span_id: 'root', event_type: 'stage:completed', status: g === 1 ? 'success' : 'failed', timestamp: at(601)});
		}

		events.push({trace_id: trace, span_id: 'root', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: `run-${trace}`, env: 'prod', target: 'api'}}, {trace_id: trace, span_id: 'root', event_type: 'workflow:failed', status: 'failed', timestamp: at(602)});
	}

	return events;
}

function snapshot(index: RunIndex): unknown {
	return {
		events: index.db.prepare('SELECT trace_id, span_id, digest, body FROM events ORDER BY digest').all(),
		spans: index.db.prepare('SELECT trace_id, span_id, path, status, body FROM spans ORDER BY trace_id, span_id').all(),
		runs: index.db.prepare('SELECT * FROM runs ORDER BY trace_id').all(),
	};
}

const input = bigInput();
const whole = RunIndex.open(tempHome());
whole.appendEvents(input);
const expected = snapshot(whole);
whole.close();

test('serve under load: a write stored in parts ends exactly as the same write stored whole', async () => {
	// Parts as big as the threshold, and parts smaller than it (serve: PART_EVENTS and PART_SIZE).
	for (const options of [{partEvents: 250}, {partEvents: 1000, partSize: 150}]) {
		const index = RunIndex.open(tempHome());
		try {
			const result = await new EventWriter(new SqliteStore(index), undefined, options).write(input);
			assert.equal(result.inserted.length, input.length);
			assert.deepEqual(snapshot(index), expected, JSON.stringify(options));
		} finally {
			index.close();
		}
	}
});

test('serve under load: an input stopped after some parts and sent again is stored once, with its runs summarized', async () => {
	const index = RunIndex.open(tempHome());
	try {
		// The first attempt stored two parts and then failed (a lost lock, a crash): finishParts never ran.
		const abandoned = new AppendParts();
		index.appendEvents(input.slice(0, 300), {parts: abandoned});
		index.appendEvents(input.slice(300, 600), {parts: abandoned});
		const retry = await new EventWriter(new SqliteStore(index), undefined, {partEvents: 250}).write(input);
		assert.equal(retry.duplicates, 600, 'what the first attempt stored is recognised');
		assert.equal(retry.inserted.length, input.length - 600);
		assert.deepEqual(snapshot(index), expected);
	} finally {
		index.close();
	}
});

/** Store `events` through `parts` in parts of `size`, then finish. */
function storeInParts(index: RunIndex, events: readonly TraceEvent[], size: number, parts: AppendParts, between?: (part: number) => void): void {
	for (let i = 0; i < events.length; i += size) {
		index.appendEvents(events.slice(i, i + size), {parts});
		between?.(i / size);
	}

	index.finishParts(parts);
}

test('finishParts summarizes a trace the input began from the spans its parts stored, and the store ends as the input stored whole', () => {
	const index = RunIndex.open(tempHome());
	try {
		const parts = new AppendParts();
		let held: number[] = [];
		storeInParts(index, input, 250, parts, () => {
			held = [...parts.held.values()].map(trace => trace.events);
		});
		// Both traces began in this input, and every event of theirs is its own: they were summarized from memory.
		assert.deepEqual(held.sort(), [input.length / 2, input.length / 2]);
		assert.equal(parts.held.size, 0, 'let go once summarized');
		assert.deepEqual(snapshot(index), expected);
	} finally {
		index.close();
	}
});

test('another writer adds to a trace between its parts: finishParts summarizes it from the store, and the store ends as both writes stored whole', () => {
	// Another exporter's span in trace ta: a failed step under stage 1, which had succeeded.
	const other: TraceEvent[] = [
		{trace_id: 'ta', span_id: 'late', parent_span_id: 'stage-1', event_type: 'step:started', timestamp: at(300), data: {name: 'late step'}},
		{trace_id: 'ta', span_id: 'late', parent_span_id: 'stage-1', event_type: 'step:failed', status: 'failed', timestamp: at(301), data: {error: {message: 'late broke'}}},
	];
	const both = RunIndex.open(tempHome());
	both.appendEvents([...input, ...other]);
	const want = snapshot(both);
	both.close();

	const index = RunIndex.open(tempHome());
	try {
		storeInParts(index, input, 250, new AppendParts(), part => {
			if (part === 2) {
				index.appendEvents(other);
			}
		});
		assert.deepEqual(snapshot(index), want);
	} finally {
		index.close();
	}
});

test('past the held spans limit, a trace is summarized from the store: the same end', () => {
	for (const limit of [0, 700, 1000]) {
		const index = RunIndex.open(tempHome());
		try {
			storeInParts(index, input, 250, new AppendParts(limit));
			assert.deepEqual(snapshot(index), expected, `limit ${limit}`);
		} finally {
			index.close();
		}
	}
});
