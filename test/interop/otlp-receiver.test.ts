import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import zlib from 'node:zlib';
import {context, SpanStatusCode, trace, type Span as OtelSpan, type Tracer} from '@opentelemetry/api';
import {OTLPTraceExporter as JsonExporter} from '@opentelemetry/exporter-trace-otlp-http';
import {OTLPTraceExporter as ProtoExporter} from '@opentelemetry/exporter-trace-otlp-proto';
import type {SpanExporter} from '@opentelemetry/sdk-trace-base';
import {StoreError} from '../../source/core/errors.js';
import {buildRunReport, type RunReport} from '../../source/core/run-report.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {decodeExportTraceResponse, encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {startOtlpReceiver, type OtlpReceiver, type ReceiverMetrics} from '../../source/interop/otlp-receiver.js';
import type {EventSink} from '../../source/live/event-sink.js';
import {RunIndex} from '../../source/store/run-index.js';
import {sdkTracer} from '../helpers/otel-sdk.js';
import {receiverSuite} from '../helpers/receiver-suite.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

interface ProducedTrace {
	ids: Record<'deploy' | 'build' | 'release' | 'migrate' | 'rollback', string>;
	traceId: string;
}

/**
 * deploy [0, 1000] ✗
 * ├─ build [0, 300] ✓
 * └─ release [300, 1000] ✗
 *    ├─ migrate [350, 700] ✗ exception "lock timeout on users"  ← root cause
 *    └─ rollback [700, 950] ✓
 */
function produceTrace(tracer: Tracer): ProducedTrace {
	const child = (name: string, parent: OtelSpan, start: number): OtelSpan => tracer.startSpan(name, {startTime: at(start)}, trace.setSpan(context.active(), parent));
	const deploy = tracer.startSpan('deploy api', {startTime: at(0), attributes: {'devcmd.target': 'api'}});
	const build = child('build', deploy, 0);
	build.setStatus({code: SpanStatusCode.OK});
	build.end(at(300));
	const release = child('release', deploy, 300);
	const migrate = child('migrate', release, 350);
	migrate.setAttribute('exit_code', 1);
	migrate.recordException(new Error('lock timeout on users'), at(690));
	migrate.setStatus({code: SpanStatusCode.ERROR, message: 'migration failed'});
	migrate.end(at(700));
	const rollback = child('rollback', release, 700);
	rollback.end(at(950));
	release.setStatus({code: SpanStatusCode.ERROR, message: 'release failed'});
	release.end(at(1000));
	deploy.setStatus({code: SpanStatusCode.ERROR});
	deploy.end(at(1000));
	const id = (span: OtelSpan): string => span.spanContext().spanId;
	return {
		traceId: deploy.spanContext().traceId,
		ids: {deploy: id(deploy), build: id(build), release: id(release), migrate: id(migrate), rollback: id(rollback)},
	};
}

async function sendWithSdk(exporter: SpanExporter, batch: boolean, runId: string): Promise<ProducedTrace> {
	const sdk = sdkTracer(exporter, {resource: {'service.name': 'deployer', 'devcmd.run_id': runId, 'devcmd.env': 'staging'}, batch});
	const produced = produceTrace(sdk.tracer);
	await sdk.finish();
	return produced;
}

function reportOf(home: string, runId: string): RunReport {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(runId);
		return buildRunReport(run, index.spans(run.trace_id));
	} finally {
		index.close();
	}
}

function assertReport(report: RunReport, produced: ProducedTrace, runId: string): void {
	const {ids} = produced;
	assert.equal(report.run.run_id, runId);
	assert.equal(report.run.trace_id, produced.traceId);
	assert.equal(report.run.env, 'staging');
	assert.equal(report.run.target, 'api');
	assert.equal(report.run.status, 'failed');
	assert.equal(report.run.failed_step, 'release/migrate');
	assert.equal(report.spans.length, 5);
	assert.ok(report.failure);
	assert.equal(report.failure.span_id, ids.migrate, 'the inner failing span is the root cause');
	assert.deepEqual(report.failure.path, [ids.deploy, ids.release, ids.migrate]);
	assert.equal(report.failure.error, 'lock timeout on users', 'the exception event gives the error');
	const migrate = report.spans.find(span => span.span_id === ids.migrate)!;
	assert.equal(migrate.attributes['exit_code'], 1);
	assert.equal(migrate.start_ms, T0 + 350);
	assert.equal(migrate.end_ms, T0 + 700);
	assert.deepEqual(
		report.critical_path.map(segment => [segment.span_id, segment.start_ms - T0, segment.end_ms - T0]),
		[
			[ids.build, 0, 300],
			[ids.release, 300, 350],
			[ids.migrate, 350, 700],
			[ids.rollback, 700, 950],
			[ids.release, 950, 1000],
		],
	);
}

const tracesUrl = (receiver: OtlpReceiver): string => `${receiver.url}/v1/traces`;

