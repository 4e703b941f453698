import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {decodeExportTraceRequest, encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {isoFromNanos} from '../../source/core/iso-time.js';
import {otlpToEvents, toIso} from '../../source/interop/otlp-to-events.js';
import {fitsOtlpTracesSchema} from '../../source/interop/otlp-traces-shape.js';
import {otlpTracesSchema} from '../../source/interop/otlp-to-events.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);

/**
 * The outcome of a conversion: the events as JSON (what the store keeps; an
 * attribute "__proto__" on an exported span gives its data a prototype of its
 * own, equal in both paths but never the same object), or the refusal's words.
 */
function outcome(document: unknown, schema: 'when-needed' | 'always'): unknown {
	try {
		return {events: JSON.stringify(otlpToEvents(document, 'otlp', schema))};
	} catch (error) {
		return {error: (error as Error).message};
	}
}

// Near-valid documents: each field mostly right, now and then wrong in a way one check catches.
function often<T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
	return fc.oneof({arbitrary: good, weight: 20}, {arbitrary: bad, weight: 1});
}

const junk = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.jsonValue({maxDepth: 2}), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY));
const hex = (digits: number): fc.Arbitrary<string> => fc.string({unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: digits, maxLength: digits});
const traceId = often(hex(32), fc.oneof(fc.constantFrom('', '0'.repeat(32), 'span-1'), junk));
const spanId = often(hex(16), fc.oneof(fc.constantFrom('', '0'.repeat(16), 'x'), junk));
const nanos = often(fc.oneof(fc.bigInt({min: 0n, max: 8_640_000_000_000_000_000_000n}).map(String), fc.constantFrom('0', '1768478400000000001', '0001768478400123456789', '8640000000000000000001'), fc.integer({min: 0})), fc.oneof(fc.constantFrom('', '-1', '1e9', '12a', '9'.repeat(30)), fc.constant(-1), junk));
const text = often(fc.string(), fc.oneof(fc.constantFrom('lone \udc00', 'x'.repeat(300), 'bidi \u202e'), junk));
const {anyValue} = fc.letrec(tie => ({
	anyValue: often(
		fc.oneof(
			{depthSize: 'small'},
			fc.record({stringValue: text}),
			fc.record({boolValue: fc.boolean()}),
			fc.record({intValue: fc.oneof(fc.integer().map(String), fc.integer(), fc.constant('9007199254740993'))}),
			fc.record({doubleValue: fc.oneof(fc.double({noNaN: true, noDefaultInfinity: true}), fc.constant('1.5'))}),
			fc.record({bytesValue: fc.base64String()}),
			fc.record({arrayValue: fc.record({values: fc.array(tie('anyValue'), {maxLength: 3})}, {requiredKeys: []})}),
			fc.record({kvlistValue: fc.record({values: fc.array(tie('keyValue'), {maxLength: 3})}, {requiredKeys: []})}),
			fc.constant({}),
		),
		fc.oneof(junk, fc.record({stringValue: junk}), fc.record({arrayValue: junk})),
	),
	keyValue: often(fc.record({key: often(fc.constantFrom('exit_code', 'service.name', 'devcmd.run_id', '__proto__', 'tracedeck.kind', 'k'), fc.oneof(fc.string(), junk)), value: tie('anyValue')}, {requiredKeys: ['key']}), junk),
}));
const attributes = often(fc.array(fc.letrec(tie => ({kv: fc.record({key: fc.constantFrom('exit_code', 'service.name', 'devcmd.run_id', '__proto__', 'tracedeck.kind', 'tracedeck.spanEvents', 'k'), value: anyValue as fc.Arbitrary<unknown>}, {requiredKeys: ['key']}), unused: tie('kv')})).kv, {maxLength: 4}), junk);
const span = fc.record(
	{
		traceId,
		spanId,
		parentSpanId: fc.oneof(spanId, fc.constant(null)),
		name: text,
		kind: often(fc.oneof(fc.integer({min: 0, max: 6}), fc.constantFrom('SPAN_KIND_SERVER', 'bogus')), junk),
		startTimeUnixNano: nanos,
		endTimeUnixNano: nanos,
		attributes,
		events: often(fc.array(fc.record({timeUnixNano: nanos, name: often(fc.constantFrom('retry', 'stderr', 'exception', 'x'), junk), attributes}, {requiredKeys: ['timeUnixNano']}), {maxLength: 3}), junk),
		links: often(fc.array(fc.record({traceId, spanId, attributes}, {requiredKeys: ['traceId', 'spanId']}), {maxLength: 2}), junk),
		status: often(fc.record({code: fc.oneof(fc.integer({min: 0, max: 3}), fc.constantFrom('STATUS_CODE_ERROR')), message: text}, {requiredKeys: []}), junk),
		traceState: fc.string(),
		flags: fc.integer(),
		extra: fc.jsonValue({maxDepth: 4}),
	},
	{requiredKeys: ['traceId', 'spanId', 'startTimeUnixNano']},
);
const document = fc.record({
	resourceSpans: often(
		fc.array(
			fc.record(
				{
					resource: often(fc.record({attributes}, {requiredKeys: []}), junk),
					scopeSpans: often(fc.array(fc.record({scope: often(fc.record({name: text, version: text, attributes}, {requiredKeys: []}), junk), spans: often(fc.array(span, {maxLength: 3}), junk)}, {requiredKeys: []}), {maxLength: 2}), junk),
				},
				{requiredKeys: []},
			),
			{maxLength: 2},
		),
		junk,
	),
});

