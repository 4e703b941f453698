import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import zlib from 'node:zlib';
import {status as GrpcStatus} from '@grpc/grpc-js';
import {context, SpanStatusCode, trace} from '@opentelemetry/api';
import {OTLPTraceExporter as GrpcExporter} from '@opentelemetry/exporter-trace-otlp-grpc';
import Database from 'better-sqlite3';
import protobuf from 'protobufjs';
import {buildRunReport} from '../../source/core/run-report.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {startOtlpGrpcServer, type OtlpGrpcServer} from '../../source/interop/otlp-grpc-server.js';
import {METRICS_EXPORT_PATH, TRACE_EXPORT_PATH} from '../../source/interop/otlp-grpc-service.js';
import {retryDelaySecondsOf, STATUS_DETAILS_KEY} from '../../source/interop/otlp-grpc-status.js';
import {TraceIntake} from '../../source/interop/otlp-intake.js';
import type {EventSink} from '../../source/live/event-sink.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {decodeExportMetricsResponse, METRICS_REJECTED_MESSAGE, MetricsRejection} from '../../source/interop/otlp-metrics-rejection.js';
import {decodeRpcStatus} from '../../source/interop/google-rpc-status.js';
import {decodeExportTraceResponse, encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {http2Call, rawClient, type RawClient} from './grpc-test-client.js';
import {encodeMetricsRequest, handMadeMetrics} from './metrics-requests.js';
import {sdkTracer} from '../helpers/otel-sdk.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const nanos = (ms: number): string => `${BigInt(T0 + ms) * 1_000_000n}`;

function document(runId: string, spans: Array<Record<string, unknown>>): OtlpTracesJson {
	return {resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: runId}}]}, scopeSpans: [{spans: spans as never}]}]};
}

const goodSpan = {traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'only', startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(5)};

/**
 * goodSpan with one attribute whose AnyValue kvlists nest `depth` deep,
 * written field by field (protobufjs's own encoder refuses past its limit
 * of 100, as its decoder does): Request.1 ResourceSpans.2 ScopeSpans.2
 * Span {1 trace_id, 2 span_id, 5 name, 7/8 times, 9 KeyValue}.
 */
function deepRequest(depth: number): Uint8Array {
	const field = (number: number, bytes: Uint8Array): Uint8Array =>
		protobuf.Writer.create()
			.uint32((number << 3) | 2)
			.bytes(bytes)
			.finish();
	const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
	let value = field(1, Buffer.from('bottom'));
	for (let i = 0; i < depth; i++) {
		// AnyValue.6 kvlist_value → KeyValueList.1 values → KeyValue {1 key, 2 value}.
		value = field(6, field(1, concat(field(1, Buffer.from('k')), field(2, value))));
	}

	const fixed64 = (number: number, text: string): Uint8Array =>
		protobuf.Writer.create()
			.uint32((number << 3) | 1)
			.fixed64(text)
			.finish();
	const span = concat(field(1, Buffer.from(goodSpan.traceId, 'hex')), field(2, Buffer.from(goodSpan.spanId, 'hex')), field(5, Buffer.from(goodSpan.name)), fixed64(7, goodSpan.startTimeUnixNano), fixed64(8, goodSpan.endTimeUnixNano), field(9, concat(field(1, Buffer.from('deep')), field(2, value))));
	return field(1, field(2, field(2, span)));
}

describe('OTLP/gRPC receiver with the OpenTelemetry SDK', () => {
	let home: string;
	let index: RunIndex;
	let server: OtlpGrpcServer;

	before(async () => {
		home = tempHome();
		index = RunIndex.open(home);
		server = await startOtlpGrpcServer({port: 0, intake: new TraceIntake({sink: new EventWriter(new SqliteStore(index)), log: () => {}}), metricsRejection: new MetricsRejection(() => {}), log: () => {}});
	});

	after(async () => {
		await server.close();
		index.close();
	});

	for (const compression of ['none', 'gzip'] as const) {
		it(`stores what @opentelemetry/exporter-trace-otlp-grpc sends (compression ${compression})`, async () => {
			const runId = `run-grpc-${compression}`;
			const sdk = sdkTracer(new GrpcExporter({url: `http://${server.address}`, compression: compression as never}), {resource: {'service.name': 'checkout', 'devcmd.run_id': runId}});
			const {tracer} = sdk;
			const at = (ms: number): Date => new Date(T0 + ms);
			const root = tracer.startSpan('checkout', {startTime: at(0)});
			const child = tracer.startSpan('charge', {startTime: at(10)}, trace.setSpan(context.active(), root));
			child.recordException(new Error('card declined'), at(40));
			child.setStatus({code: SpanStatusCode.ERROR});
			child.end(at(50));
			root.setStatus({code: SpanStatusCode.ERROR});
			root.end(at(60));
			await sdk.finish();

			const run = index.resolveRun(runId);
			const report = buildRunReport(run, index.spans(run.trace_id));
			assert.equal(report.run.status, 'failed');
			assert.equal(report.spans.length, 2);
			assert.equal(report.failure?.span_id, child.spanContext().spanId);
			assert.equal(report.failure?.error, 'card declined');
			assert.equal(report.run.failed_step, 'charge');
		});
	}
});

