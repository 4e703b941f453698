import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {context, SpanKind, SpanStatusCode, trace, TraceFlags, type HrTime, type Span as OtelSpan} from '@opentelemetry/api';
import {OTLPTraceExporter as JsonExporter} from '@opentelemetry/exporter-trace-otlp-http';
import {OTLPTraceExporter as ProtoExporter} from '@opentelemetry/exporter-trace-otlp-proto';
import type {SpanExporter} from '@opentelemetry/sdk-trace-base';
import {foldEvents} from '../../source/core/fold.js';
import {formatDuration} from '../../source/core/format-duration.js';
import {buildRunReport, type ReportSpan, type RunReport} from '../../source/core/run-report.js';
import {SPAN_EVENT_TYPE} from '../../source/core/trace-event.js';
import {otlpToEvents} from '../../source/interop/otlp-to-events.js';
import {parseTraceEvent} from '../../source/interop/trace-event-schema.js';
import {RunIndex} from '../../source/store/run-index.js';
import {sdkTracer} from '../helpers/otel-sdk.js';
import {receiverSuite} from '../helpers/receiver-suite.js';
import {tempHome} from '../helpers/temp-home.js';

// 2026-03-02T10:00:00Z. Times are given to the SDK as [seconds, nanoseconds], so nothing rounds them on the way in.
const T0_S = 1_772_445_600;
const T0_MS = T0_S * 1000;
/** A time `us` microseconds after T0. */
const hr = (us: number): HrTime => [T0_S + Math.floor(us / 1e6), (us % 1e6) * 1000];
/** Microseconds after T0 of an epoch-ms value, rounded to the microsecond (a double holds ~0.24 µs here). */
const usOf = (ms: number): number => Math.round((ms - T0_MS) * 1000);

const MISSING_PARENT = 'aaaaaaaaaaaaaaaa';

/**
 * POST /checkout  SERVER [0, 20 ms], service "checkout", deployment.environment.name "prod"
 * ├─ SELECT ×10  CLIENT, each 0.9 ms, at 1, 2, … 10 ms: [k ms, k ms + 900 µs]
 * ├─ publish     PRODUCER [11, 19.5 ms]
 * │  └─ consume  CONSUMER [12, 19 ms]   asynchronous: off the path
 * └─ charge      INTERNAL [19.5, 19.9 ms] ✗ "card declined"; event "retrying" (attempt 2) at 19.6 ms;
 *                link to another trace's span, attributes {reason: "batch"}
 * and, in another trace, "orphan" SERVER [0, 1 ms] whose declared parent MISSING_PARENT never arrives.
 *
 * The critical path, walked back from 20 ms: charge (19.9) is the last child to end → root [19.9, 20];
 * charge [19.5, 19.9]; publish [11, 19.5] alone (its consumer does not count); root [10.9, 11];
 * then each SELECT k [k, k + 0.9] with the root's 0.1 ms gaps between them, back to root [0, 1].
 * So the SELECTs hold 10 × 0.9 = 9 ms of the path, publish 8.5 ms, and the root the rest:
 * [0, 1] + nine 0.1 ms gaps + [10.9, 11] + [19.9, 20] = 1 + 0.9 + 0.1 + 0.1 = 2.1 ms.
 */
