import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, test} from 'node:test';
import fc from 'fast-check';
import {InputError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {readEventsFile} from '../../source/interop/input-files.js';
import {OtlpParseError, otlpToEvents} from '../../source/interop/otlp-to-events.js';
import {EventParseError, parseTraceEvent, parseTraceEventLine} from '../../source/interop/trace-event-schema.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';

/**
 * Parsers meet untrusted bytes: each must give a result or its own typed
 * error, never another exception (a TypeError or RangeError would surface as
 * "internal error"). And whatever they accept, the run index must store.
 */
type ErrorClass = abstract new (...args: never[]) => Error;

function parsedOr<T>(parse: () => T, ...allowed: ErrorClass[]): T | undefined {
	try {
		return parse();
	} catch (error) {
		if (allowed.some(kind => error instanceof kind)) {
			return undefined;
		}

		throw error;
	}
}

const home = tempHome('tracedeck-fuzz-');
const index = RunIndex.open(home);
after(() => index.close());

let stored = 0;

/** Store what a parser accepted; throwing here is the bug the property looks for. */
function store(events: readonly TraceEvent[] | undefined): void {
	if (events && events.length > 0) {
		index.appendEvents(events);
		stored++;
	}
}

/** How many generated inputs got as far as the store: a property that never stores tests little. */
function storedDuring(t: {diagnostic(message: string): void}, run: () => void): void {
	const before = stored;
	run();
	t.diagnostic(`${stored - before} accepted inputs stored`);
}

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const options = {numRuns: RUNS};

// Small id pools so that events collide: same spans folded twice, self-parents, parent cycles.
const traceId = fc.constantFrom('t1', 't2', 'trace-3');
const spanId = fc.constantFrom('a', 'b', 'c', 'd', 'root');
const eventType = fc.oneof(
	fc.constantFrom('workflow:started', 'workflow:completed', 'workflow:failed', 'stage:started', 'stage:failed', 'step:completed', 'step:retry', 'saga:compensating', 'saga:compensated', 'saga:compensation_failed', 'ai:decision', 'log:stderr', 'workflow:cancelled', 'x', ':', 'log:'),
	fc.string({minLength: 1, maxLength: 20}),
);
const timestamp = fc.date({min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true}).map(date => date.toISOString());
const dataValue = fc.oneof(fc.jsonValue({maxDepth: 3}), fc.string());
const data = fc.record(
	{
		name: fc.option(fc.oneof(fc.string(), fc.integer()), {nil: undefined}),
		run_id: fc.option(fc.oneof(fc.constantFrom('run-1', 'run-2'), fc.string()), {nil: undefined}),
		error: fc.option(fc.oneof(fc.string(), fc.record({message: dataValue, stack: fc.option(fc.string(), {nil: undefined})}), dataValue), {nil: undefined}),
		retry: fc.option(fc.oneof(fc.record({n: dataValue, exit_code: dataValue}), dataValue), {nil: undefined}),
		line: fc.option(dataValue, {nil: undefined}),
		original_span_id: fc.option(fc.oneof(spanId, dataValue), {nil: undefined}),
		decision: fc.option(dataValue, {nil: undefined}),
		alternatives: fc.option(fc.oneof(fc.array(fc.record({option: dataValue, score: dataValue})), dataValue), {nil: undefined}),
		total_steps: fc.option(dataValue, {nil: undefined}),
		git: fc.option(dataValue, {nil: undefined}),
		status: fc.option(fc.constantFrom('cancelled', 'x'), {nil: undefined}),
		extra: fc.option(fc.dictionary(fc.string(), dataValue), {nil: undefined}),
	},
	{requiredKeys: []},
);

const validEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
	{
		trace_id: traceId,
		span_id: spanId,
		parent_span_id: fc.option(spanId, {nil: undefined}),
		event_type: eventType,
		timestamp,
		status: fc.option(fc.constantFrom('success', 'failed', 'pending'), {nil: undefined}),
		data: fc.option(data, {nil: undefined}),
		tags: fc.option(fc.array(fc.string(), {maxLength: 3}), {nil: undefined}),
		parent_trace_id: fc.option(traceId, {nil: undefined}),
		correlation_id: fc.option(fc.string(), {nil: undefined}),
	},
	{requiredKeys: ['trace_id', 'span_id', 'event_type', 'timestamp']},
);

const FIELDS = ['trace_id', 'span_id', 'parent_span_id', 'event_type', 'timestamp', 'status', 'data', 'tags', 'parent_trace_id', 'correlation_id'];
/** A valid event with one field deleted or replaced by anything at all. */
const mutatedEvent = fc.tuple(validEvent, fc.constantFrom(...FIELDS), fc.option(fc.anything(), {nil: undefined})).map(([event, field, value]) => {
	const copy: Record<string, unknown> = {...event};
	if (value === undefined) {
		delete copy[field];
	} else {
		copy[field] = value;
	}

	return copy;
});

