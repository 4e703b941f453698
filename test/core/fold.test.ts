import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {applyEvent, foldEvents, foldInOrder, inFoldOrder, terminalStatus} from '../../source/core/fold.js';
import {isLogRecord, LOG_RECORD_EVENT_TYPE} from '../../source/core/log-record.js';
import type {Span} from '../../source/core/span.js';
import {displayName} from '../../source/core/span-name.js';
import {STDERR_TAIL_LINES} from '../../source/core/span.js';
import {SPAN_EVENT_TYPE, type TraceEvent} from '../../source/core/trace-event.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

function at(ms: number): string {
	return new Date(T0 + ms).toISOString();
}

function event(span_id: string, event_type: string, ms: number, extras: Partial<TraceEvent> = {}): TraceEvent {
	return {trace_id: 't1', span_id, event_type, timestamp: at(ms), ...extras};
}

test('a start and a completion fold into one settled span', () => {
	const [s] = foldEvents([event('a', 'stage:started', 0, {parent_span_id: 'root', data: {name: 'build', input: {x: 1}, env: 'prod'}, tags: ['ci']}), event('a', 'stage:completed', 1500, {data: {output: 'ok', exit_code: 0}, tags: ['ci', 'fast']})]);
	assert.equal(s!.name, 'build');
	assert.equal(s!.kind, 'stage');
	assert.equal(s!.parent_span_id, 'root');
	assert.equal(s!.start_ms, T0);
	assert.equal(s!.end_ms, T0 + 1500);
	assert.equal(s!.status, 'success');
	assert.equal(s!.last_event_type, 'stage:completed');
	assert.deepEqual(s!.input, {x: 1});
	assert.equal(s!.output, 'ok');
	assert.deepEqual(s!.attributes, {env: 'prod', exit_code: 0}, 'reserved keys stay out of attributes');
	assert.deepEqual(s!.tags, ['ci', 'fast']);
	assert.equal(s!.event_count, 2);
});

test('events out of order: start is the earliest, end the latest terminal', () => {
	const [s] = foldEvents([event('a', 'step:completed', 900), event('a', 'step:started', 100)]);
	assert.equal(s!.start_ms, T0 + 100);
	assert.equal(s!.end_ms, T0 + 900);
	assert.equal(s!.status, 'success');
});

test('the latest terminal event decides the status; an older one arriving late does not', () => {
	const [retried] = foldEvents([event('a', 'step:failed', 10), event('a', 'step:completed', 30)]);
	assert.equal(retried!.status, 'success');
	assert.equal(retried!.end_ms, T0 + 30);
	const [late] = foldEvents([event('a', 'step:completed', 30), event('a', 'step:failed', 10)]);
	assert.equal(late!.status, 'success');
	assert.equal(late!.end_ms, T0 + 30);
});

test('an explicit status wins over the phase; pending leaves the span open', () => {
	const [s] = foldEvents([event('a', 'step:progress', 10, {status: 'failed'})]);
	assert.equal(s!.status, 'failed');
	const [open] = foldEvents([event('b', 'step:completed', 10, {status: 'pending'})]);
	assert.equal(open!.end_ms, null);
	assert.equal(open!.status, 'pending');
});

test('terminalStatus knows saga and ai phases', () => {
	assert.equal(terminalStatus(event('x', 'saga:compensating', 0)), undefined);
	assert.equal(terminalStatus(event('x', 'saga:compensated', 0)), 'success');
	assert.equal(terminalStatus(event('x', 'saga:compensation_failed', 0)), 'failed');
	assert.equal(terminalStatus(event('x', 'ai:decision', 0)), 'success');
	assert.equal(terminalStatus(event('x', 'workflow:cancelled', 0)), 'failed');
	assert.equal(terminalStatus(event('x', 'noColon', 0)), undefined);
});

test('stderr lines are kept, oldest first, capped; they do not set the kind', () => {
	const events: TraceEvent[] = [];
	for (let i = 0; i < STDERR_TAIL_LINES + 5; i++) {
		events.push(event('a', 'log:stderr', i, {data: {line: `line ${i}`}}));
	}

	events.push(event('a', 'ai:decision', 1000, {data: {decision: 'B'}}));
	const [s] = foldEvents(events);
	assert.equal(s!.stderr.length, STDERR_TAIL_LINES);
	assert.equal(s!.stderr[0], 'line 5');
	assert.equal(s!.kind, 'ai', 'the first real event names the kind');
	assert.equal(s!.last_event_type, 'ai:decision');
	assert.equal(s!.status, 'success');
	assert.equal(s!.start_ms, T0, 'log lines count towards the start');
});

test('a span seen only through log lines is an open step', () => {
	const [s] = foldEvents([event('a', 'log:stderr', 5, {data: {line: 'x'}})]);
	assert.equal(s!.kind, 'step');
	assert.equal(s!.end_ms, null);
	assert.equal(displayName(s!), 'step a');
});