describe('OTLP/gRPC receiver answers', () => {
	const stored: TraceEvent[][] = [];
	const sink: EventSink = {
		async write(events) {
			stored.push([...events]);
			return {inserted: events};
		},
	};
	const warnings: string[] = [];
	let server: OtlpGrpcServer;
	let traces: RawClient;
	let metrics: RawClient;

	before(async () => {
		server = await startOtlpGrpcServer({port: 0, intake: new TraceIntake({sink, log: () => {}}), metricsRejection: new MetricsRejection(line => warnings.push(line)), maxMessageBytes: 64 * 1024, log: () => {}});
		traces = rawClient(server.address, TRACE_EXPORT_PATH);
		metrics = rawClient(server.address, METRICS_EXPORT_PATH);
	});

	after(async () => {
		traces.close();
		metrics.close();
		await server.close();
	});

	it('answers a good export with an empty ExportTraceServiceResponse', async () => {
		const {response, error} = await traces.call(encodeExportTraceRequest(document('run-a', [goodSpan])));
		assert.equal(error, undefined);
		assert.equal(response!.length, 0, 'no partial_success: everything was accepted');
		assert.equal(stored.at(-1)!.length, 2, 'a start and an end event');
	});

	it('keeps the good spans and reports the rest as partial_success {rejected_spans, error_message}', async () => {
		// Three spans, the second without a span id, the third without a trace id: 2 of 3 rejected, the first named.
		const bytes = encodeExportTraceRequest(document('run-b', [goodSpan, {...goodSpan, spanId: ''}, {...goodSpan, spanId: 'aaa19b7ec3c1b174', traceId: ''}]));
		const {response, error} = await traces.call(bytes);
		assert.equal(error, undefined);
		const decoded = decodeExportTraceResponse(response!);
		assert.equal(decoded.partialSuccess?.rejectedSpans, 2);
		assert.match(decoded.partialSuccess!.errorMessage, /^2 of 3 spans rejected; first: span resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: spanId/);
		assert.equal(stored.at(-1)!.length, 2, 'the good span was stored');
	});

	it('answers INVALID_ARGUMENT, without RetryInfo, for bytes that are not an ExportTraceServiceRequest', async () => {
		const before = stored.length;
		// Field 1 (resource_spans), length-delimited, with a length that runs past the end.
		const {error} = await traces.call(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
		assert.equal(error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(error!.details, /not an OTLP ExportTraceServiceRequest/);
		assert.equal(retryDelaySecondsOf(error!), undefined, 'bad data is not to be retried');
		assert.equal(stored.length, before, 'nothing stored');
	});

	it("answers INVALID_ARGUMENT when every span is invalid, and for nesting past the decoder's limit", async () => {
		const none = await traces.call(encodeExportTraceRequest(document('run-c', [{...goodSpan, traceId: ''}])));
		assert.equal(none.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(none.error!.details, /^1 of 1 spans rejected/);
		const shallow = await traces.call(deepRequest(3));
		assert.equal(shallow.error, undefined, 'the hand-written message is a valid request when shallow');
		const deep = await traces.call(deepRequest(120));
		assert.equal(deep.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(deep.error!.details, /maximum nesting depth exceeded/);
	});

	it('takes a gzip-compressed message (compressed flag set, grpc-encoding: gzip)', async () => {
		const before = stored.length;
		const answer = await http2Call(server.address, TRACE_EXPORT_PATH, encodeExportTraceRequest(document('run-gz', [goodSpan])), {gzip: true});
		assert.equal(answer.grpcStatus, GrpcStatus.OK, answer.grpcMessage);
		assert.equal(stored.length, before + 1);
		assert.equal(stored.at(-1)![0]!.span_id, goodSpan.spanId);
	});

	it('answers RESOURCE_EXHAUSTED, not retryable (no RetryInfo), over the size limit, also when a message only grows past it on gunzip', async () => {
		// 100 KB of padding in one attribute against a 64 KB limit.
		const big = encodeExportTraceRequest(document('run-big', [{...goodSpan, attributes: [{key: 'pad', value: {stringValue: 'x'.repeat(100 * 1024)}}]}]));
		const plain = await http2Call(server.address, TRACE_EXPORT_PATH, big);
		assert.equal(plain.grpcStatus, GrpcStatus.RESOURCE_EXHAUSTED);
		assert.equal(plain.headers[STATUS_DETAILS_KEY], undefined);
		const bomb = zlib.gzipSync(big);
		assert.ok(bomb.length < 64 * 1024, 'small on the wire');
		const inflated = await http2Call(server.address, TRACE_EXPORT_PATH, big, {gzip: true});
		assert.equal(inflated.grpcStatus, GrpcStatus.RESOURCE_EXHAUSTED);
		assert.match(inflated.grpcMessage, /decompresses to a size larger than 65536/);
	});

	it('rejects every metric data point with partial success, counted, and warns once', async () => {
		const {request, dataPoints} = handMadeMetrics();
		for (let i = 0; i < 3; i++) {
			const {response, error} = await metrics.call(encodeMetricsRequest(request));
			assert.equal(error, undefined);
			assert.deepEqual(decodeExportMetricsResponse(response!).partialSuccess, {rejectedDataPoints: dataPoints, errorMessage: METRICS_REJECTED_MESSAGE});
		}

		assert.equal(warnings.length, 1, warnings.join('\n'));
		assert.match(warnings[0]!, /OTLP metrics received on OTLP\/gRPC MetricsService \(7 data points\) and rejected/);
		const bad = await metrics.call(new Uint8Array([0x0a, 0x05, 0x01]));
		assert.equal(bad.error?.code, GrpcStatus.INVALID_ARGUMENT);
	});
});

describe('OTLP/gRPC and OTLP/HTTP take the same path', () => {
	it('answer the same bad inputs with the same message', async () => {
		const intake = new TraceIntake({sink: {write: async events => ({inserted: events})}, log: () => {}});
		const metricsRejection = new MetricsRejection(() => {});
		const grpc = await startOtlpGrpcServer({port: 0, intake, metricsRejection, log: () => {}});
		const http: OtlpReceiver = await startOtlpReceiver({port: 0, intake, metricsRejection, log: () => {}});
		const client = rawClient(grpc.address, TRACE_EXPORT_PATH);
		try {
			const cases: Array<[string, Uint8Array]> = [
				['garbage', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])],
				['no valid span', encodeExportTraceRequest(document('run-x', [{...goodSpan, spanId: ''}]))],
				['too deep', deepRequest(120)],
			];
			for (const [what, bytes] of cases) {
				const {error} = await client.call(bytes);
				const response = await fetch(`${http.url}/v1/traces`, {method: 'POST', body: bytes, headers: {'Content-Type': 'application/x-protobuf'}});
				assert.equal(response.status, 400, what);
				assert.equal(error?.code, GrpcStatus.INVALID_ARGUMENT, what);
				assert.equal(error!.details, decodeRpcStatus(new Uint8Array(await response.arrayBuffer())).message, what);
			}
		} finally {
			client.close();
			await http.close();
			await grpc.close();
		}
	});
});

describe('OTLP/gRPC receiver when the store is busy', () => {
	it('answers UNAVAILABLE with a RetryInfo of 5 s while another process holds the write lock, then stores the retry', async () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		// The receiver's connection would wait 10 s for the lock; a test cannot. The lock itself is real.
		index.db.pragma('busy_timeout = 0');
		const lines: string[] = [];
		const server = await startOtlpGrpcServer({port: 0, intake: new TraceIntake({sink: new EventWriter(new SqliteStore(index), undefined, {tries: 2, backoffMs: 5}), log: line => lines.push(line)}), metricsRejection: new MetricsRejection(() => {}), log: () => {}});
		const client = rawClient(server.address, TRACE_EXPORT_PATH);
		const other = new Database(path.join(home, 'runs.db'));
		try {
			other.exec('BEGIN IMMEDIATE');
			const bytes = encodeExportTraceRequest(document('run-busy', [goodSpan]));
			const {error} = await client.call(bytes);
			assert.equal(error?.code, GrpcStatus.UNAVAILABLE);
			assert.match(error!.details, /could not store the spans, retry later: .*stayed locked after 2 tries/);
			assert.equal(retryDelaySecondsOf(error!), 5);
			assert.equal(lines.length, 1, "one line in the receiver's log");
			other.exec('ROLLBACK');
			const retry = await client.call(bytes);
			assert.equal(retry.error, undefined);
			assert.equal(index.resolveRun('run-busy').status, 'success');
		} finally {
			other.close();
			client.close();
			await server.close();
			index.close();
		}
	});
});