function otlpDocument(spans: Array<Record<string, unknown>>): Record<string, unknown> {
	return {resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-raw'}}]}, scopeSpans: [{spans}]}]};
}

const goodSpan = {traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'only', startTimeUnixNano: `${T0}000000`, endTimeUnixNano: `${T0 + 5}000000`};

describe('OTLP/HTTP receiver with the OpenTelemetry SDK', () => {
	const suite = receiverSuite();

	it('stores a trace from the JSON exporter: failure, its path and the critical path come out right', async () => {
		const produced = await sendWithSdk(new JsonExporter({url: tracesUrl(suite.receiver)}), false, 'run-otel-json');
		assertReport(reportOf(suite.home, 'run-otel-json'), produced, 'run-otel-json');
	});

	it('stores the same trace from the protobuf exporter (batched)', async () => {
		const produced = await sendWithSdk(new ProtoExporter({url: tracesUrl(suite.receiver)}), true, 'run-otel-proto');
		assertReport(reportOf(suite.home, 'run-otel-proto'), produced, 'run-otel-proto');
	});

	it('accepts gzip from the exporter', async () => {
		const produced = await sendWithSdk(new ProtoExporter({url: tracesUrl(suite.receiver), compression: 'gzip' as never}), false, 'run-otel-gzip');
		assertReport(reportOf(suite.home, 'run-otel-gzip'), produced, 'run-otel-gzip');
	});
});

describe('OTLP/HTTP receiver answers', () => {
	const stored: TraceEvent[][] = [];
	let failWith: Error | undefined;
	const sink: EventSink = {
		async write(events) {
			if (failWith) {
				throw failWith;
			}

			stored.push([...events]);
			return {inserted: events};
		},
	};
	const recorded = {events: 0, errors: 0, latencies: [] as number[]};
	const metrics: ReceiverMetrics = {
		recordEvents: n => {
			recorded.events += n;
		},
		recordIngestError: () => void recorded.errors++,
		observeStreamLatency: ms => void recorded.latencies.push(ms),
		contentType: 'text/plain; version=0.0.4; charset=utf-8',
		render: async () => `tracedeck_events_total ${recorded.events}\n`,
	};
	let receiver: OtlpReceiver;
	const post = (body: string | Uint8Array, headers: Record<string, string>, path = '/v1/traces'): Promise<Response> => fetch(`${receiver.url}${path}`, {method: 'POST', body, headers});

	before(async () => {
		receiver = await startOtlpReceiver({port: 0, sink, metrics, maxBodyBytes: 64 * 1024, log: () => {}, now: () => T0 + 1000});
	});

	after(async () => {
		await receiver.close();
	});

	it('answers a good JSON export with an empty ExportTraceServiceResponse', async () => {
		const response = await post(JSON.stringify(otlpDocument([goodSpan])), {'Content-Type': 'application/json; charset=utf-8'});
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('content-type'), 'application/json');
		assert.deepEqual(await response.json(), {});
		assert.equal(stored.at(-1)!.length, 2, 'a start and an end event');
		assert.equal(recorded.latencies.at(-1), 995);
	});

	it('keeps the good spans and reports the bad ones as partial success (JSON)', async () => {
		const response = await post(JSON.stringify(otlpDocument([goodSpan, {...goodSpan, traceId: ''}, {...goodSpan, spanId: 'c7ad6b7169203331', startTimeUnixNano: 'soon'}])), {'Content-Type': 'application/json'});
		assert.equal(response.status, 200);
		const body = (await response.json()) as {partialSuccess: {rejectedSpans: string; errorMessage: string}};
		assert.equal(body.partialSuccess.rejectedSpans, '2');
		assert.match(body.partialSuccess.errorMessage, /2 of 3 spans rejected; first: span resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: traceId/);
		assert.equal(stored.at(-1)!.length, 2, 'the good span was stored');
	});

	it('keeps the good spans and reports the bad ones as partial success (protobuf)', async () => {
		const body = encodeExportTraceRequest(otlpDocument([goodSpan, {...goodSpan, spanId: ''}]) as never);
		const response = await post(body, {'Content-Type': 'application/x-protobuf'});
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
		const decoded = decodeExportTraceResponse(new Uint8Array(await response.arrayBuffer()));
		assert.equal(decoded.partialSuccess?.rejectedSpans, 1);
		assert.match(decoded.partialSuccess?.errorMessage ?? '', /spanId/);
	});

	it('answers a fully accepted protobuf export with an empty message', async () => {
		const response = await post(encodeExportTraceRequest(otlpDocument([goodSpan]) as never), {'Content-Type': 'application/x-protobuf'});
		assert.equal(response.status, 200);
		assert.equal((await response.arrayBuffer()).byteLength, 0);
	});

	it('takes gzip bodies', async () => {
		const response = await post(zlib.gzipSync(JSON.stringify(otlpDocument([goodSpan]))), {'Content-Type': 'application/json', 'Content-Encoding': 'gzip'});
		assert.equal(response.status, 200);
	});

	it('answers 400 with a message for bodies that are not OTLP', async () => {
		const cases: Array<[string | Uint8Array, string, RegExp]> = [
			['{"resourceSpans": [', 'application/json', /not JSON/],
			['{"spans": []}', 'application/json', /resourceSpans/],
			[JSON.stringify(otlpDocument([{...goodSpan, traceId: ''}])), 'application/json', /1 of 1 spans rejected/],
			[new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'application/x-protobuf', /not an OTLP ExportTraceServiceRequest/],
		];
		for (const [body, type, message] of cases) {
			const response = await post(body, {'Content-Type': type});
			assert.equal(response.status, 400, String(message));
			if (type === 'application/json') {
				const status = (await response.json()) as {code: number; message: string};
				assert.equal(status.code, 3);
				assert.match(status.message, message);
			} else {
				assert.ok((await response.arrayBuffer()).byteLength > 0, 'a google.rpc.Status body');
			}
		}

		const badGzip = await post('not gzip', {'Content-Type': 'application/json', 'Content-Encoding': 'gzip'});
		assert.equal(badGzip.status, 400);
	});

	it('answers 413 for bodies over the limit, also when they only grow past it on gunzip', async () => {
		const big = JSON.stringify({resourceSpans: [], pad: 'x'.repeat(100 * 1024)});
		assert.equal((await post(big, {'Content-Type': 'application/json'})).status, 413);
		const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
		assert.ok(bomb.length < 64 * 1024);
		const response = await post(bomb, {'Content-Type': 'application/json', 'Content-Encoding': 'gzip'});
		assert.equal(response.status, 413);
		assert.match(((await response.json()) as {message: string}).message, /limit/);
	});

	it('answers 415, 404 and 405 for the wrong type, path and method', async () => {
		assert.equal((await post('hello', {'Content-Type': 'text/plain'})).status, 415);
		assert.equal((await post('{}', {'Content-Type': 'application/json', 'Content-Encoding': 'br'})).status, 415);
		assert.equal((await post('{}', {'Content-Type': 'application/json'}, '/v1/profiles')).status, 404);
		assert.equal((await post('{}', {'Content-Type': 'application/json'}, '/v1/logs')).status, 400, 'logs are served: {} is no logs export');
		const get = await fetch(`${receiver.url}/v1/traces`);
		assert.equal(get.status, 405);
		assert.equal(get.headers.get('allow'), 'POST');
		assert.equal((await post('', {}, '/metrics')).status, 405);
	});

	it('answers 503 (retry later) when the store is busy, 500 when it is broken', async () => {
		failWith = new StoreError('the run index stayed locked after 3 tries');
		const busy = await post(JSON.stringify(otlpDocument([goodSpan])), {'Content-Type': 'application/json'});
		assert.equal(busy.status, 503);
		assert.equal(busy.headers.get('retry-after'), '5');
		failWith = new Error('disk image is malformed');
		const broken = await post(JSON.stringify(otlpDocument([goodSpan])), {'Content-Type': 'application/json'});
		assert.equal(broken.status, 500);
		assert.match(((await broken.json()) as {message: string}).message, /could not store/);
		failWith = undefined;
	});

	it('serves /metrics and counts failed requests', async () => {
		const before = recorded.errors;
		await post('nope', {'Content-Type': 'application/json'});
		assert.equal(recorded.errors, before + 1);
		const response = await fetch(`${receiver.url}/metrics`);
		assert.equal(response.status, 200);
		assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
		assert.match(await response.text(), /^tracedeck_events_total \d+/);
	});
});