async function sendWithSdk(exporter: SpanExporter): Promise<{traceId: string; otherTraceId: string; ids: Record<string, string>}> {
	const sdk = sdkTracer(exporter, {resource: {'service.name': 'checkout', 'deployment.environment.name': 'prod', 'service.version': '4.1.0'}, scope: 'checkout-lib', scopeVersion: '1.2.3'});
	const {tracer} = sdk;
	const under = (parent: OtelSpan) => trace.setSpan(context.active(), parent);
	const root = tracer.startSpan('POST /checkout', {kind: SpanKind.SERVER, startTime: hr(0)});
	const ids: Record<string, string> = {root: root.spanContext().spanId};
	for (let k = 1; k <= 10; k++) {
		const select = tracer.startSpan('SELECT', {kind: SpanKind.CLIENT, startTime: hr(k * 1000)}, under(root));
		select.end(hr(k * 1000 + 900));
		ids[`select${k}`] = select.spanContext().spanId;
	}

	const publish = tracer.startSpan('publish', {kind: SpanKind.PRODUCER, startTime: hr(11_000)}, under(root));
	const consume = tracer.startSpan('consume', {kind: SpanKind.CONSUMER, startTime: hr(12_000)}, under(publish));
	consume.end(hr(19_000));
	publish.end(hr(19_500));
	const linked = {traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED};
	const charge = tracer.startSpan('charge', {kind: SpanKind.INTERNAL, startTime: hr(19_500), links: [{context: linked, attributes: {reason: 'batch'}}]}, under(root));
	charge.addEvent('retrying', {attempt: 2}, hr(19_600));
	charge.setStatus({code: SpanStatusCode.ERROR, message: 'card declined'});
	charge.end(hr(19_900));
	root.end(hr(20_000));
	Object.assign(ids, {publish: publish.spanContext().spanId, consume: consume.spanContext().spanId, charge: charge.spanContext().spanId});

	const remote = trace.setSpanContext(context.active(), {traceId: 'c0ffee00c0ffee00c0ffee00c0ffee00', spanId: MISSING_PARENT, traceFlags: TraceFlags.SAMPLED, isRemote: true});
	const orphan = tracer.startSpan('orphan', {kind: SpanKind.SERVER, startTime: hr(0)}, remote);
	orphan.end(hr(1000));
	ids['orphan'] = orphan.spanContext().spanId;
	await sdk.finish();
	return {traceId: root.spanContext().traceId, otherTraceId: orphan.spanContext().traceId, ids};
}

function reportOf(index: RunIndex, traceId: string): RunReport {
	const run = index.resolveRun(traceId);
	return buildRunReport(run, index.spans(run.trace_id));
}

