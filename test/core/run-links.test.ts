import assert from 'node:assert/strict';
import {test} from 'node:test';
import {foldEvents} from '../../source/core/fold.js';
import {summarizeRun} from '../../source/core/run-summary.js';
import type {TraceEvent} from '../../source/core/trace-event.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function event(span_id: string, event_type: string, ms: number, extras: Partial<TraceEvent> = {}): TraceEvent {
	return {trace_id: 'child', span_id, event_type, timestamp: new Date(T0 + ms).toISOString(), ...extras};
}

/** Every order of the events (few enough to try them all). */
function permutations<T>(items: readonly T[]): T[][] {
	if (items.length <= 1) {
		return [[...items]];
	}

	return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [item, ...rest]));
}

const EVENTS: TraceEvent[] = [
	event('root', 'workflow:started', 0, {parent_trace_id: 'parent-a', data: {name: 'deploy'}}),
	// A later event naming another parent: the first value given (in fold order) wins.
	event('root', 'workflow:completed', 50, {status: 'success', parent_trace_id: 'parent-b'}),
	event('s1', 'step:started', 10, {parent_span_id: 'root', correlation_id: 'loan-1'}),
	event('s1', 'step:completed', 20, {parent_span_id: 'root', status: 'success', correlation_id: 'loan-2'}),
	event('s2', 'step:started', 30, {parent_span_id: 'root', correlation_id: 'loan-3'}),
];

test('spans keep parent_trace_id and correlation_id, first given wins, in any arrival order', () => {
	for (const order of permutations(EVENTS)) {
		const spans = new Map(foldEvents(order).map(span => [span.span_id, span]));
		assert.equal(spans.get('root')!.parent_trace_id, 'parent-a');
		assert.equal(spans.get('root')!.correlation_id, null);
		assert.equal(spans.get('s1')!.correlation_id, 'loan-1');
		assert.equal(spans.get('s1')!.parent_trace_id, null);
		const run = summarizeRun([...spans.values()].reverse())!;
		// No correlation on the root: the earliest span that has one gives it.
		assert.deepEqual([run.parent_trace_id, run.correlation_id], ['parent-a', 'loan-1']);
	}
});

test("a run's correlation id is its root's when the root has one; a run without links has nulls", () => {
	const spans = foldEvents([...EVENTS, event('root', 'workflow:progress', 5, {correlation_id: 'loan-root'})]);
	assert.equal(summarizeRun(spans)!.correlation_id, 'loan-root');
	const plain = summarizeRun(foldEvents([event('root', 'workflow:started', 0), event('root', 'workflow:completed', 1)]))!;
	assert.deepEqual([plain.parent_trace_id, plain.correlation_id], [null, null]);
});
