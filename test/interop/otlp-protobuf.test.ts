import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {fromKeyValues} from '../../source/interop/otlp-attributes.js';
import {decodeExportTraceRequest, decodeExportTraceResponse, encodeExportTraceRequest, encodeExportTraceResponse, int64Text, OtlpProtobufError} from '../../source/interop/otlp-protobuf.js';
import type {OtlpAnyValue} from '../../source/interop/otlp-attributes.js';
import type {OtlpSpanJson} from '../../source/interop/otlp-json.js';
import {protobufjs} from '../../source/interop/protobufjs.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {otlpToEvents} from '../../source/interop/otlp-to-events.js';

const document: OtlpTracesJson = {
	resourceSpans: [
		{
			resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-pb'}}]},
			scopeSpans: [
				{
					scope: {name: 'lib', version: '1.0'},
					spans: [
						{
							traceId: '0af7651916cd43dd8448eb211c80319c',
							spanId: 'b7ad6b7169203331',
							parentSpanId: '00f067aa0ba902b7',
							name: 'step',
							kind: 1,
							startTimeUnixNano: '1772445600000000000',
							endTimeUnixNano: '1772445601500000000',
							attributes: [
								{key: 'big', value: {intValue: '9007199254740993'}},
								{key: 'neg', value: {intValue: '-5'}},
								{key: 'ratio', value: {doubleValue: 0.25}},
								{key: 'ok', value: {boolValue: false}},
								{key: 'empty', value: {stringValue: ''}},
								{key: 'raw', value: {bytesValue: Buffer.from('hi').toString('base64')}},
								{key: 'list', value: {arrayValue: {values: [{intValue: '1'}, {kvlistValue: {values: [{key: 'k', value: {stringValue: 'v'}}]}}]}}},
							],
							events: [{timeUnixNano: '1772445601000000000', name: 'retry', attributes: [{key: 'n', value: {intValue: '2'}}]}],
							status: {code: 2, message: 'boom'},
						},
					],
				},
			],
		},
	],
};

