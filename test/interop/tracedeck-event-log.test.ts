import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {SPAN_KINDS, STATUS_CODES, type TraceEvent} from '../../source/core/trace-event.js';
import {RemoteSink} from '../../source/emit/remote-sink.js';
import {TraceIntake} from '../../source/interop/otlp-intake.js';
import {convertOtlpLogs} from '../../source/interop/otlp-logs-to-events.js';
import {parseTraceEvent} from '../../source/interop/trace-event-schema.js';
import {eventLogRecord, eventsLogsRequest, TRACEDECK_EVENT_ATTRIBUTE} from '../../source/interop/tracedeck-event-log.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * The wire of producers elsewhere: a TraceEvent as an OTLP log record with
 * the event in `tracedeck.event`, which serve's logs intake stores as the
 * event itself. Every field must come back exactly as it went.
 */

// TraceEvent data is JSON: what went through JSON is what a producer can send.
const json = fc
	.jsonValue({maxDepth: 3})
	.map(value => JSON.parse(JSON.stringify(value)) as unknown)
	.filter(value => !JSON.stringify(value).includes('"__proto__"'));
const record = fc.dictionary(
	fc.string({minLength: 1, maxLength: 12}).filter(key => key !== '__proto__'),
	json,
	{maxKeys: 4},
);
const hex = (digits: number) => fc.string({unit: fc.constantFrom(...'0123456789abcdef'), minLength: digits, maxLength: digits});
const printableId = fc.string({unit: fc.constantFrom(...'abcXYZ019-_:./'), minLength: 1, maxLength: 20});
const traceId = fc.oneof(hex(32), printableId);
const spanId = fc.oneof(hex(16), printableId);
const nanosBelowMs = fc.oneof(
	fc.constant(''),
	fc.integer({min: 1, max: 999_999}).map(n => String(n).padStart(6, '0').replace(/0+$/, '')),
);
const timestamp = fc.tuple(fc.date({min: new Date('1960-01-01'), max: new Date('2200-01-01'), noInvalidDate: true}), nanosBelowMs).map(([date, below]) => date.toISOString().replace(/Z$/, `${below}Z`));
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, {nil: undefined});

const traceEvent = fc
	.record({
		trace_id: traceId,
		span_id: spanId,
		parent_span_id: optional(spanId),
		event_type: fc.constantFrom('step:started', 'step:completed', 'log:stdout', 'log:stderr', 'step:progress', 'ai:decision', 'saga:compensated', 'workflow:failed', 'odd'),
		timestamp,
		status: optional(fc.constantFrom('success', 'failed', 'pending') as fc.Arbitrary<'success' | 'failed' | 'pending'>),
		data: optional(record),
		tags: optional(fc.array(fc.string({maxLength: 8}), {maxLength: 3})),
		parent_trace_id: optional(traceId),
		correlation_id: optional(fc.string({maxLength: 20})),
		event_id: optional(printableId),
		span_kind: optional(fc.constantFrom(...SPAN_KINDS)),
		service: optional(fc.string({maxLength: 20})),
		resource: optional(record),
		scope: optional(fc.record({name: fc.string({maxLength: 10}), version: optional(fc.string({maxLength: 5}))}, {requiredKeys: ['name']})),
		links: optional(fc.array(fc.record({trace_id: traceId, span_id: spanId, attributes: record}), {maxLength: 2})),
		status_message: optional(fc.string({maxLength: 30})),
		status_code: optional(fc.constantFrom(...STATUS_CODES)),
		attributes: optional(record),
	})
	.map(event => Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)) as unknown as TraceEvent)
	// The events ingest takes, as ingest normalizes them: what the emitter writes and serve stores.
	.chain(event => {
		try {
			return fc.constant(parseTraceEvent(event));
		} catch {
			return fc.constant(null);
		}
	})
	.filter((event): event is TraceEvent => event !== null);

/** What serve's logs intake hands its writer for one request body, as it arrives on the wire. */
function received(body: string): TraceEvent[] {
	const batch = convertOtlpLogs(JSON.parse(body));
	assert.equal(batch.rejectedLogRecords, 0, batch.errorMessage);
	assert.equal(batch.serviceLogs.length, 0);
	return batch.events;
}

describe('TraceEvents over OTLP/HTTP logs (tracedeck.event)', () => {
	it('every field of every event comes back as it was sent, in order', () => {
		fc.assert(
			fc.property(fc.array(traceEvent, {minLength: 1, maxLength: 8}), events => {
				assert.deepEqual(received(JSON.stringify(eventsLogsRequest(events))), events);
			}),
			{numRuns: 300},
		);
	});

	it("through the sender and serve's intake: the same events, each with the id it was sent with", async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(traceEvent, {minLength: 1, maxLength: 8}), async events => {
				const stored: TraceEvent[] = [];
				const intake = new TraceIntake({sink: {write: async batch => stored.push(...batch)}, log: () => {}});
				const sink = new RemoteSink({
					endpoint: 'http://serve.invalid:4318',
					home: tempHome(),
					warn: message => assert.fail(message),
					async fetch(_url, init) {
						await intake.storeLogs(JSON.parse(String(init?.body)));
						return new Response('{}', {status: 200});
					},
				});
				await sink.write(events);
				await sink.close();
				assert.equal(stored.length, events.length);
				// An event without an id is given one (so a resend is a duplicate); nothing else changes.
				assert.deepEqual(
					stored.map(({event_id, ...rest}) => rest),
					events.map(({event_id, ...rest}) => rest),
				);
				for (const [i, event] of stored.entries()) {
					assert.ok(event.event_id !== undefined);
					assert.equal(event.event_id, events[i]!.event_id ?? event.event_id);
				}
			}),
			{numRuns: 60},
		);
	});

	it('the record says the ids, time and type to other OTLP tools where OTLP can', () => {
		const record = eventLogRecord({trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), event_type: 'step:started', timestamp: '2026-01-01T00:00:00.000123Z'});
		assert.equal(record['traceId'], 'a'.repeat(32));
		assert.equal(record['spanId'], 'b'.repeat(16));
		assert.equal(record['timeUnixNano'], '1767225600000123000');
		assert.deepEqual(record['body'], {stringValue: 'step:started'});
		const named = eventLogRecord({trace_id: 'my-trace', span_id: 'step-1', event_type: 'x', timestamp: '2026-01-01T00:00:00.000Z'});
		assert.equal(named['traceId'], undefined);
	});

	it('a record whose ids were changed on the way is refused alone; plain log records are log records as before', () => {
		const event: TraceEvent = {trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), event_type: 'step:started', timestamp: '2026-01-01T00:00:00.000Z'};
		const moved = {...eventLogRecord(event), traceId: 'c'.repeat(32)};
		const plain = {timeUnixNano: '1767225600000000000', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), body: {stringValue: 'hello'}};
		const notJson = {...plain, attributes: [{key: TRACEDECK_EVENT_ATTRIBUTE, value: {stringValue: '{oops'}}]};
		const batch = convertOtlpLogs({resourceLogs: [{scopeLogs: [{logRecords: [moved, plain, notJson]}]}]});
		assert.equal(batch.rejectedLogRecords, 2);
		assert.match(batch.errorMessage, /not the event's/);
		assert.equal(batch.events.length, 1);
		assert.equal(batch.events[0]!.event_type, 'log:record');
		assert.equal(batch.events[0]!.data?.['line'], 'hello');
	});
});
