import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {fromKeyValues} from '../../source/interop/otlp-attributes.js';
import {decodeExportTraceRequest, decodeExportTraceResponse, encodeExportTraceRequest, encodeExportTraceResponse, OtlpProtobufError} from '../../source/interop/otlp-protobuf.js';
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
});