describe('OTLP protobuf', () => {
	it('decodes to the OTLP/JSON shape: hex ids, nanosecond strings, int64 as strings, bytes as base64', () => {
		const decoded = decodeExportTraceRequest(encodeExportTraceRequest(document));
		const span = decoded.resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
		assert.equal(span.spanId, 'b7ad6b7169203331');
		assert.equal(span.parentSpanId, '00f067aa0ba902b7');
		assert.equal(span.startTimeUnixNano, '1772445600000000000');
		assert.equal(span.endTimeUnixNano, '1772445601500000000');
		assert.deepEqual(span.status, {code: 2, message: 'boom'});
		assert.deepEqual(fromKeyValues(span.attributes ?? []), {
			big: '9007199254740993',
			neg: -5,
			ratio: 0.25,
			ok: false,
			empty: '',
			raw: Buffer.from('hi').toString('base64'),
			list: [1, {k: 'v'}],
		});
		assert.deepEqual(decoded.resourceSpans[0]!.scopeSpans![0]!.scope, {name: 'lib', version: '1.0', attributes: []});
		const events = otlpToEvents(decoded);
		assert.equal(events[0]!.parent_span_id, '00f067aa0ba902b7');
		// Every span event is kept as it came, and a retry event also counts as a retry.
		assert.deepEqual(events.find(event => event.event_type.endsWith(':retry'))!.data!['retry'], {n: 2});
		assert.deepEqual(events.at(-1)!.data!['error'], {message: 'boom'});
	});

	it('leaves a root span without a parent and an open span without an end', () => {
		const open = structuredClone(document);
		const span = open.resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		delete span.parentSpanId;
		delete span.endTimeUnixNano;
		const decoded = decodeExportTraceRequest(encodeExportTraceRequest(open)).resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		assert.equal(decoded.parentSpanId, undefined);
		assert.equal(decoded.endTimeUnixNano, undefined);
		const events = otlpToEvents({resourceSpans: [{resource: open.resourceSpans[0]!.resource, scopeSpans: [{spans: [decoded]}]}]});
		assert.equal(events[0]!.resource!['devcmd.run_id'], 'run-pb', 'a root span carries its resource, which holds the run id');
		assert.equal(events.at(-1)!.event_type, 'workflow:retry', 'no end event for an open span');
	});

	it('rejects bytes that are not a request', () => {
		assert.throws(() => decodeExportTraceRequest(new Uint8Array([0x0a, 0x05, 0x01])), OtlpProtobufError);
	});

	it('encodes responses: empty when all was taken, partial success otherwise', () => {
		assert.equal(encodeExportTraceResponse().length, 0);
		assert.equal(encodeExportTraceResponse({rejectedSpans: 0, errorMessage: ''}).length, 0);
		assert.deepEqual(decodeExportTraceResponse(encodeExportTraceResponse({rejectedSpans: 3, errorMessage: 'bad ids'})), {partialSuccess: {rejectedSpans: 3, errorMessage: 'bad ids'}});
	});

	it('writes every 64-bit integer exactly, as Long itself does: unsigned times and signed attributes', () => {
		// protobufjs's typings give util.Long as a bare constructor; it is the long package's Long.
		const Long = protobufjs().util.Long as unknown as {fromString(text: string, unsigned: boolean): {low: number; high: number; unsigned: boolean}};
		const edges = [0n, 1n, 999_999n, 1_000_000n, 4_294_967_295n, 4_294_967_296n, 2n ** 53n + 1n, 1_772_445_600_000_000_123n, 2n ** 63n, 2n ** 64n - 1n];
		for (const n of edges) {
			assert.equal(int64Text(Long.fromString(String(n), true)), String(n));
		}

		fc.assert(
			fc.property(fc.bigInt({min: 0n, max: 2n ** 64n - 1n}), n => int64Text(Long.fromString(String(n), true)) === String(n)),
			{numRuns: 2000},
		);
		fc.assert(
			fc.property(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), n => int64Text(Long.fromString(String(n), false)) === String(n)),
			{numRuns: 2000},
		);
		assert.equal(int64Text('123'), '123');
		assert.equal(int64Text(7), '7');
		assert.equal(int64Text(undefined), '0');
	});

	it('decodes what it encodes: any span the encoder carries comes back as it went in, defaults filled in', () => {
		// Plain objects, as decoding makes them (fast-check's have no prototype, which deepStrictEqual tells apart).
		const record = <T extends object>(shape: {[K in keyof T]: fc.Arbitrary<T[K]>}) => fc.record<T>(shape, {noNullPrototype: true});
		const hexOf = (bytes: number) => fc.uint8Array({minLength: bytes, maxLength: bytes}).map(array => Buffer.from(array).toString('hex'));
		const nanos = fc.bigInt({min: 0n, max: 2n ** 64n - 1n}).map(String);
		const anyValue: fc.Arbitrary<OtlpAnyValue> = fc.letrec<{value: OtlpAnyValue}>(tie => ({
			value: fc.oneof(
				{depthSize: 'small'},
				fc.string().map(text => ({stringValue: text})),
				fc.boolean().map(flag => ({boolValue: flag})),
				fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}).map(n => ({intValue: String(n)})),
				fc
					.double({noNaN: true, noDefaultInfinity: true})
					.filter(x => !Object.is(x, -0))
					.map(x => ({doubleValue: x})),
				fc.uint8Array({maxLength: 8}).map(array => ({bytesValue: Buffer.from(array).toString('base64')})),
				fc.array(tie('value'), {maxLength: 3}).map(values => ({arrayValue: {values}})),
				fc.array(record({key: fc.string(), value: tie('value')}), {maxLength: 3}).map(values => ({kvlistValue: {values}})),
			),
		})).value;
		const attributes = fc.array(record({key: fc.string(), value: anyValue}), {maxLength: 4});
		const span: fc.Arbitrary<OtlpSpanJson> = fc
			.record({
				traceId: hexOf(16),
				spanId: hexOf(8),
				parentSpanId: fc.option(hexOf(8), {nil: undefined}),
				name: fc.string(),
				kind: fc.integer({min: 0, max: 5}),
				startTimeUnixNano: nanos,
				endTimeUnixNano: fc.option(
					nanos.filter(text => text !== '0'),
					{nil: undefined},
				),
				attributes,
				events: fc.array(record({timeUnixNano: nanos, name: fc.string(), attributes}), {maxLength: 2}),
				links: fc.array(record({traceId: hexOf(16), spanId: hexOf(8), attributes}), {maxLength: 2}),
				status: fc.option(record({code: fc.integer({min: 0, max: 2}), message: fc.option(fc.string({minLength: 1}), {nil: undefined})}), {nil: undefined}),
			})
			.map(drawn => {
				// As decoding gives them back: no key for what is absent, no empty list of links.
				const out: Record<string, unknown> = {...drawn};
				for (const key of ['parentSpanId', 'endTimeUnixNano', 'status'] as const) {
					if (drawn[key] === undefined) {
						delete out[key];
					}
				}

				if (drawn.links.length === 0) {
					delete out['links'];
				}

				if (drawn.status?.message === undefined && drawn.status !== undefined) {
					out['status'] = {code: drawn.status.code};
				}

				return out as unknown as OtlpSpanJson;
			});
		fc.assert(
			fc.property(fc.array(span, {minLength: 1, maxLength: 4}), spans => {
				const decoded = decodeExportTraceRequest(encodeExportTraceRequest({resourceSpans: [{resource: {attributes: []}, scopeSpans: [{spans}]}]}));
				assert.deepStrictEqual(decoded.resourceSpans[0]!.scopeSpans![0]!.spans, spans);
			}),
			{numRuns: 300},
		);
	});
});