/** A JSON line with bytes cut, replaced or inserted at some position. */
const mutatedLine = fc.tuple(validEvent, fc.nat(), fc.string({maxLength: 8}), fc.constantFrom('cut', 'replace', 'insert')).map(([event, at, text, how]) => {
	const line = JSON.stringify(event);
	const i = at % (line.length + 1);
	return how === 'cut' ? line.slice(0, i) : how === 'replace' ? line.slice(0, i) + text + line.slice(i + text.length) : line.slice(0, i) + text + line.slice(i);
});

function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
	let value = leaf;
	for (let d = 0; d < depth; d++) {
		value = wrap(value);
	}

	return value;
}

test('parseTraceEvent: any value gives an event or an EventParseError, and accepted events store', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fc.oneof(fc.anything(), fc.jsonValue(), validEvent, mutatedEvent), value => {
				store(parsedOr(() => [parseTraceEvent(value)], EventParseError));
			}),
			options,
		),
	);
});

test('parseTraceEventLine: any text gives an event or an EventParseError, and accepted events store', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string(),
					fc.json(),
					mutatedLine,
					validEvent.map(event => JSON.stringify(event)),
				),
				line => {
					store(parsedOr(() => [parseTraceEventLine(line)], EventParseError));
				},
			),
			options,
		),
	);
});