describe('OTLP/HTTP receiver shutdown', () => {
	it('finishes the request in flight, then closes, its kept-alive connection with its answer', {timeout: 30_000}, async () => {
		let release!: () => void;
		const gate = new Promise<void>(resolve => {
			release = resolve;
		});
		let started!: () => void;
		const writing = new Promise<void>(resolve => {
			started = resolve;
		});
		const receiver = await startOtlpReceiver({
			port: 0,
			log: () => {},
			sink: {
				async write(events) {
					started();
					await gate;
					return {inserted: events};
				},
			},
		});
		const pending = fetch(`${receiver.url}/v1/traces`, {method: 'POST', body: JSON.stringify(otlpDocument([goodSpan])), headers: {'Content-Type': 'application/json'}});
		await writing;
		// A grace far longer than the test may take: the kept-alive connection must end with its answer, not with the grace.
		const closing = receiver.close(120_000);
		release();
		const response = await pending;
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('connection'), 'close');
		await closing;
		await assert.rejects(fetch(`${receiver.url}/v1/traces`, {method: 'POST', body: '{}', headers: {'Content-Type': 'application/json'}}));
	});

	it('has no /metrics without metrics', async () => {
		const receiver = await startOtlpReceiver({port: 0, log: () => {}, sink: {write: async events => ({inserted: events})}});
		try {
			assert.equal((await fetch(`${receiver.url}/metrics`)).status, 404);
		} finally {
			await receiver.close();
		}
	});
});
