import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import zlib from 'node:zlib';
import {status as GrpcStatus} from '@grpc/grpc-js';
import {SeverityNumber} from '@opentelemetry/api-logs';
import {context, trace, type HrTime} from '@opentelemetry/api';
import {OTLPLogExporter as GrpcLogExporter} from '@opentelemetry/exporter-logs-otlp-grpc';
import {OTLPLogExporter as JsonLogExporter} from '@opentelemetry/exporter-logs-otlp-http';
import {OTLPLogExporter as ProtoLogExporter} from '@opentelemetry/exporter-logs-otlp-proto';
import {OTLPTraceExporter as ProtoExporter} from '@opentelemetry/exporter-trace-otlp-proto';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter} from '@opentelemetry/sdk-logs';
import {SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base';
import {NodeTracerProvider} from '@opentelemetry/sdk-trace-node';
import {run as runsTail} from '../../source/commands/runs-tail.js';
import {startOtlpGrpcServer, type OtlpGrpcServer} from '../../source/interop/otlp-grpc-server.js';
import {LOGS_EXPORT_PATH} from '../../source/interop/otlp-grpc-service.js';
import {TraceIntake} from '../../source/interop/otlp-intake.js';
import {decodeExportLogsResponse, encodeExportLogsRequest, type OtlpLogsJson} from '../../source/interop/otlp-logs-protobuf.js';
import {MetricsRejection} from '../../source/interop/otlp-metrics-rejection.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {rawClient} from './grpc-test-client.js';
import {tempHome} from '../helpers/temp-home.js';
import {runSourceCli} from '../helpers/source-cli.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

// 2026-03-02T10:00:00Z, given to the SDKs as [seconds, nanoseconds] so nothing rounds on the way.
const T0_S = 1_772_445_600;
const hr = (us: number): HrTime => [T0_S + Math.floor(us / 1e6), (us % 1e6) * 1000];
const nanos = (us: number): string => String(BigInt(T0_S) * 1_000_000_000n + BigInt(us) * 1000n);

interface Sent {
	traceId: string;
	ids: {root: string; charge: string};
}

/**
 * checkout [0, 10 ms] with child charge [1, 9 ms]; logs: "reserving stock" INFO on checkout, "card declined"
 * ERROR twice (same time, same text: two records) and a WARN on charge, and "cache warm" INFO with no span.
 * Logs go out first, as one batch, before the spans: a span gathers records that arrived before it.
 */
async function sendWithSdk(tag: string, logExporter: LogRecordExporter, traceUrl: string): Promise<Sent> {
	const resource = resourceFromAttributes({'service.name': `shop-${tag}`, 'deployment.environment.name': 'prod'});
	const tracerProvider = new NodeTracerProvider({resource, spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({url: traceUrl}))]});
	const loggerProvider = new LoggerProvider({resource, processors: [new BatchLogRecordProcessor({exporter: logExporter, maxExportBatchSize: 100, scheduledDelayMillis: 3_600_000})]});
	const tracer = tracerProvider.getTracer('shop');
	const logger = loggerProvider.getLogger('shop-logs', '2.0.0');
	const root = tracer.startSpan('checkout', {startTime: hr(0)});
	const inRoot = trace.setSpan(context.active(), root);
	const charge = tracer.startSpan('charge', {startTime: hr(1000)}, inRoot);
	const inCharge = trace.setSpan(context.active(), charge);
	logger.emit({context: inRoot, timestamp: hr(500), severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `reserving stock ${tag}`});
	for (let i = 0; i < 2; i++) {
		logger.emit({context: inCharge, timestamp: hr(5000), severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: `card declined ${tag}`, attributes: {'card.brand': 'visa', api_token: 'tok_abcdef'}});
	}

	logger.emit({context: inCharge, timestamp: hr(6000), severityNumber: SeverityNumber.WARN, body: {retry: 2}});
	logger.emit({timestamp: hr(7000), severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `cache warm ${tag}`});
	await loggerProvider.forceFlush();
	charge.end(hr(9000));
	root.end(hr(10_000));
	await tracerProvider.forceFlush();
	await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
	return {traceId: root.spanContext().traceId, ids: {root: root.spanContext().spanId, charge: charge.spanContext().spanId}};
}

interface ShownLog {
	body: string;
	severity_number: number;
	severity_text: string;
	attributes: Record<string, unknown>;
	time_ms: number;
	service?: string;
	scope?: {name: string; version?: string};
}

interface Shown {
	run: {status: string};
	spans: Array<{span_id: string; name: string; start_ms: number; end_ms: number; status: string; logs: ShownLog[]}>;
	logs: Array<ShownLog & {span_id: string}>;
}