test('parseTraceEventLine: data nested thousands deep is parsed or refused, and what is accepted stores', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fc.integer({min: 10, max: 20_000}), fc.boolean(), validEvent, (depth, arrays, event) => {
				// Spelled as text: JSON.stringify itself overflows on such values.
				const deep = arrays ? `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}` : `${'{"k":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
				const line = `${JSON.stringify({...event, data: undefined}).slice(0, -1)},"data":{"deep":${deep}}}`;
				store(parsedOr(() => [parseTraceEventLine(line)], EventParseError));
			}),
			{numRuns: 40},
		),
	);
});

// --- OTLP

// Mostly valid (so that documents get through to the store), sometimes at or past the edges.
const nanos = fc.oneof(
	{arbitrary: fc.bigInt({min: 0n, max: 4_102_444_800_000_000_000n}).map(String), weight: 8},
	{arbitrary: fc.maxSafeNat(), weight: 2},
	{arbitrary: fc.constantFrom('0', '1', '8640000000000000000000', '8640000000000000000001', '99999999999999999999999999', '-1', '1e9', '', '١٢٣'), weight: 1},
	{arbitrary: fc.double(), weight: 1},
);
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{value: unknown}>(tie => ({
	value: fc.oneof(
		{depthSize: 'small', withCrossShrink: true},
		fc.record({stringValue: fc.string()}),
		fc.record({boolValue: fc.boolean()}),
		fc.record({intValue: fc.oneof(fc.integer(), fc.bigInt().map(String), fc.string())}),
		fc.record({doubleValue: fc.oneof(fc.double({noNaN: true, noDefaultInfinity: true}), fc.string())}),
		fc.record({bytesValue: fc.base64String()}),
		fc.record({arrayValue: fc.record({values: fc.array(tie('value'), {maxLength: 3})})}),
		fc.record({kvlistValue: fc.record({values: fc.array(fc.record({key: fc.string(), value: tie('value')}), {maxLength: 3})})}),
		fc.constant({}),
	),
})).value;
const ATTRIBUTE_KEYS = [
	'devcmd.run_id',
	'tracedeck.run_id',
	'devcmd.env',
	'devcmd.target',
	'devcmd.step_path',
	'exit_code',
	'runner.id',
	'git.sha',
	'tracedeck.kind',
	'tracedeck.end_event_type',
	'tracedeck.input',
	'tracedeck.output',
	'tracedeck.tags',
	'n',
	'lines',
	'line',
	'exception.message',
	'exception.stacktrace',
	'name',
];
const attributes = fc.array(fc.record({key: fc.oneof(fc.constantFrom(...ATTRIBUTE_KEYS), fc.string()), value: fc.option(anyValue, {nil: undefined})}, {requiredKeys: ['key']}), {maxLength: 5});
const otlpSpan = fc.record(
	{
		traceId: fc.oneof(fc.constantFrom('0af7651916cd43dd8448eb211c80319c', 't1'), fc.string({minLength: 1})),
		spanId: fc.oneof(spanId, fc.string({minLength: 1})),
		parentSpanId: fc.option(fc.oneof(spanId, fc.constant('')), {nil: undefined}),
		name: fc.string(),
		kind: fc.oneof(fc.integer({min: 0, max: 5}), fc.string()),
		startTimeUnixNano: nanos,
		endTimeUnixNano: nanos,
		attributes,
		events: fc.array(fc.record({timeUnixNano: nanos, name: fc.oneof(fc.constantFrom('retry', 'stderr_tail', 'stderr', 'exception'), fc.string()), attributes}, {requiredKeys: ['timeUnixNano']}), {maxLength: 3}),
		status: fc.record({code: fc.oneof({arbitrary: fc.constantFrom(0, 1, 2, 'STATUS_CODE_ERROR', 'STATUS_CODE_OK'), weight: 8}, {arbitrary: fc.anything(), weight: 1}), message: fc.string()}, {requiredKeys: []}),
	},
	{requiredKeys: ['traceId', 'spanId', 'startTimeUnixNano']},
);
const otlpDocument = fc.record({
	resourceSpans: fc.array(
		fc.record(
			{
				resource: fc.record({attributes}, {requiredKeys: []}),
				scopeSpans: fc.array(fc.record({scope: fc.record({name: fc.string()}), spans: fc.array(otlpSpan, {minLength: 1, maxLength: 4})}, {requiredKeys: ['spans']}), {minLength: 1, maxLength: 2}),
			},
			{requiredKeys: ['scopeSpans']},
		),
		{minLength: 1, maxLength: 2},
	),
});

/** Replace the value at a random path of a document with anything. */
function mutateAt(document: unknown, choices: number[], replacement: unknown): unknown {
	if (choices.length === 0 || document === null || typeof document !== 'object') {
		return replacement;
	}

	const keys = Object.keys(document);
	if (keys.length === 0) {
		return replacement;
	}

	const key = keys[choices[0]! % keys.length]!;
	const copy: Record<string, unknown> = Array.isArray(document) ? ([...document] as unknown as Record<string, unknown>) : {...(document as Record<string, unknown>)};
	copy[key] = mutateAt((document as Record<string, unknown>)[key], choices.slice(1), replacement);
	return copy;
}

const mutatedOtlp = fc.tuple(otlpDocument, fc.array(fc.nat(), {minLength: 1, maxLength: 8}), fc.anything()).map(([document, choices, replacement]) => mutateAt(document, choices, replacement));

test('otlpToEvents: any value gives events or an OtlpParseError, and accepted events store', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fc.oneof({arbitrary: otlpDocument, weight: 4}, {arbitrary: mutatedOtlp, weight: 2}, {arbitrary: fc.anything(), weight: 1}), document => {
				store(parsedOr(() => otlpToEvents(document), OtlpParseError));
			}),
			options,
		),
	);
});

test('otlpToEvents: attribute values nested thousands deep are parsed or refused', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fc.integer({min: 10, max: 20_000}), fc.boolean(), (depth, arrays) => {
				const deep = nested(depth, {stringValue: 'leaf'}, inner => (arrays ? {arrayValue: {values: [inner]}} : {kvlistValue: {values: [{key: 'k', value: inner}]}}));
				const document = {resourceSpans: [{scopeSpans: [{spans: [{traceId: 't-deep', spanId: `s${depth}`, name: 'deep', startTimeUnixNano: '1700000000000000000', attributes: [{key: 'deep', value: deep}]}]}]}]};
				store(parsedOr(() => otlpToEvents(document), OtlpParseError));
			}),
			{numRuns: 30},
		),
	);
});

// --- Files

const fileDir = tempHome('tracedeck-fuzz-files-');
let fileCount = 0;

const fileText = fc.oneof(
	fc.array(validEvent, {minLength: 1, maxLength: 6}).map(events => events.map(event => JSON.stringify(event)).join('\n')),
	fc.array(validEvent, {minLength: 1, maxLength: 6}).map(events => JSON.stringify(events, null, 2)),
	otlpDocument.map(document => JSON.stringify(document)),
	validEvent.map(event => JSON.stringify(event)),
);

test('readEventsFile: truncated or damaged files give events or an InputError, and accepted events store', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fileText, fc.nat(), fc.constantFrom('.jsonl', '.ndjson', '.json', '.txt', ''), fc.option(fc.string({maxLength: 4}), {nil: undefined}), (text, at, extension, inserted) => {
				const cut = at % (text.length + 1);
				const damaged = inserted === undefined ? text.slice(0, cut) : text.slice(0, cut) + inserted + text.slice(cut);
				const file = path.join(fileDir, `f${fileCount++}${extension}`);
				fs.writeFileSync(file, damaged);
				store(parsedOr(() => readEventsFile(file), InputError));
			}),
			options,
		),
	);
});

test('readEventsFile: arbitrary bytes give events or an InputError', t => {
	storedDuring(t, () =>
		fc.assert(
			fc.property(fc.uint8Array({maxLength: 300}), fc.constantFrom('.jsonl', '.json'), (bytes, extension) => {
				const file = path.join(fileDir, `b${fileCount++}${extension}`);
				fs.writeFileSync(file, bytes);
				store(parsedOr(() => readEventsFile(file), InputError));
			}),
			options,
		),
	);
});

test('the fuzzed index is still consistent', () => {
	assert.equal(index.db.pragma('integrity_check', {simple: true}), 'ok');
	// Every stored span belongs to a trace that has events.
	const orphans = index.db.prepare('SELECT count(*) FROM spans s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.trace_id = s.trace_id AND e.span_id = s.span_id)').pluck().get();
	assert.equal(orphans, 0);
});
