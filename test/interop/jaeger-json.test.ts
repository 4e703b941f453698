import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {JaegerParseError, jaegerTracesToOtlp} from '../../source/interop/jaeger-json.js';
import {fixtureJson as fixture} from './format-samples.js';

const str = (stringValue: string) => ({stringValue});
const followsFrom = [{key: 'opentracing.ref_type', value: str('follows_from')}];

describe('Jaeger JSON to OTLP', () => {
	it("converts Jaeger UI's download exactly: resources per process, scopes, kinds, statuses, logs, references, µs times", () => {
		const download = fixture('jaeger-ui-download.json') as {data: unknown[]};
		// Worked by hand from formats/jaeger-ui-download.json (T = 1767268800000000 µs, 2026-01-01T12:00Z):
		// - one ResourceSpans per process in order of first use: p1 frontend (A, B, E), p2 payments (C, D);
		//   service.name first, then the process tags as they are;
		// - C names its scope (otel.scope.*), D does not: two ScopeSpans under payments;
		// - span.kind, error and otel.status_description become kind and status and leave the attributes;
		//   A fails with no message (nothing says why), B says it in otel.status_description, C in its
		//   OpenTracing error log; D and E did not fail and carry no status;
		// - E only FOLLOWS_FROM D: D is its parent (Jaeger's rule) and the reference stays as a link,
		//   beside the one into another trace;
		// - times are µs * 1000 as strings: C starts at T+15500 µs and lasts 180250 µs, so it ends at T+195750 µs.
		const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
		assert.deepEqual(jaegerTracesToOtlp(download.data, 'data'), {
			resourceSpans: [
				{
					resource: {
						attributes: [
							{key: 'service.name', value: str('frontend')},
							{key: 'hostname', value: str('web-1')},
							{key: 'client-uuid', value: str('3f2a9c1e7d5b4a60')},
						],
					},
					scopeSpans: [
						{
							spans: [
								{
									traceId,
									spanId: '00f067aa0ba90001',
									name: 'GET /checkout',
									kind: 2,
									startTimeUnixNano: '1767268800000000000',
									endTimeUnixNano: '1767268800250000000',
									attributes: [
										{key: 'http.method', value: str('GET')},
										{key: 'http.status_code', value: {intValue: '500'}},
									],
									events: [],
									status: {code: 2},
								},
								{traceId, spanId: '00f067aa0ba90002', parentSpanId: '00f067aa0ba90001', name: 'POST /charge', kind: 3, startTimeUnixNano: '1767268800010000000', endTimeUnixNano: '1767268800210000000', attributes: [], events: [], status: {code: 2, message: 'upstream answered 402'}},
								{
									traceId,
									spanId: '00f067aa0ba90005',
									parentSpanId: '00f067aa0ba90004',
									name: 'send receipt email',
									kind: 5,
									startTimeUnixNano: '1767268800240000000',
									endTimeUnixNano: '1767268800270000000',
									attributes: [],
									events: [],
									links: [
										{traceId, spanId: '00f067aa0ba90004', attributes: followsFrom},
										{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: followsFrom},
									],
								},
							],
						},
					],
				},
				{
					resource: {
						attributes: [
							{key: 'service.name', value: str('payments')},
							{key: 'ip', value: str('10.0.0.7')},
							{key: 'jaeger.version', value: str('Go-2.30.0')},
						],
					},
					scopeSpans: [
						{
							scope: {name: 'payments-lib', version: '1.2.0'},
							spans: [
								{
									traceId,
									spanId: '00f067aa0ba90003',
									parentSpanId: '00f067aa0ba90002',
									name: 'charge',
									kind: 2,
									startTimeUnixNano: '1767268800015500000',
									endTimeUnixNano: '1767268800195750000',
									attributes: [{key: 'card.brand', value: str('visa')}],
									events: [
										{
											timeUnixNano: '1767268800190000000',
											name: 'error',
											attributes: [
												{key: 'message', value: str('card declined')},
												{key: 'error.kind', value: str('CardError')},
											],
										},
									],
									status: {code: 2, message: 'card declined'},
								},
							],
						},
						{spans: [{traceId, spanId: '00f067aa0ba90004', parentSpanId: '00f067aa0ba90003', name: 'publish receipt', kind: 4, startTimeUnixNano: '1767268800196000000', endTimeUnixNano: '1767268800198000000', attributes: [{key: 'messaging.system', value: str('kafka')}], events: []}]},
					],
				},
			],
		});
	});

	it('reads the older shape: 64-bit and zero-trimmed ids padded, upper case lowered, parentSpanID, int64 digits, otel.status_code', () => {
		const document = jaegerTracesToOtlp([fixture('jaeger-trace.json')], '');
		const [root, migrate] = document.resourceSpans[0]!.scopeSpans![0]!.spans!;
		// "a3ce929d0e0e4736" is a 64-bit trace id: OTLP's 16 bytes have the high half zero.
		assert.equal(root!.traceId, '0000000000000000a3ce929d0e0e4736');
		assert.equal(root!.spanId, 'b7ad6b7169203331');
		assert.deepEqual(root!.status, {code: 2, message: 'deploy failed'});
		// "f067aa0ba902b7" lost its leading zeros (Jaeger printed ids with %x once).
		assert.equal(migrate!.spanId, '00f067aa0ba902b7');
		assert.equal(migrate!.parentSpanId, 'b7ad6b7169203331');
		// error "true" as a string fails the span as the bool does; the int64 "3" stays exact.
		assert.deepEqual(migrate!.status, {code: 2, message: 'migration 0042 failed: lock timeout'});
		assert.deepEqual(migrate!.attributes, [{key: 'exit_code', value: {intValue: '3'}}]);
		assert.deepEqual(migrate!.events, [{timeUnixNano: '1767268830500000000', name: 'stderr', attributes: [{key: 'line', value: str('ERROR: lock timeout')}]}]);
		assert.deepEqual(document.resourceSpans[0]!.resource, {
			attributes: [
				{key: 'service.name', value: str('deployer')},
				{key: 'devcmd.run_id', value: str('run-20260101-120000-abc1234')},
				{key: 'devcmd.env', value: str('prod')},
			],
		});
	});

	it('takes the parent from the same trace, keeps an embedded process, and makes other references links', () => {
		const document = jaegerTracesToOtlp(fixture('jaeger-traces.json') as unknown[], '');
		assert.deepEqual(
			document.resourceSpans.map(rs => rs.resource!.attributes),
			[[{key: 'service.name', value: str('backup')}], [{key: 'service.name', value: str('orders')}]],
		);
		const reserve = document.resourceSpans[1]!.scopeSpans![0]!.spans![1]!;
		// Its first CHILD_OF points into another trace; Jaeger's parent is the first CHILD_OF in its own.
		assert.equal(reserve.parentSpanId, '2000000000000001');
		assert.deepEqual(reserve.links, [{traceId: '1111111111111111aaaaaaaaaaaaaaaa', spanId: '1000000000000001', attributes: [{key: 'opentracing.ref_type', value: str('child_of')}]}]);
		// A false error flag fails nothing and is not kept as an "error" attribute either.
		assert.deepEqual(reserve.attributes, [{key: 'retry', value: {boolValue: false}}]);
		assert.equal(reserve.status, undefined);
	});

	it('names the first problem with its path', () => {
		const trace = fixture('jaeger-trace.json') as {spans: Array<Record<string, unknown>>; processes: Record<string, unknown>};
		const broken = (change: (copy: typeof trace) => void): string => {
			const copy = structuredClone(trace);
			change(copy);
			try {
				jaegerTracesToOtlp([copy], 'data');
			} catch (error) {
				assert.ok(error instanceof JaegerParseError, String(error));
				return error.message;
			}

			return 'accepted';
		};

		assert.match(
			broken(copy => {
				copy.spans[1]!['startTime'] = 1.5;
			}),
			/^data\.0\.spans\.1\.startTime: /,
		);
		assert.match(
			broken(copy => {
				copy.spans[1]!['startTime'] = -1;
			}),
			/^data\.0\.spans\.1\.startTime: /,
		);
		assert.match(
			broken(copy => {
				delete copy.spans[0]!['spanID'];
			}),
			/^data\.0\.spans\.0\.spanID: /,
		);
		assert.match(
			broken(copy => {
				copy.spans[0]!['references'] = [{refType: 'PARENT_OF', spanID: 'ab'}];
			}),
			/^data\.0\.spans\.0\.references\.0\.refType: /,
		);
		assert.equal(
			broken(copy => {
				copy.spans[0]!['processID'] = 'p9';
			}),
			'data.0.spans.0.processID: "p9" is not in the trace\'s processes',
		);
		assert.match(
			broken(copy => {
				copy.processes['p1'] = {serviceName: 7};
			}),
			/^data\.0\.processes\.p1\.serviceName: /,
		);
	});

	it('keeps every microsecond: start and end are exact for any integer time, past 2^53 nanoseconds', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}), fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}), (start, duration) => {
				const span = jaegerTracesToOtlp([{traceID: 'ab', spans: [{spanID: 'cd', operationName: 'x', startTime: start, duration}]}], '').resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
				assert.equal(span.startTimeUnixNano, `${BigInt(start) * 1000n}`);
				assert.equal(span.endTimeUnixNano, `${(BigInt(start) + BigInt(duration)) * 1000n}`);
			}),
			{numRuns: 200},
		);
	});
});