describe('OTLP logs from the OpenTelemetry SDK: http/json, http/protobuf and gRPC', () => {
	let home: string;
	let index: RunIndex;
	let receiver: OtlpReceiver;
	let grpc: OtlpGrpcServer;
	const sent = new Map<string, Sent>();

	before(async () => {
		home = tempHome();
		index = RunIndex.open(home);
		const intake = new TraceIntake({sink: new EventWriter(new SqliteStore(index)), log: () => {}});
		const metricsRejection = new MetricsRejection(() => {});
		receiver = await startOtlpReceiver({port: 0, intake, metricsRejection, log: () => {}});
		grpc = await startOtlpGrpcServer({port: 0, intake, metricsRejection, log: () => {}});
	});

	after(async () => {
		await Promise.all([receiver.close(), grpc.close()]);
		index.close();
	});

	const exporters: Array<[string, () => LogRecordExporter]> = [
		['json', () => new JsonLogExporter({url: `${receiver.url}/v1/logs`})],
		['proto', () => new ProtoLogExporter({url: `${receiver.url}/v1/logs`})],
		['grpc', () => new GrpcLogExporter({url: `http://${grpc.address}`})],
	];
	for (const [tag, exporter] of exporters) {
		it(`${tag}: records land under their span with severity, repeats kept, the span untouched; records without a trace under their service`, async () => {
			const ids = await sendWithSdk(tag, exporter(), `${receiver.url}/v1/traces`);
			sent.set(tag, ids);
			const spans = index.spans(ids.traceId);
			const charge = spans.find(span => span.span_id === ids.ids.charge)!;
			const root = spans.find(span => span.span_id === ids.ids.root)!;
			assert.equal(spans.length, 2, 'log records make no span');
			assert.deepEqual([charge.name, charge.start_ms, charge.end_ms, charge.status], ['charge', T0_S * 1000 + 1, T0_S * 1000 + 9, 'success'], 'log records leave the span as it was');
			assert.deepEqual(
				charge.logs.map(log => [log.body, log.severity_number, log.severity_text, log.time_ms - T0_S * 1000]),
				[
					[`card declined ${tag}`, 17, 'ERROR', 5],
					[`card declined ${tag}`, 17, 'ERROR', 5],
					['{"retry":2}', 13, '', 6],
				],
			);
			assert.equal(charge.logs[0]!.attributes['card.brand'], 'visa');
			assert.match(String(charge.logs[0]!.attributes['api_token']), /^<redacted:\d+chars>$/, 'attributes pass redaction');
			assert.deepEqual([charge.logs[0]!.service, charge.logs[0]!.scope], [`shop-${tag}`, {name: 'shop-logs', version: '2.0.0'}]);
			assert.deepEqual(
				root.logs.map(log => log.body),
				[`reserving stock ${tag}`],
			);
			const service = index.db.prepare('SELECT service, env, severity_number, body FROM service_logs WHERE service = ?').all(`shop-${tag}`);
			assert.deepEqual(service, [{service: `shop-${tag}`, env: 'prod', severity_number: 9, body: `cache warm ${tag}`}]);
		});
	}

	it('runs show --json lists logs under their span and stray ones on the run; runs grep finds a body; runs tail --level error picks ERROR records only', async () => {
		const ids = sent.get('proto')!;
		const shown = JSON.parse(runSourceCli(['runs', 'show', ids.traceId, '--json'], {home}).stdout) as Shown;
		const charge = shown.spans.find(span => span.span_id === ids.ids.charge)!;
		assert.deepEqual(
			charge.logs.map(log => [log.body, log.severity_text]),
			[
				['card declined proto', 'ERROR'],
				['card declined proto', 'ERROR'],
				['{"retry":2}', ''],
			],
		);
		assert.deepEqual(shown.logs, []);

		const grep = runSourceCli(['runs', 'grep', 'card declined', '--json'], {home});
		assert.equal(grep.code, 0, grep.stderr);
		const hits = JSON.parse(grep.stdout) as Array<{source: string; trace_id: string; span_id: string; path: string; field: string}>;
		assert.ok(hits.some(hit => hit.source === 'run' && hit.trace_id === ids.traceId && hit.span_id === ids.ids.charge && hit.path === 'charge' && hit.field === 'log'));

		const lines: string[] = [];
		const code = await runsTail([ids.traceId, '--level', 'error', '--home', home], {stdout: {write: text => lines.push(...String(text).split('\n').filter(Boolean))}, stderr: {write: () => true}});
		assert.equal(code, 0);
		const logLines = lines.filter(line => line.includes('log:record'));
		assert.equal(logLines.length, 2, lines.join('\n'));
		assert.ok(
			logLines.every(line => /! ERROR\s+charge\s+log:record\s+card declined proto/.test(line)),
			logLines.join('\n'),
		);
		assert.ok(!lines.some(line => line.includes('reserving stock')), 'INFO records are not errors');
	});

	/** A hand-made export: two identical records and one whose span never arrives, on a trace of their own. */
	const TRACE = '5b8efff798038103d269b633813fc60c';
	const handMade = (extra: OtlpLogsJson['resourceLogs'][number]['scopeLogs'] = []): OtlpLogsJson => ({
		resourceLogs: [
			{
				resource: {attributes: [{key: 'service.name', value: {stringValue: 'billing'}}]},
				scopeLogs: [
					{
						logRecords: [
							{timeUnixNano: nanos(1), severityNumber: 17, body: {stringValue: 'ledger out of sync'}, traceId: TRACE.toUpperCase(), spanId: 'EEE19B7EC3C1B174'},
							{timeUnixNano: nanos(1), severityNumber: 17, body: {stringValue: 'ledger out of sync'}, traceId: TRACE.toUpperCase(), spanId: 'EEE19B7EC3C1B174'},
						],
					},
					...extra,
				],
			},
		],
	});
	const post = async (body: Uint8Array | string, type: string, headers: Record<string, string> = {}) => fetch(`${receiver.url}/v1/logs`, {method: 'POST', headers: {'Content-Type': type, ...headers}, body});
	const countEvents = (): number => index.db.prepare("SELECT count(*) FROM events WHERE trace_id = ? AND event_type = 'log:record'").pluck().get(TRACE) as number;

	it('identical records in one request are two, a re-send adds nothing, gzip works; a span that never arrives leaves them on the trace', async () => {
		assert.equal((await post(JSON.stringify(handMade()), 'application/json')).status, 200);
		assert.equal(countEvents(), 2);
		const again = await post(zlib.gzipSync(encodeExportLogsRequest(handMade())), 'application/x-protobuf', {'Content-Encoding': 'gzip'});
		assert.equal(again.status, 200);
		assert.deepEqual(decodeExportLogsResponse(new Uint8Array(await again.arrayBuffer())), {});
		assert.equal(countEvents(), 2, 'the same request again, as protobuf, adds nothing');
		assert.deepEqual(index.spans(TRACE), [], 'no span from log records alone');
		const grep = runSourceCli(['runs', 'grep', 'ledger'], {home});
		assert.match(grep.stdout, new RegExp(`trace ${TRACE}\\s+eee19b7ec3c1b174\\s+log\\s+«ledger» out of sync`));
	});

	it('HTTP: bad records are rejected alone (partial success), all bad or malformed protobuf is a 400', async () => {
		const bad = {
			logRecords: [
				{timeUnixNano: nanos(2), body: {stringValue: 'x'}, traceId: 'not-hex'},
				{body: {stringValue: 'no time'}},
				// Good: a SeverityNumber by name, as some JSON encoders write it.
				{timeUnixNano: nanos(3), severityNumber: 'SEVERITY_NUMBER_WARN2', body: {stringValue: 'named severity'}, traceId: TRACE, spanId: 'eee19b7ec3c1b174'},
			],
		};
		const partial = await post(JSON.stringify(handMade([bad])), 'application/json');
		assert.equal(partial.status, 200);
		const answer = (await partial.json()) as {partialSuccess: {rejectedLogRecords: string; errorMessage: string}};
		assert.equal(answer.partialSuccess.rejectedLogRecords, '2');
		assert.equal(index.strayLogs(TRACE).find(log => log.body === 'named severity')?.severity_number, 14);
		assert.match(answer.partialSuccess.errorMessage, /2 of 5 log records rejected; first: log record resourceLogs\[0\]\.scopeLogs\[1\]\.logRecords\[0\]: traceId: expected 32 hex digits/);

		const allBad = await post(JSON.stringify({resourceLogs: [{scopeLogs: [{logRecords: bad.logRecords.slice(0, 2)}]}]}), 'application/json');
		assert.equal(allBad.status, 400);
		const malformed = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'application/x-protobuf');
		assert.equal(malformed.status, 400);
		assert.equal((await post('{"resourceSpans": []}', 'application/json')).status, 400, 'a trace export is not a logs export');
	});

	it('gRPC: INVALID_ARGUMENT for bytes that are not a request and for a request of bad records only', async () => {
		const client = rawClient(grpc.address, LOGS_EXPORT_PATH);
		try {
			assert.equal((await client.call(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).error?.code, GrpcStatus.INVALID_ARGUMENT);
			const onlyBad = encodeExportLogsRequest({resourceLogs: [{scopeLogs: [{logRecords: [{body: {stringValue: 'no time at all'}}]}]}]});
			const answer = await client.call(onlyBad);
			assert.equal(answer.error?.code, GrpcStatus.INVALID_ARGUMENT);
			assert.match(answer.error?.details ?? '', /neither timeUnixNano nor observedTimeUnixNano/);
		} finally {
			client.close();
		}
	});
});
