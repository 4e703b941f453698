import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {describe, it} from 'node:test';
import {status as GrpcStatus} from '@grpc/grpc-js';
import {context, diag, DiagLogLevel, SpanStatusCode, trace, type Tracer} from '@opentelemetry/api';
import {OTLPTraceExporter as GrpcExporter} from '@opentelemetry/exporter-trace-otlp-grpc';
import {OTLPTraceExporter as ProtoExporter} from '@opentelemetry/exporter-trace-otlp-proto';
import {MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter} from '@opentelemetry/sdk-metrics';
import type {SpanExporter} from '@opentelemetry/sdk-trace-base';
import {TRACE_EXPORT_PATH} from '../../source/interop/otlp-grpc-service.js';
import {retryDelaySecondsOf} from '../../source/interop/otlp-grpc-status.js';
import {METRICS_REJECTED_MESSAGE} from '../../source/interop/otlp-metrics-rejection.js';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {freePort, rawClient} from './grpc-test-client.js';
import {grpcMetricExporter, httpMetricExporter} from './otlp-metric-exporters.js';
import {sdkTracer} from '../helpers/otel-sdk.js';
import {tempHome} from '../helpers/temp-home.js';
import {runSourceCli} from '../helpers/source-cli.js';
import {type Served, startServe} from '../helpers/serve-cli.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

/** `tracedeck serve` on 127.0.0.1, a free HTTP port and a free gRPC port it is given, once it has said where it listens. */
async function serve(home: string, args: string[]): Promise<Served & {grpcAddress: string}> {
	const grpcPort = await freePort();
	const served = await startServe(['--grpc-port', String(grpcPort), ...args], {home});
	assert.equal(served.grpcAddress, `127.0.0.1:${grpcPort}`);
	return {...served, grpcAddress: served.grpcAddress!};
}

interface RunShow {
	run: {run_id: string; status: string; failed_step: string | null};
	spans: Array<{span_id: string; name: string; status: string}>;
	critical_path: Array<{span_id: string; start_ms: number; end_ms: number}>;
	failure: {span_id: string; path: string[]; error: string} | null;
}

