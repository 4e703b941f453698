import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {ZipkinParseError, zipkinSpansToOtlp} from '../../source/interop/zipkin-json.js';
import {fixtureJson} from './format-samples.js';

const fixture = (): Array<Record<string, unknown>> => fixtureJson('zipkin-v2.json');
const items = (spans: readonly unknown[]) => spans.map((value, i) => ({value, where: String(i)}));
const str = (stringValue: string) => ({stringValue});
const int = (intValue: string) => ({intValue});

describe('Zipkin v2 JSON to OTLP', () => {
	it('converts the fixture exactly: services as resources, kinds, endpoints, annotations, error tags, the shared server span', () => {
		const document = zipkinSpansToOtlp(items(fixture()));
		// Worked by hand from formats/zipkin-v2.json (T = 1767268800000000 µs):
		// - the 64-bit trace id gets its zero high half;
		// - frontend holds spans 0 and 1, payments spans 2 and 3; span 2 names its library (brave 5.16.0,
		//   in the older otel.library.* tags), span 3 none: two ScopeSpans under payments;
		// - every span has an error tag, so all fail: "payment failed" and "card declined" are messages,
		//   the empty one on span 1 says nothing;
		// - span 2 is the server side of span 1's RPC and shares its id (shared: true): it gets an id of
		//   its own with span 1 as its parent, and span 3, declared under the shared id, hangs under it;
		// - span 3 has no kind: a local span, INTERNAL.
		const traceId = '0000000000000000463ac35c9f6413ad';
		const [frontend, payments] = document.resourceSpans;
		assert.deepEqual(frontend!.resource, {attributes: [{key: 'service.name', value: str('frontend')}]});
		assert.deepEqual(payments!.resource, {attributes: [{key: 'service.name', value: str('payments')}]});
		assert.deepEqual(frontend!.scopeSpans, [
			{
				spans: [
					{
						traceId,
						spanId: '72485a3953bb6124',
						name: 'get /checkout',
						kind: 2,
						startTimeUnixNano: '1767268800000000000',
						endTimeUnixNano: '1767268800120000000',
						attributes: [
							{key: 'http.method', value: str('GET')},
							{key: 'http.path', value: str('/checkout')},
							{key: 'net.host.ip', value: str('10.0.0.1')},
							{key: 'net.host.port', value: int('8080')},
							{key: 'net.peer.ip', value: str('203.0.113.9')},
							{key: 'net.peer.port', value: int('51544')},
						],
						events: [],
						status: {code: 2, message: 'payment failed'},
					},
					{
						traceId,
						spanId: 'a1b2c3d4e5f60718',
						parentSpanId: '72485a3953bb6124',
						name: 'post /charge',
						kind: 3,
						startTimeUnixNano: '1767268800005000000',
						endTimeUnixNano: '1767268800105000000',
						attributes: [
							{key: 'http.status_code', value: str('502')},
							{key: 'net.host.ip', value: str('10.0.0.1')},
							{key: 'peer.service', value: str('payments')},
							{key: 'net.peer.ip', value: str('10.0.0.7')},
							{key: 'net.peer.port', value: int('9000')},
						],
						events: [
							{timeUnixNano: '1767268800005100000', name: 'ws', attributes: []},
							{timeUnixNano: '1767268800104900000', name: 'wr', attributes: []},
						],
						status: {code: 2},
					},
				],
			},
		]);

		const [server] = payments!.scopeSpans![0]!.spans!;
		assert.match(server!.spanId, /^[0-9a-f]{16}$/);
		assert.notEqual(server!.spanId, 'a1b2c3d4e5f60718');
		assert.deepEqual(payments!.scopeSpans, [
			{
				scope: {name: 'brave', version: '5.16.0'},
				spans: [
					{
						traceId,
						spanId: server!.spanId,
						parentSpanId: 'a1b2c3d4e5f60718',
						name: 'post /charge',
						kind: 2,
						startTimeUnixNano: '1767268800008000000',
						endTimeUnixNano: '1767268800098000000',
						attributes: [
							{key: 'net.host.ip', value: str('10.0.0.7')},
							{key: 'net.host.port', value: int('9000')},
							{key: 'net.peer.ip', value: str('10.0.0.1')},
						],
						events: [],
						status: {code: 2, message: 'card declined'},
					},
				],
			},
			{spans: [{traceId, spanId: '0f0e0d0c0b0a0908', parentSpanId: server!.spanId, name: 'charge card', kind: 1, startTimeUnixNano: '1767268800010000000', endTimeUnixNano: '1767268800070000000', attributes: [{key: 'card.brand', value: str('visa')}], events: [], status: {code: 2, message: 'card declined'}}]},
		]);

		// The new id is the same every time: ingesting the file again adds nothing.
		assert.equal(zipkinSpansToOtlp(items(fixture())).resourceSpans[1]!.scopeSpans![0]!.spans![0]!.spanId, server!.spanId);
	});

	it("moves a server span that shares its client's id even without the shared flag, and leaves a lone client alone", () => {
		const [, client, server] = fixture();
		delete server!['shared'];
		const spans = zipkinSpansToOtlp(items([client, server])).resourceSpans.flatMap(rs => rs.scopeSpans!.flatMap(ss => ss.spans!));
		assert.deepEqual(
			spans.map(span => [span.kind, span.parentSpanId]),
			[
				[3, '72485a3953bb6124'],
				[2, 'a1b2c3d4e5f60718'],
			],
		);
		assert.notEqual(spans[1]!.spanId, 'a1b2c3d4e5f60718');
		const alone = zipkinSpansToOtlp(items([client])).resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		assert.equal(alone.spanId, 'a1b2c3d4e5f60718');
	});

	it('keeps an incomplete span open, dates it by its first annotation, and keeps odd tag names and values', () => {
		const span = zipkinSpansToOtlp(
			items([
				{
					traceId: '4BF92F3577B34DA6A3CE929D0E0E4736',
					id: '5',
					name: 'wait for lock',
					annotations: [
						{timestamp: 1767268800000900, value: 'later'},
						{timestamp: 1767268800000700, value: 'first'},
					],
					// JSON.parse makes "__proto__" an own key: it is a tag like any other here.
					tags: JSON.parse('{"__proto__": "kept", "retries": 2, "ratio": 0.5, "cached": false, "otel.status_code": "OK"}') as unknown,
				},
			]),
		).resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		assert.equal(span.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
		assert.equal(span.spanId, '0000000000000005');
		assert.equal(span.startTimeUnixNano, '1767268800000700000');
		assert.equal(span.endTimeUnixNano, undefined);
		assert.deepEqual(span.status, {code: 1});
		assert.deepEqual(span.attributes, [
			{key: '__proto__', value: str('kept')},
			{key: 'retries', value: int('2')},
			{key: 'ratio', value: {doubleValue: 0.5}},
			{key: 'cached', value: {boolValue: false}},
		]);
		// No resource to speak of: no localEndpoint, no service.name.
		assert.deepEqual(zipkinSpansToOtlp(items([{traceId: 'a', id: 'b', timestamp: 1}])).resourceSpans[0]!.resource, {attributes: []});
	});

	it('names the first problem with its path', () => {
		const broken = (span: Record<string, unknown>): string => {
			try {
				zipkinSpansToOtlp([{value: span, where: '3'}]);
			} catch (error) {
				assert.ok(error instanceof ZipkinParseError, String(error));
				return error.message;
			}

			return 'accepted';
		};

		const good = fixture()[3]!;
		assert.match(broken({...good, timestamp: undefined}), /^3\.timestamp: epoch microseconds \(the span has neither a timestamp nor annotations\)$/);
		assert.match(broken({...good, kind: 'LOCAL'}), /^3\.kind: /);
		assert.match(broken({...good, id: 42}), /^3\.id: /);
		assert.match(broken({...good, duration: '1.5'}), /^3\.duration: /);
		assert.match(broken({...good, tags: {error: {nested: true}}}), /^3\.tags\.error: /);
	});
});