test('errors: a string, an object with message and stack, or anything else', () => {
	const [a, b, c] = foldEvents([event('a', 'step:failed', 1, {data: {error: 'boom'}}), event('b', 'step:failed', 1, {data: {error: {message: 'bad', stack: 'at x'}}}), event('c', 'step:failed', 1, {data: {error: {code: 7}}})]);
	assert.deepEqual(a!.error, {message: 'boom'});
	assert.deepEqual(b!.error, {message: 'bad', stack: 'at x'});
	assert.deepEqual(c!.error, {message: '{"code":7}'});
});

test('retries are collected with their exit codes', () => {
	const [s] = foldEvents([event('a', 'step:retrying', 10, {data: {retry: {n: 1, exit_code: 137}}}), event('a', 'step:retrying', 20, {data: {retry: {}}})]);
	assert.deepEqual(s!.retries, [
		{n: 1, exit_code: 137, at_ms: T0 + 10},
		{n: 2, at_ms: T0 + 20},
	]);
});

test('applyEvent leaves the previous span untouched', () => {
	const first = applyEvent(undefined, event('a', 'step:started', 0, {tags: ['x']}));
	const frozen = structuredClone(first);
	applyEvent(first, event('a', 'step:completed', 10, {tags: ['y'], data: {k: 1}}));
	assert.deepEqual(first, frozen);
});

test('foldEvents lists spans by their earliest event, whatever the order events came in', () => {
	const spans = foldEvents([event('b', 'step:started', 5), event('a', 'step:started', 1), event('b', 'step:completed', 9)]);
	assert.deepEqual(
		spans.map(s => s.span_id),
		['a', 'b'],
	);
});

test('the first non-empty name sticks', () => {
	const [s] = foldEvents([event('a', 'step:started', 0, {data: {name: ''}}), event('a', 'step:progress', 1, {data: {name: 'one'}}), event('a', 'step:completed', 2, {data: {name: 'two'}})]);
	assert.equal(s!.name, 'one');
	assert.equal(displayName(s!), 'one');
});

test('foldInOrder changes the spans it makes in place, with the same result as applyEvent copying them, and never the events', () => {
	// Plain objects, as events are (fast-check's have no prototype, which structuredClone would not keep).
	const span = fc.constantFrom('a', 'b', 'c');
	const type = fc.constantFrom('step:started', 'step:completed', 'step:failed', 'log', 'retry', SPAN_EVENT_TYPE, LOG_RECORD_EVENT_TYPE, 'stage:started');
	const data = fc.record(
		{
			name: fc.option(fc.constantFrom('build', 'test', ''), {nil: undefined}),
			line: fc.option(fc.string({maxLength: 4}), {nil: undefined}),
			retry: fc.option(fc.record({n: fc.integer({min: 1, max: 3}), exit_code: fc.integer({min: 0, max: 2})}, {noNullPrototype: true}), {nil: undefined}),
			attributes: fc.option(fc.dictionary(fc.constantFrom('k', 'l'), fc.string({maxLength: 3}), {noNullPrototype: true}), {nil: undefined}),
			x: fc.option(fc.integer(), {nil: undefined}),
		},
		{requiredKeys: [], noNullPrototype: true},
	);
	const arbitraryEvent = fc
		.record(
			{
				span,
				type,
				ms: fc.integer({min: 0, max: 50}),
				data,
				tags: fc.array(fc.constantFrom('ci', 'fast'), {maxLength: 2}),
				links: fc.option(fc.array(fc.record({trace_id: fc.constant('t2'), span_id: span, attributes: fc.constant({})}, {noNullPrototype: true}), {maxLength: 2}), {nil: undefined}),
				attributes: fc.option(fc.dictionary(fc.constantFrom('a1', 'a2'), fc.integer(), {noNullPrototype: true}), {nil: undefined}),
			},
			{noNullPrototype: true},
		)
		.map(({span: id, type: eventType, ms, data: d, tags, links, attributes}): TraceEvent => event(id, eventType, ms, {data: d, tags, ...(links ? {links} : {}), ...(attributes ? {attributes} : {})}));
	fc.assert(
		fc.property(fc.array(arbitraryEvent, {maxLength: 12}), events => {
			const ordered = inFoldOrder(events);
			const before = structuredClone(ordered);
			// The copying fold: what foldInOrder did before it changed its own spans in place.
			const copied = new Map<string, Span>();
			const waiting = new Map<string, TraceEvent[]>();
			for (const one of ordered) {
				const previous = copied.get(one.span_id);
				if (previous === undefined && isLogRecord(one)) {
					waiting.set(one.span_id, [...(waiting.get(one.span_id) ?? []), one]);
					continue;
				}

				let folded = applyEvent(previous, one);
				if (previous === undefined) {
					for (const log of waiting.get(one.span_id) ?? []) {
						folded = applyEvent(folded, log);
					}

					waiting.delete(one.span_id);
				}

				copied.set(one.span_id, folded);
			}

			assert.deepStrictEqual(foldInOrder(ordered), [...copied.values()]);
			assert.deepStrictEqual(ordered, before);
		}),
		{numRuns: 500},
	);
});
