import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {foldEvents} from '../../source/core/fold.js';
import {buildTree} from '../../source/core/tree.js';
import type {OtlpKeyValue} from '../../source/interop/otlp-attributes.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {convertOtlpLogs} from '../../source/interop/otlp-logs-to-events.js';
import {otlpToEvents} from '../../source/interop/otlp-to-events.js';
import {spanDetailLines, spanDetailRows} from '../../source/tui/screens/span-detail.js';
import {UNICODE} from '../../source/core/symbols.js';
import {KEYS, renderApp, settle, type Harness} from './helpers.js';

const T0 = 1_772_445_600_000_000_000n;
const at = (us: number): string => String(T0 + BigInt(us) * 1000n);
const kv = (key: string, value: string): OtlpKeyValue => ({key, value: {stringValue: value}});
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ESC = '\u001b';

/**
 * POST /checkout SERVER [0, 20 ms] of service "checkout" (six resource attributes)
 * └─ charge INTERNAL [19.5, 19.9 ms]: 400 µs, failed "card declined", an event "retrying"
 *    (and a hostile one), a link; and in another trace "orphan", whose parent never arrived.
 */
function document(): OtlpTracesJson {
	return {
		resourceSpans: [
			{
				resource: {attributes: [kv('service.name', 'checkout'), kv('service.version', '4.1.0'), kv('deployment.environment.name', 'prod'), kv('host.name', 'web-1'), kv('process.pid', '42'), kv('telemetry.sdk.language', 'nodejs')]},
				scopeSpans: [
					{
						scope: {name: 'checkout-lib', version: '1.2.3'},
						spans: [
							{traceId: TRACE, spanId: 'aaaaaaaaaaaaaaa1', name: 'POST /checkout', kind: 2, startTimeUnixNano: at(0), endTimeUnixNano: at(20_000)},
							{
								traceId: TRACE,
								spanId: 'aaaaaaaaaaaaaaa2',
								parentSpanId: 'aaaaaaaaaaaaaaa1',
								name: 'charge',
								kind: 1,
								startTimeUnixNano: at(19_500),
								endTimeUnixNano: at(19_900),
								events: [
									{timeUnixNano: at(19_600), name: 'retrying', attributes: [{key: 'attempt', value: {intValue: '2'}}]},
									{timeUnixNano: at(19_650), name: `evil${ESC}[31m red`, attributes: [kv(`k${ESC}]0;title\u0007`, `v${ESC}[2J`)]},
								],
								links: [{traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', attributes: [kv('reason', 'batch')]}],
								status: {code: 2, message: 'card declined'},
							},
						],
					},
				],
			},
			{
				resource: {attributes: [kv('service.name', 'ledger')]},
				scopeSpans: [{spans: [{traceId: 'c0ffee00c0ffee00c0ffee00c0ffee00', spanId: 'bbbbbbbbbbbbbbb1', parentSpanId: 'cccccccccccccccc', name: 'orphan', kind: 5, startTimeUnixNano: at(0), endTimeUnixNano: at(350)}]}],
			},
		],
	};
}

const text = (lines: ReturnType<typeof spanDetailLines>): string => lines.map(line => line.map(segment => segment.text).join('')).join('\n');

describe('span detail shows what OpenTelemetry said of a span', () => {
	const events = otlpToEvents(document());
	const detail = (traceId: string, spanId: string, expandData = false): string => {
		const spans = foldEvents(events.filter(event => event.trace_id === traceId));
		const tree = buildTree(spans);
		return text(spanDetailLines(tree.byId.get(spanId)!, tree, {symbols: UNICODE, width: 80, expandData, traceStartMs: spans[0]!.start_ms, nowMs: 0}));
	};

	it('service, kind, scope, µs durations, status message, events at their time in the span, links, a short resource', () => {
		const charge = detail(TRACE, 'aaaaaaaaaaaaaaa2');
		assert.match(charge, /^charge · ✗ failed · step · took 400µs · started \+20ms$/m);
		assert.match(charge, /^service checkout · internal · scope checkout-lib@1\.2\.3$/m);
		assert.match(charge, /^EVENTS \(2\)\n +\+100µs {2}retrying {2}attempt=2$/m);
		assert.match(charge, /^LINKS \(1\)\n {2}→ span 00f067aa0ba902b7 in trace 4bf92f3577b34da6a3ce929d0e0e4736\n {4}reason=batch$/m);
		assert.match(charge, /^RESOURCE \(6 attributes\)\n {2}service\.name +checkout\n {2}service\.version +4\.1\.0\n {2}deployment\.environment\.name {2}prod\n {2}3 more resource attributes \(e to expand\)$/m);
		assert.ok(!charge.includes('STATUS MESSAGE'), 'the error already says "card declined"');
		assert.ok(!charge.includes(ESC) && !charge.includes('\u0007'), 'no escape sequence from the producer');
		assert.match(detail(TRACE, 'aaaaaaaaaaaaaaa2', true), /telemetry\.sdk\.language +nodejs/, 'e shows the whole resource');
	});

	it('log records emitted in the span, in time order, with their severity; sanitized', () => {
		const logs = convertOtlpLogs({
			resourceLogs: [
				{
					resource: {attributes: [kv('service.name', 'checkout')]},
					scopeLogs: [
						{
							logRecords: [
								{timeUnixNano: at(19_800), severityNumber: 17, severityText: 'ERROR', body: {stringValue: `gateway said no${ESC}[2J`}, traceId: TRACE, spanId: 'aaaaaaaaaaaaaaa2'},
								{timeUnixNano: at(19_550), severityNumber: 9, body: {stringValue: 'charging card'}, traceId: TRACE, spanId: 'aaaaaaaaaaaaaaa2'},
							],
						},
					],
				},
			],
		}).events;
		const spans = foldEvents([...events, ...logs].filter(event => event.trace_id === TRACE));
		const tree = buildTree(spans);
		const charge = text(spanDetailLines(tree.byId.get('aaaaaaaaaaaaaaa2')!, tree, {symbols: UNICODE, width: 80, expandData: false, traceStartMs: spans[0]!.start_ms, nowMs: 0}));
		assert.match(charge, /^LOGS \(2\)\n +\+50µs {2}INFO {3}charging card\n +\+300µs {2}ERROR {2}gateway said no$/m);
		assert.ok(!charge.includes(ESC), 'no escape sequence from the record');
		// The console's level filter (v): warn+ hides the INFO record and says so.
		const loud = text(spanDetailLines(tree.byId.get('aaaaaaaaaaaaaaa2')!, tree, {symbols: UNICODE, width: 80, expandData: false, traceStartMs: spans[0]!.start_ms, nowMs: 0, level: 'warn'}));
		assert.match(loud, /^LOGS \(1 of 2; 1 below the level filter, v\)\n +\+300µs {2}ERROR {2}gateway said no$/m);
		assert.ok(!loud.includes('charging card'));
	});

	it('links out are lines y copies: the URL, whole', () => {
		const spans = foldEvents(events.filter(event => event.trace_id === TRACE));
		const tree = buildTree(spans);
		const rows = spanDetailRows(tree.byId.get('aaaaaaaaaaaaaaa2')!, tree, {symbols: UNICODE, width: 80, expandData: false, traceStartMs: spans[0]!.start_ms, nowMs: 0, links: {logs: 'https://logs.example/?trace={trace_id}&span={span_id}'}});
		const link = rows.filter(row => row.value?.what === 'link logs');
		assert.ok(link.length >= 2, 'the name and the URL rows');
		assert.equal(link[0]!.value!.text, `https://logs.example/?trace=${TRACE}&span=aaaaaaaaaaaaaaa2`);
	});

	it('says when the declared parent never arrived', () => {
		const orphan = detail('c0ffee00c0ffee00c0ffee00c0ffee00', 'bbbbbbbbbbbbbbb1');
		assert.match(orphan, /^PATH FROM ROOT \(1 level\)\n {2}parent cccccccccccccccc not received \(shown as a root\)$/m);
		assert.match(orphan, /took 350µs/);
		assert.match(orphan, /^service ledger · consumer$/m);
	});
});

describe('span detail in the console', () => {
	let harness: Harness | undefined;
	afterEach(() => {
		harness?.cleanup();
		harness = undefined;
	});

	it('at 80x24: the failed span of an OTLP run, with its OpenTelemetry fields', async () => {
		const h = renderApp(otlpToEvents({resourceSpans: [document().resourceSpans[0]!]}));
		harness = h;
		await h.ready();
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('charge'));
		// Its root succeeded: the failure is recovered, not a root cause for f to jump to; it is the next row.
		await h.press('j', KEYS.enter);
		await settle(h, frame => frame.includes('EVENTS'));
		const frame = h.frame();
		const rows = frame.split('\n');
		assert.ok(rows.length <= 24, 'fits 24 rows');
		assert.ok(
			rows.every(row => row.length <= 80),
			'fits 80 columns',
		);
		assert.match(rows[0]!, /› trace › charge$/);
		assert.match(frame, /charge · ✗ failed · step · took 400µs/);
		assert.match(frame, /service checkout · internal · scope checkout-lib@1\.2\.3/);
		assert.match(frame, /\+100µs {2}retrying {2}attempt=2/);
		assert.ok(!frame.includes(ESC), 'sanitized');
	});
});