/** `{a: {a: ...}}` `levels` deep. */
function nested(levels: number): unknown {
	let value: unknown = {};
	for (let i = 1; i < levels; i++) {
		value = {a: value};
	}

	return value;
}

describe('OTLP traces: the hand-written shape check', () => {
	it('is taken only where the schema accepts, and converts to what the schema path gives: the same events, or the same refusal', () => {
		fc.assert(
			fc.property(document, doc => {
				if (fitsOtlpTracesSchema(doc)) {
					assert.equal(otlpTracesSchema.safeParse(doc).success, true);
				}

				assert.deepEqual(outcome(doc, 'when-needed'), outcome(doc, 'always'));
			}),
			{numRuns: RUNS},
		);
	});

	it('takes what the protobuf decoder builds', () => {
		fc.assert(
			fc.property(document, doc => {
				let decoded: unknown;
				try {
					decoded = decodeExportTraceRequest(encodeExportTraceRequest(doc as never));
				} catch {
					return;
				}

				assert.deepEqual(outcome(decoded, 'when-needed'), outcome(decoded, 'always'));
			}),
			{numRuns: RUNS},
		);
		const one = {
			resourceSpans: [
				{
					resource: {attributes: [{key: 'service.name', value: {stringValue: 'a'}}]},
					scopeSpans: [
						{
							scope: {name: 's'},
							spans: [
								{
									traceId: 'ab'.repeat(16),
									spanId: 'cd'.repeat(8),
									name: 'n',
									startTimeUnixNano: '1768478400000000001',
									endTimeUnixNano: '1768478400000000002',
									attributes: [{key: 'k', value: {arrayValue: {values: [{intValue: '1'}]}}}],
									events: [{timeUnixNano: '1768478400000000001', name: 'e'}],
									links: [{traceId: 'ab'.repeat(16), spanId: 'ef'.repeat(8)}],
									status: {code: 2, message: 'm'},
								},
							],
						},
					],
				},
			],
		};
		assert.equal(fitsOtlpTracesSchema(decodeExportTraceRequest(encodeExportTraceRequest(one as never))), true);
	});

	it('leaves depth at the limit and past it to the schema path alike', () => {
		for (let levels = 1; levels <= 70; levels++) {
			const doc = {resourceSpans: [{resource: {attributes: []}, scopeSpans: [{spans: [{traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'n', startTimeUnixNano: '1', extra: nested(levels)}]}]}]};
			assert.deepEqual(outcome(doc, 'when-needed'), outcome(doc, 'always'), `extra ${levels} levels deep`);
			let value: unknown = {stringValue: 'x'};
			for (let i = 0; i < levels; i++) {
				value = i % 2 === 0 ? {arrayValue: {values: [value]}} : {kvlistValue: {values: [{key: 'k', value}]}};
			}

			const deep = {resourceSpans: [{scopeSpans: [{spans: [{traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'n', startTimeUnixNano: '1', attributes: [{key: 'k', value}]}]}]}]};
			assert.deepEqual(outcome(deep, 'when-needed'), outcome(deep, 'always'), `attribute ${levels} levels deep`);
		}
	});

	it('times: the text cut without BigInt is what isoFromNanos gives', () => {
		const digits = fc.oneof(fc.bigInt({min: 0n, max: 8_640_000_000_000_000_000_000n}).map(String), fc.string({unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 21}));
		fc.assert(
			fc.property(digits, text => {
				assert.equal(toIso(text), isoFromNanos(BigInt(text)));
			}),
			{numRuns: RUNS * 10},
		);
	});
});
