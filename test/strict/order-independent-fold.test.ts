import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import fc from 'fast-check';
import {foldEvents} from '../../source/core/fold.js';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {generateRun, RUN_KINDS} from '../../source/demo/generate.js';
import {tempHome} from '../helpers/temp-home.js';

/**
 * The same events in any order give the same spans (issue 14, item 10): in
 * the pure fold, and in the run index, which folds batch by batch as events
 * arrive and must end where one fold of everything would.
 */

const at = (s: number): string => new Date(Date.UTC(2026, 1, 1, 9, 0, s)).toISOString();
const T = 'trace-order';

/** Hand-made orders that arrival order used to decide. */
const TRICKY: Record<string, TraceEvent[]> = {
	'start stamped after its completion': [
		{trace_id: T, span_id: 'root', event_type: 'workflow:started', timestamp: at(0), data: {name: 'root', run_id: 'run-order'}},
		{trace_id: T, span_id: 's', parent_span_id: 'root', event_type: 'step:completed', timestamp: at(3), status: 'success', data: {output: 'done'}},
		{trace_id: T, span_id: 's', parent_span_id: 'root', event_type: 'step:started', timestamp: at(5), data: {name: 'late start'}},
	],
	'two completions, and two at one instant': [
		{trace_id: T, span_id: 's', event_type: 'step:completed', timestamp: at(2), status: 'success', data: {output: 1}},
		{trace_id: T, span_id: 's', event_type: 'step:failed', timestamp: at(4), status: 'failed', data: {error: 'first'}},
		{trace_id: T, span_id: 's', event_type: 'step:completed', timestamp: at(4), status: 'success', data: {output: 2}},
	],
	'retries and log lines': [
		{trace_id: T, span_id: 's', event_type: 'step:started', timestamp: at(0), data: {name: 'flaky'}},
		{trace_id: T, span_id: 's', event_type: 'step:retry', timestamp: at(1), data: {retry: {n: 1, exit_code: 1}}},
		{trace_id: T, span_id: 's', event_type: 'log:stderr', timestamp: at(1), data: {line: 'a'}},
		{trace_id: T, span_id: 's', event_type: 'log:stderr', timestamp: at(1), data: {line: 'b'}},
		{trace_id: T, span_id: 's', event_type: 'step:retry', timestamp: at(2), data: {retry: {n: 2, exit_code: 1}}},
		{trace_id: T, span_id: 's', event_type: 'step:completed', timestamp: at(3), status: 'success'},
	],
	'pending then success, attributes said twice': [
		{trace_id: T, span_id: 's', event_type: 'step:progress', timestamp: at(1), status: 'pending', data: {phase: 'one', name: 'first name'}},
		{trace_id: T, span_id: 's', event_type: 'step:progress', timestamp: at(1), status: 'pending', data: {phase: 'two', name: 'second name'}},
		{trace_id: T, span_id: 's', event_type: 'step:done', timestamp: at(1), status: 'success', data: {phase: 'three'}},
	],
	'span event before any other': [
		{trace_id: T, span_id: 's', event_type: 'event:recorded', timestamp: at(0), data: {name: 'cache miss', attributes: {}}},
		{trace_id: T, span_id: 's', event_type: 'step:started', timestamp: at(1), data: {name: 's'}},
		{trace_id: T, span_id: 's', event_type: 'step:completed', timestamp: at(2), status: 'success'},
	],
};

/**
 * Spans by id. Log lines printed at one instant keep the order they were
 * given in, the only order they have (core/fold.ts): their tail is compared
 * as a multiset, everything else exactly.
 */
function sorted(spans: readonly Span[]): Span[] {
	return [...spans].map(span => ({...span, stderr: [...span.stderr].sort()})).sort((a, b) => (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0));
}

function shuffle<T>(items: readonly T[], order: readonly number[]): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = order[i % order.length]! % (i + 1);
		[out[i], out[j]] = [out[j]!, out[i]!];
	}

	return out;
}

const runs = fc.oneof(
	fc.constantFrom(...Object.values(TRICKY)),
	fc.tuple(fc.constantFrom(...RUN_KINDS), fc.integer({min: 0, max: 10_000})).map(([kind, seed]) => generateRun(kind, seed)),
);
const orders = fc.array(fc.nat(), {minLength: 1, maxLength: 64});

test('order-independent fold: shuffled events of generated and tricky runs fold to the same spans', () => {
	fc.assert(
		fc.property(runs, orders, (events, order) => {
			assert.deepEqual(sorted(foldEvents(shuffle(events, order))), sorted(foldEvents(events)));
		}),
		{numRuns: 150},
	);
});

test('order-independent fold: a start stamped after its completion leaves the span settled by the completion', () => {
	const span = foldEvents(TRICKY['start stamped after its completion']!).find(s => s.span_id === 's')!;
	assert.equal(span.status, 'success');
	assert.equal(span.last_event_type, 'step:completed');
	assert.equal(span.start_ms, Date.parse(at(3)));
});

const home = tempHome('tracedeck-order-');
const index = RunIndex.open(home);
after(() => index.close());
let traces = 0;

/** Store the events in batches cut from the shuffled order, each run under a trace id of its own. */
function storeInBatches(events: readonly TraceEvent[], cuts: readonly number[]): {spans: Span[]; run: unknown} {
	const traceId = `order-${traces++}`;
	const mine = events.map(event => ({...event, trace_id: traceId, data: {...event.data, ...(event.data?.['run_id'] === undefined ? {} : {run_id: `run-${traceId}`})}}));
	let from = 0;
	for (const cut of [...cuts, mine.length]) {
		const to = Math.min(mine.length, Math.max(from, cut));
		if (to > from) {
			index.appendEvents(mine.slice(from, to));
		}

		from = to;
	}

	// Each copy has its own trace and run id; compared with those named alike.
	const alike = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replaceAll(traceId, 'T')) as unknown;
	return {spans: sorted(index.spans(traceId)).map(span => alike(span) as Span), run: alike(index.resolveRun(traceId))};
}

test('order-independent fold: the run index stores the same spans and run row for shuffled events in any batches', () => {
	fc.assert(
		fc.property(runs, orders, fc.array(fc.nat({max: 40}), {maxLength: 4}), (events, order, cuts) => {
			const inOrder = storeInBatches(events, []);
			const shuffled = storeInBatches(
				shuffle(events, order),
				[...cuts].sort((a, b) => a - b),
			);
			assert.deepEqual(shuffled.spans, inOrder.spans);
			assert.deepEqual(shuffled.run, inOrder.run);
		}),
		{numRuns: 60},
	);
});