function runsShow(home: string, run: string): RunShow {
	const result = runSourceCli(['runs', 'show', run, '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	return JSON.parse(result.stdout) as RunShow;
}

/**
 * checkout [0, 400] ✗
 * ├─ reserve [10, 110] ✓
 * └─ charge [120, 390] ✗ exception "card declined"  ← root cause
 *
 * Critical path, from the root's end back: charge is the last child to end
 * (390), so root [390, 400], charge [120, 390]; before 120 reserve ends at
 * 110: root [110, 120], reserve [10, 110]; then root [0, 10].
 */
function produceCheckout(tracer: Tracer): Record<'checkout' | 'reserve' | 'charge', string> {
	const root = tracer.startSpan('checkout', {startTime: at(0)});
	const child = (name: string, start: number): ReturnType<Tracer['startSpan']> => tracer.startSpan(name, {startTime: at(start)}, trace.setSpan(context.active(), root));
	const reserve = child('reserve', 10);
	reserve.setStatus({code: SpanStatusCode.OK});
	reserve.end(at(110));
	const charge = child('charge', 120);
	charge.recordException(new Error('card declined'), at(380));
	charge.setStatus({code: SpanStatusCode.ERROR});
	charge.end(at(390));
	root.setStatus({code: SpanStatusCode.ERROR});
	root.end(at(400));
	return {checkout: root.spanContext().spanId, reserve: reserve.spanContext().spanId, charge: charge.spanContext().spanId};
}

async function sendCheckout(exporter: SpanExporter, runId: string): Promise<Record<'checkout' | 'reserve' | 'charge', string>> {
	const sdk = sdkTracer(exporter, {resource: {'service.name': 'shop', 'devcmd.run_id': runId}, scope: 'tracedeck-e2e'});
	const ids = produceCheckout(sdk.tracer);
	await sdk.finish();
	return ids;
}

/**
 * A counter with two attribute sets (two data points) and a histogram
 * with one (one data point, whatever its buckets): 3 points per export.
 */
async function sendMetrics(exporter: PushMetricExporter): Promise<void> {
	const provider = new MeterProvider({readers: [new PeriodicExportingMetricReader({exporter, exportIntervalMillis: 3_600_000})]});
	const meter = provider.getMeter('tracedeck-e2e');
	const requests = meter.createCounter('http.requests');
	requests.add(1, {route: '/a'});
	requests.add(2, {route: '/b'});
	meter.createHistogram('latency').record(12);
	// Shutdown collects and exports once (a forceFlush before it would send the cumulative points twice).
	await provider.shutdown();
}

describe('tracedeck serve over OTLP/gRPC and OTLP/HTTP, with the OpenTelemetry SDK', () => {
	it('stores gzip gRPC exports beside HTTP ones, rejects metrics on both with one warning, answers CORS', {timeout: 120_000}, async () => {
		const home = tempHome();
		const served = await serve(home, ['--cors-origin', 'http://localhost:3000']);
		const partials: string[] = [];
		diag.setLogger(
			{
				warn: (...args: unknown[]) => partials.push(args.map(String).join(' ')),
				error: () => {},
				info: () => {},
				debug: () => {},
				verbose: () => {},
			},
			DiagLogLevel.WARN,
		);
		try {
			const grpcIds = await sendCheckout(new GrpcExporter({url: `http://${served.grpcAddress}`, compression: 'gzip' as never}), 'run-e2e-grpc');
			const httpIds = await sendCheckout(new ProtoExporter({url: `${served.httpUrl}/v1/traces`}), 'run-e2e-http');
			for (const [runId, ids] of [
				['run-e2e-grpc', grpcIds],
				['run-e2e-http', httpIds],
			] as const) {
				const shown = runsShow(home, runId);
				assert.equal(shown.run.status, 'failed', runId);
				assert.equal(shown.run.failed_step, 'charge');
				assert.equal(shown.spans.length, 3);
				assert.deepEqual(shown.failure?.path, [ids.checkout, ids.charge]);
				assert.equal(shown.failure?.error, 'card declined');
				assert.deepEqual(
					shown.critical_path.map(segment => [segment.span_id, segment.start_ms - T0, segment.end_ms - T0]),
					[
						[ids.checkout, 0, 10],
						[ids.reserve, 10, 110],
						[ids.checkout, 110, 120],
						[ids.charge, 120, 390],
						[ids.checkout, 390, 400],
					],
				);
			}

			await sendMetrics(grpcMetricExporter(`http://${served.grpcAddress}`, 'gzip'));
			await sendMetrics(httpMetricExporter(`${served.httpUrl}/v1/metrics`, 'json'));
			await sendMetrics(httpMetricExporter(`${served.httpUrl}/v1/metrics`, 'protobuf'));
			// The SDK logs a partial success as a warning with the answer's partial_success in JSON.
			const received = partials.filter(line => line.startsWith('Received Partial Success response:'));
			assert.equal(received.length, 3, partials.join('\n'));
			for (const line of received) {
				const partial = JSON.parse(line.slice(line.indexOf('{'))) as {rejectedDataPoints: number | string; errorMessage: string};
				assert.equal(Number(partial.rejectedDataPoints), 3);
				assert.equal(partial.errorMessage, METRICS_REJECTED_MESSAGE);
			}

			const preflight = await new Promise<http.IncomingMessage>((resolve, reject) => {
				http
					.request(`${served.httpUrl}/v1/traces`, {method: 'OPTIONS', headers: {Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type'}}, resolve)
					.once('error', reject)
					.end();
			});
			preflight.resume();
			assert.equal(preflight.statusCode, 204);
			assert.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:3000');
			assert.equal(preflight.headers['access-control-allow-headers'], 'content-type');

			assert.equal(await served.stop(), 0, served.stderr());
			const warnings = served
				.stderr()
				.split('\n')
				.filter(line => /OTLP metrics received/.test(line));
			assert.equal(warnings.length, 1, served.stderr());
			assert.match(warnings[0]!, /^tracedeck serve: warning: OTLP metrics received on OTLP\/gRPC MetricsService \(3 data points\) and rejected/);
			assert.match(served.stderr(), /cross-origin posts allowed from http:\/\/localhost:3000/);
		} finally {
			diag.disable();
			served.child.kill('SIGKILL');
		}
	});

	it('sheds load past --max-inflight: RESOURCE_EXHAUSTED with RetryInfo on gRPC, 429 with Retry-After on HTTP', {timeout: 60_000}, async () => {
		const home = tempHome();
		const served = await serve(home, ['--max-inflight', '1']);
		const client = rawClient(served.grpcAddress, TRACE_EXPORT_PATH);
		const body = JSON.stringify({
			resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-slow'}}]}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'slow', startTimeUnixNano: `${T0}000000`, endTimeUnixNano: `${T0 + 5}000000`}]}]}],
		});
		const {port} = new URL(served.httpUrl);
		const slow = net.connect(Number(port), '127.0.0.1');
		try {
			// A sender that has sent its headers but not yet its body holds the one place. With Expect: 100-continue
			// the server says "100 Continue" in the same turn in which it admits the request, so once that arrives the place is taken.
			slow.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`);
			let answer = '';
			await new Promise<void>(resolve => {
				slow.on('data', chunk => {
					answer += String(chunk);
					if (answer.includes('100 Continue')) {
						resolve();
					}
				});
			});

			const document = {resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-shed'}}]}, scopeSpans: [{spans: [{traceId: '1af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203331', name: 'shed', startTimeUnixNano: `${T0}000000`, endTimeUnixNano: `${T0 + 5}000000`}]}]}]};
			const shed = await client.call(encodeExportTraceRequest(document));
			assert.equal(shed.error?.code, GrpcStatus.RESOURCE_EXHAUSTED);
			assert.equal(retryDelaySecondsOf(shed.error!), 1, 'RetryInfo makes RESOURCE_EXHAUSTED retryable');
			assert.match(shed.error!.details, /limit of 1 exports in progress/);
			const overHttp = await fetch(`${served.httpUrl}/v1/traces`, {method: 'POST', body: JSON.stringify(document), headers: {'Content-Type': 'application/json'}});
			assert.equal(overHttp.status, 429);
			assert.equal(overHttp.headers.get('retry-after'), '1');

			const done = new Promise<void>(resolve => {
				slow.on('data', () => {
					if (/HTTP\/1\.1 200/.test(answer)) {
						resolve();
					}
				});
			});
			slow.write(body);
			await done;

			// The place is free again: the sender's retry goes through.
			const retry = await client.call(encodeExportTraceRequest(document));
			assert.equal(retry.error, undefined);
			assert.equal(await served.stop(), 0, served.stderr());
			assert.equal(runsShow(home, 'run-shed').run.status, 'success');
			assert.equal(runsShow(home, 'run-slow').run.status, 'success');
		} finally {
			slow.destroy();
			client.close();
			served.child.kill('SIGKILL');
		}
	});

	it('turns gRPC off with --grpc-port 0, and says which flag to change when the gRPC port is taken', {timeout: 60_000}, async () => {
		const blocker = net.createServer();
		await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
		const {port} = blocker.address() as net.AddressInfo;
		try {
			const taken = runSourceCli(['serve', '--port', '0', '--grpc-port', String(port)], {home: tempHome()});
			assert.equal(taken.code, 1);
			assert.match(taken.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use \\(another collector\\?\\); pick another with --grpc-port, or --grpc-port 0 for OTLP/HTTP alone`));
		} finally {
			blocker.close();
		}

		const served = await startServe([], {home: tempHome()});
		try {
			assert.equal(served.grpcAddress, undefined);
			assert.match(served.stderr(), /OTLP\/gRPC off \(--grpc-port 0\)/);
			assert.equal(await served.stop(), 0, served.stderr());
		} finally {
			served.child.kill('SIGKILL');
		}
	});

	it('refuses bad flags with exit 2 and lists the new ones in --help', () => {
		const home = tempHome();
		for (const [args, message] of [
			[['--grpc-port', '70000'], /--grpc-port must be a whole number from 0 to 65535/],
			[['--cors-origin', 'https://app.example.com/page'], /--cors-origin "https:\/\/app\.example\.com\/page" is not an origin/],
			[['--max-inflight', '0'], /--max-inflight must be a whole number/],
		] as const) {
			const result = runSourceCli(['serve', ...args], {home});
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, message);
		}

		const help = runSourceCli(['serve', '--help'], {home});
		assert.equal(help.code, 0);
		for (const flag of ['--grpc-port <n>', '--cors-origin <o>', '--max-inflight <n>']) {
			assert.ok(help.stdout.includes(flag), flag);
		}
	});
});
