import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {parseTraceEvent, parseTraceEventSlowly} from '../../source/interop/trace-event-schema.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);

/** The outcome of a parse: the event, or the refusal's words. */
function outcome(parse: (value: unknown) => unknown, value: unknown): unknown {
	try {
		return {event: parse(value)};
	} catch (error) {
		return {error: (error as Error).message};
	}
}

// Near-valid events: each field is mostly right, now and then wrong in a way one check catches.
function often<T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
	return fc.oneof({arbitrary: good, weight: 30}, {arbitrary: bad, weight: 1});
}

const id = often(fc.constantFrom('4eda68e50f502c69a979e1b4a053834a', 'a1', 'span-1'), fc.oneof(fc.constantFrom('', 'has space', 'x'.repeat(129), 'bell\u0007', '\ud800lone'), fc.integer()));
const text = often(fc.string(), fc.oneof(fc.constantFrom('', 'lone \udc00', 'bidi \u202e', 'x'.repeat(600)), fc.integer(), fc.constant(null)));
const json = fc.jsonValue({maxDepth: 3});
const record = often(fc.dictionary(often(fc.string(), fc.constantFrom('__proto__', 'name', 'run_id', 'env', 'k'.repeat(300))), often(json, text)), fc.oneof(json, fc.constant(null)));
const event = fc.record(
	{
		trace_id: id,
		span_id: id,
		parent_span_id: id,
		event_type: often(fc.constantFrom('step:started', 'log:stderr', 'x'), fc.oneof(fc.constant(''), text)),
		timestamp: often(
			fc.oneof(
				fc.constantFrom('2026-01-14T12:00:58.556Z', '2024-02-29T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '2026-01-14T12:00:58.556123456Z', '2026-01-14T12:00:58+02:00'),
				fc.date({min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true}).map(date => date.toISOString()),
			),
			fc.oneof(fc.constantFrom('2026-02-30T12:00:00Z', '2026-01-14T25:00:00Z', '2026-01-14', '2026-02-30T12:00:00.000Z', '2025-02-29T00:00:00.000Z', '2026-01-14T24:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-01-14T12:60:00.000Z', '2026-01-14T12:00:60.000Z'), text),
		),
		status: often(fc.constantFrom('success', 'failed', 'pending'), fc.constantFrom('done', null)),
		data: record,
		tags: often(fc.array(fc.string(), {maxLength: 3}), fc.oneof(fc.array(text), json)),
		parent_trace_id: id,
		correlation_id: text,
		event_id: often(fc.constantFrom('evt-1', 'evt-2'), fc.oneof(fc.constantFrom('has space', ''), text)),
		span_kind: often(fc.constantFrom('server', 'client'), fc.constantFrom('other', null)),
		service: text,
		resource: record,
		scope: often(fc.record({name: fc.string(), version: fc.option(fc.string(), {nil: undefined})}, {requiredKeys: ['name']}), fc.oneof(fc.record({name: text, version: text}), json)),
		links: often(fc.array(fc.record({trace_id: id, span_id: id, attributes: fc.option(record, {nil: undefined})}, {requiredKeys: ['trace_id', 'span_id']}), {maxLength: 2}), json),
		status_message: text,
		status_code: often(fc.constantFrom('unset', 'ok', 'error'), fc.constantFrom('bad', null)),
		attributes: record,
		extra: json,
	},
	{requiredKeys: ['trace_id', 'span_id', 'event_type', 'timestamp']},
);

describe('TraceEvent validation: the fast check', () => {
	it('gives what the schema gives: the same event, or the same refusal', () => {
		fc.assert(
			fc.property(event, raw => {
				// As ingest sees it: parsed JSON (a "__proto__" key is then a member, not the prototype).
				const value = JSON.parse(JSON.stringify(raw)) as unknown;
				assert.deepEqual(outcome(parseTraceEvent, value), outcome(parseTraceEventSlowly, value));
			}),
			{numRuns: RUNS},
		);
	});

	it('passes a "__proto__" member of data on as zod does (dropped)', () => {
		const value = JSON.parse('{"trace_id":"t","span_id":"s","event_type":"step:started","timestamp":"2026-01-14T12:00:58.556Z","data":{"__proto__":{"x":1},"name":"build"}}') as unknown;
		assert.deepEqual(parseTraceEvent(value), parseTraceEventSlowly(value));
		assert.equal(JSON.stringify(parseTraceEvent(value).data), '{"name":"build"}');
	});

	it('refuses too deep an event with the same words', () => {
		let deep: unknown = 1;
		for (let i = 0; i < 300; i++) {
			deep = {d: deep};
		}

		const value = {trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-01-14T12:00:58.556Z', attributes: deep};
		assert.deepEqual(outcome(parseTraceEvent, value), outcome(parseTraceEventSlowly, value));
		assert.match(String((outcome(parseTraceEvent, value) as {error?: string}).error), /nested deeper/);
	});
});