describe('spans keep what the OpenTelemetry SDK sent', () => {
	const suite = receiverSuite();

	for (const [name, exporter] of [
		['http/json', (url: string) => new JsonExporter({url})],
		['http/protobuf', (url: string) => new ProtoExporter({url})],
	] as const) {
		it(`${name}: service, kind, resource, scope, events, links, status message, declared parent, µs times, env and target`, async () => {
			const sent = await sendWithSdk(exporter(`${suite.receiver.url}/v1/traces`));
			const report = reportOf(suite.index, sent.traceId);
			const by = (id: string): ReportSpan => report.spans.find(span => span.span_id === id)!;

			assert.equal(report.run.env, 'prod', 'env from deployment.environment.name');
			assert.equal(report.run.target, 'checkout', "target from the root's service.name");
			const root = by(sent.ids['root']!);
			assert.equal(root.service, 'checkout');
			assert.equal(root.span_kind, 'server');
			assert.deepEqual(root.scope, {name: 'checkout-lib', version: '1.2.3'});
			assert.equal(root.resource?.['service.version'], '4.1.0');
			assert.equal(root.resource?.['deployment.environment.name'], 'prod');
			assert.equal(by(sent.ids['select1']!).span_kind, 'client');
			assert.equal(by(sent.ids['publish']!).span_kind, 'producer');
			assert.equal(by(sent.ids['consume']!).span_kind, 'consumer');

			const charge = by(sent.ids['charge']!);
			assert.equal(charge.span_kind, 'internal');
			assert.equal(charge.status, 'failed');
			assert.equal(charge.status_message, 'card declined');
			assert.deepEqual(
				charge.events.map(event => [event.name, usOf(event.time_ms), event.attributes]),
				[['retrying', 19_600, {attempt: 2}]],
			);
			assert.deepEqual(charge.links, [{trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', attributes: {reason: 'batch'}}]);

			const select = by(sent.ids['select3']!);
			assert.deepEqual([usOf(select.start_ms), usOf(select.end_ms!), Math.round(select.duration_ms! * 1000)], [3000, 3900, 900]);
			assert.equal(formatDuration(select.duration_ms), '900µs');

			const onPath = (id: string): number => report.critical_path.filter(segment => segment.span_id === id).reduce((sum, segment) => sum + usOf(segment.end_ms) - usOf(segment.start_ms), 0);
			const selects = Array.from({length: 10}, (_, i) => onPath(sent.ids[`select${i + 1}`]!)).reduce((a, b) => a + b, 0);
			assert.equal(selects, 9000, 'ten 0.9 ms calls put 9 ms on the critical path');
			assert.equal(onPath(sent.ids['consume']!), 0, 'a CONSUMER under a PRODUCER is off the path');
			assert.equal(onPath(sent.ids['publish']!), 8500);
			assert.equal(onPath(sent.ids['root']!), 2100);
			assert.equal(onPath(sent.ids['charge']!), 400);

			const other = reportOf(suite.index, sent.otherTraceId);
			const orphan = other.spans.find(span => span.span_id === sent.ids['orphan'])!;
			assert.equal(orphan.parent_span_id, MISSING_PARENT, 'the declared parent, though it never arrived');
			assert.equal(orphan.parent_known, false);
			assert.equal(root.parent_known, false);
			assert.equal(by(sent.ids['select1']!).parent_known, true);
		});
	}

	it('stores sub-millisecond times as REAL in the INTEGER-affinity columns, and orders spans by them', () => {
		const rows = suite.index.db.prepare("SELECT typeof(start_ms) AS type, start_ms FROM spans WHERE name = 'SELECT' ORDER BY start_ms LIMIT 3").all() as Array<{type: string; start_ms: number}>;
		// Each SELECT starts on a whole millisecond (INTEGER) but ends 0.9 ms later (REAL).
		assert.deepEqual(
			rows.map(row => row.type),
			['integer', 'integer', 'integer'],
		);
		const ends = suite.index.db.prepare("SELECT DISTINCT typeof(end_ms) FROM spans WHERE name = 'SELECT'").pluck().all();
		assert.deepEqual(ends, ['real']);
		const order = suite.index.db
			.prepare("SELECT name FROM spans WHERE trace_id = (SELECT trace_id FROM spans WHERE name = 'consume' LIMIT 1) AND end_ms > ? ORDER BY end_ms")
			.pluck()
			.all(T0_MS + 18.5);
		// consume ends at 19 ms, publish at 19.5, charge at 19.9, the root at 20: fractional ends compare and sort as numbers.
		assert.deepEqual(order, ['consume', 'publish', 'charge', 'POST /checkout']);
	});
});

describe('hand-made OTLP and TraceEvents: ids, env fallbacks, the TraceEvent fields', () => {
	const ns = (ms: number): string => `${BigInt(T0_MS + ms) * 1_000_000n}`;
	const doc = (traceId: string, spanId: string, parentSpanId: string | undefined, resource: Record<string, string>): unknown => ({
		resourceSpans: [
			{
				resource: {attributes: Object.entries(resource).map(([key, value]) => ({key, value: {stringValue: value}}))},
				scopeSpans: [{spans: [{traceId, spanId, ...(parentSpanId ? {parentSpanId} : {}), name: spanId, startTimeUnixNano: ns(parentSpanId ? 1 : 0), endTimeUnixNano: ns(parentSpanId ? 2 : 3)}]}],
			},
		],
	});

	it('the same trace in upper and lower case is one run, shown in lower case', () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		try {
			index.appendEvents(otlpToEvents(doc('0AF7651916CD43DD8448EB211C80319C', 'B7AD6B7169203331', undefined, {'service.name': 'api', 'deployment.environment': 'staging'})));
			index.appendEvents(otlpToEvents(doc('0af7651916cd43dd8448eb211c80319c', '00f067aa0ba902b7', 'B7AD6B7169203331', {'service.name': 'db'})));
			const runs = index.db.prepare('SELECT trace_id FROM runs').pluck().all();
			assert.deepEqual(runs, ['0af7651916cd43dd8448eb211c80319c']);
			const report = reportOf(index, '0af7651916cd43dd8448eb211c80319c');
			assert.deepEqual(
				report.spans.map(span => [span.span_id, span.parent_span_id, span.parent_known, span.service]),
				[
					['b7ad6b7169203331', null, false, 'api'],
					['00f067aa0ba902b7', 'b7ad6b7169203331', true, 'db'],
				],
			);
			// No devcmd.env and no deployment.environment.name: the older deployment.environment.
			assert.equal(report.run.env, 'staging');
			assert.equal(report.run.target, 'api');
		} finally {
			index.close();
		}
	});

	it('devcmd.env and devcmd.target win over the OpenTelemetry resource', () => {
		const events = otlpToEvents(doc('1af7651916cd43dd8448eb211c80319c', 'c7ad6b7169203331', undefined, {'service.name': 'api', 'deployment.environment.name': 'prod', 'devcmd.env': 'canary', 'devcmd.target': 'api-eu'}));
		const home = tempHome();
		const index = RunIndex.open(home);
		try {
			index.appendEvents(events);
			const run = index.resolveRun('1af7651916cd43dd8448eb211c80319c');
			assert.deepEqual([run.env, run.target], ['canary', 'api-eu']);
		} finally {
			index.close();
		}
	});

	it('a TraceEvent producer sends the same fields, validated at the edge', () => {
		const base = {trace_id: 'run-7', span_id: 'push', parent_span_id: 'gone'};
		const events = [
			parseTraceEvent({
				...base,
				event_type: 'step:started',
				timestamp: '2026-03-02T11:00:00.000250+01:00',
				span_kind: 'producer',
				service: 'ci',
				scope: {name: 'devcmd', version: null},
				resource: {'host.name': 'runner-3'},
				links: [{trace_id: 'run-6', span_id: 'build', attributes: {'opentracing.ref_type': 'follows_from'}}],
				data: {name: 'push image'},
			}),
			parseTraceEvent({...base, event_type: SPAN_EVENT_TYPE, timestamp: '2026-03-02T10:00:00.0005Z', data: {name: 'layer pushed', attributes: {digest: 'sha256:ab'}}}),
			parseTraceEvent({...base, event_type: 'step:failed', timestamp: '2026-03-02T10:00:00.00075Z', status_message: 'registry said 503'}),
		];
		assert.equal(events[0]!.timestamp, '2026-03-02T10:00:00.00025Z');
		const [span] = foldEvents(events);
		assert.ok(span);
		assert.deepEqual([span.span_kind, span.service, span.scope, span.resource, span.status, span.status_message, span.parent_span_id], ['producer', 'ci', {name: 'devcmd'}, {'host.name': 'runner-3'}, 'failed', 'registry said 503', 'gone']);
		assert.deepEqual(span.links, [{trace_id: 'run-6', span_id: 'build', attributes: {'opentracing.ref_type': 'follows_from'}}]);
		assert.deepEqual(
			span.events.map(event => [event.name, usOf(event.time_ms), event.attributes]),
			[['layer pushed', 500, {digest: 'sha256:ab'}]],
		);
		assert.deepEqual([usOf(span.start_ms), usOf(span.end_ms!)], [250, 750]);
		assert.equal(span.kind, 'step', 'a span event does not change the span kind');
		assert.throws(() => parseTraceEvent({...base, event_type: 'step:started', timestamp: '2026-03-02T10:00:00.0000000001Z'}), /timestamp: .*up to 9 fractional digits/);
		assert.throws(() => parseTraceEvent({...base, event_type: 'step:started', timestamp: '2026-03-02T10:00:00Z', span_kind: 'CLIENT'}), /span_kind/);
		assert.throws(() => parseTraceEvent({...base, event_type: 'step:started', timestamp: '2026-03-02T10:00:00Z', links: [{trace_id: '', span_id: 'x'}]}), /links\.0\.trace_id/);
	});
});
