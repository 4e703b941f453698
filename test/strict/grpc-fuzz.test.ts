import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {status as GrpcStatus, type ServiceError} from '@grpc/grpc-js';
import fc from 'fast-check';
import {nameProblem, otlpIdProblem} from '../../source/core/input-limits.js';
import {startOtlpGrpcServer, type OtlpGrpcServer} from '../../source/interop/otlp-grpc-server.js';
import {LOGS_EXPORT_PATH, TRACE_EXPORT_PATH} from '../../source/interop/otlp-grpc-service.js';
import {TraceIntake} from '../../source/interop/otlp-intake.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {decodeExportLogsResponse, encodeExportLogsRequest, type OtlpLogsJson} from '../../source/interop/otlp-logs-protobuf.js';
import {MetricsRejection} from '../../source/interop/otlp-metrics-rejection.js';
import {decodeExportTraceResponse, encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {rawClient, type RawClient} from '../interop/grpc-test-client.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/**
 * Issue 14, items 2 and 7, at the OTLP/gRPC edge: whatever bytes a client
 * sends, the answer is OK (perhaps a partial success) or INVALID_ARGUMENT,
 * never INTERNAL; the server goes on serving; and what reached the store is
 * only what the limits let through. One server and one real store for the file.
 */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const nanos = (ms: number): string => String(1_772_445_600_000_000_000n + BigInt(ms) * 1_000_000n);
const kv = (key: string, value: Record<string, unknown>) => ({key, value});

const traces: OtlpTracesJson = {
	resourceSpans: [
		{
			resource: {attributes: [kv('service.name', {stringValue: 'checkout'}), kv('devcmd.env', {stringValue: 'prod'})]},
			scopeSpans: [
				{
					scope: {name: 'shop', version: '1.0'},
					spans: [
						{traceId: TRACE, spanId: '00f067aa0ba902b7', name: 'POST /checkout', kind: 2, startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(40), attributes: [kv('http.status_code', {intValue: '500'}), kv('tracedeck.input', {stringValue: '{"order":[1,2,3]}'})], status: {code: 2, message: 'boom'}},
						{
							traceId: TRACE,
							spanId: '53995c3f42cd8ad8',
							parentSpanId: '00f067aa0ba902b7',
							name: 'charge',
							startTimeUnixNano: nanos(5),
							endTimeUnixNano: nanos(30),
							attributes: [kv('nested', {kvlistValue: {values: [kv('list', {arrayValue: {values: [{boolValue: true}, {doubleValue: 1.5}, {bytesValue: 'AAE='}]}})]}})],
							events: [{name: 'retry', timeUnixNano: nanos(10), attributes: [kv('n', {intValue: '1'})]}],
							links: [{traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174'}],
						},
					] as never,
				},
			],
		},
	],
};

const logs: OtlpLogsJson = {
	resourceLogs: [
		{
			resource: {attributes: [kv('service.name', {stringValue: 'checkout'})]},
			scopeLogs: [
				{
					scope: {name: 'shop-logs'},
					logRecords: [
						{timeUnixNano: nanos(12), severityNumber: 17, severityText: 'ERROR', body: {stringValue: 'card declined'}, traceId: TRACE, spanId: '53995c3f42cd8ad8'},
						{timeUnixNano: nanos(13), severityNumber: 9, severityText: 'INFO', body: {kvlistValue: {values: [kv('cache', {stringValue: 'warm'})]}}, attributes: [kv('region', {stringValue: 'eu'})]},
					],
				},
			],
		},
	],
};

const traceBytes = encodeExportTraceRequest(traces);
const logBytes = encodeExportLogsRequest(logs);

/** One change to a valid message: a flipped byte, a letter made a stray UTF-8 byte, bytes put in or taken out, a cut end. */
const edit = fc.oneof(
	fc.record({kind: fc.constant('unletter' as const), at: fc.nat()}),
	fc.record({kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({min: 1, max: 255})}),
	fc.record({kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({minLength: 1, maxLength: 8})}),
	fc.record({kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({min: 1, max: 16})}),
	fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
);

function mutate(seed: Uint8Array, edits: ReadonlyArray<typeof edit extends fc.Arbitrary<infer E> ? E : never>): Uint8Array {
	let bytes = Buffer.from(seed);
	for (const change of edits) {
		const at = bytes.length === 0 ? 0 : change.at % bytes.length;
		if (change.kind === 'unletter') {
			// Letters sit inside strings (names, keys, values): with the high bit set, the framing holds and the text is not UTF-8.
			const letters = [...bytes.keys()].filter(i => bytes[i]! >= 0x61 && bytes[i]! <= 0x7a);
			const i = letters[change.at % Math.max(1, letters.length)];
			if (i !== undefined) {
				bytes[i] = bytes[i]! | 0x80;
			}
		} else if (change.kind === 'flip' && bytes.length > 0) {
			bytes[at] = bytes[at]! ^ change.mask;
		} else if (change.kind === 'insert') {
			bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
		} else if (change.kind === 'delete') {
			bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
		} else if (change.kind === 'truncate') {
			bytes = bytes.subarray(0, at);
		}
	}

	return bytes;
}

/** Text a hostile or broken sender writes: escapes, bidi and zero-width characters, lone surrogates, huge or empty. */
const text = fc.oneof(fc.string({unit: 'binary', maxLength: 12}), fc.constantFrom('', 'prod\u202e', 'api\u200b', '\u001b]0;pwned\u0007', 'a\ud800', 'x'.repeat(1025)));
/** Ids of any length, all zero among them: OTLP wants 16 and 8 bytes, not zero. */
const id = fc.oneof(
	fc.uint8Array({maxLength: 20}).map(bytes => Buffer.from(bytes).toString('hex')),
	fc.constantFrom('0'.repeat(32), '0'.repeat(16)),
);
/** Unix nanoseconds from zero to past 2^64, as OTLP/JSON writes them. */
const time = fc.bigInt({min: 0n, max: (1n << 64n) - 1n}).map(String);

function nestedValue(depth: number): Record<string, unknown> {
	let value: Record<string, unknown> = {stringValue: 'bottom'};
	for (let i = 0; i < depth; i++) {
		value = {kvlistValue: {values: [kv('k', value)]}};
	}

	return value;
}

const attribute = fc.oneof(
	fc.tuple(text, text).map(([key, value]) => kv(key, {stringValue: value})),
	fc.tuple(fc.constantFrom('devcmd.env', 'devcmd.run_id', 'service.name', 'tracedeck.input'), text).map(([key, value]) => kv(key, {stringValue: value})),
	// As deep as protobufjs's encoder goes (its limit of 100 messages); deeper framing is otlp-grpc-server.test.ts's deepRequest.
	fc.integer({min: 0, max: 30}).map(depth => kv('deep', nestedValue(depth))),
	fc.constant(kv('tracedeck.input', {stringValue: `${'['.repeat(300)}${']'.repeat(300)}`})),
);

/** A valid request with some of its fields replaced by hostile ones: these pass the decoder and reach every check behind it. */
const hostileTraces = fc
	.record({
		traceId: fc.option(id),
		spanId: fc.option(id),
		parentSpanId: fc.option(id),
		name: fc.option(text),
		start: fc.option(time),
		end: fc.option(time),
		attributes: fc.array(attribute, {maxLength: 3}),
		resource: fc.array(attribute, {maxLength: 2}),
		linkId: fc.option(id),
		eventName: fc.option(text),
	})
	.map(change => {
		const document = structuredClone(traces) as unknown as {resourceSpans: Array<{resource: {attributes: unknown[]}; scopeSpans: Array<{spans: Array<Record<string, unknown>>}>}>};
		const resource = document.resourceSpans[0]!;
		const span = resource.scopeSpans[0]!.spans[1]!;
		const set = (key: string, value: unknown): void => {
			if (value !== null) {
				span[key] = value;
			}
		};

		set('traceId', change.traceId);
		set('spanId', change.spanId);
		set('parentSpanId', change.parentSpanId);
		set('name', change.name);
		set('startTimeUnixNano', change.start);
		set('endTimeUnixNano', change.end);
		span['attributes'] = [...(span['attributes'] as unknown[]), ...change.attributes];
		resource.resource.attributes.push(...change.resource);
		if (change.linkId !== null) {
			span['links'] = [{traceId: change.linkId, spanId: change.linkId}];
		}

		if (change.eventName !== null) {
			span['events'] = [{name: change.eventName, timeUnixNano: change.start ?? nanos(1)}];
		}

		return encodeExportTraceRequest(document as unknown as OtlpTracesJson);
	});

const hostileLogs = fc
	.record({
		traceId: fc.option(id),
		spanId: fc.option(id),
		time: fc.option(time),
		severity: fc.option(fc.integer({min: -5, max: 40})),
		severityText: fc.option(text),
		body: fc.option(attribute),
		attributes: fc.array(attribute, {maxLength: 3}),
		resource: fc.array(attribute, {maxLength: 2}),
	})
	.map(change => {
		const document = structuredClone(logs) as unknown as {resourceLogs: Array<{resource: {attributes: unknown[]}; scopeLogs: Array<{logRecords: Array<Record<string, unknown>>}>}>};
		const resource = document.resourceLogs[0]!;
		for (const record of resource.scopeLogs[0]!.logRecords) {
			for (const [key, value] of [
				['traceId', change.traceId],
				['spanId', change.spanId],
				['timeUnixNano', change.time],
				['severityNumber', change.severity],
				['severityText', change.severityText],
			] as const) {
				if (value !== null) {
					record[key] = value;
				}
			}

			if (change.body !== null) {
				record['body'] = change.body.value;
			}

			record['attributes'] = change.attributes;
		}

		resource.resource.attributes.push(...change.resource);
		return encodeExportLogsRequest(document as unknown as OtlpLogsJson);
	});

/** Mutated valid messages (broken framing and text), hostile fields in valid framing, and random bytes. */
const messages = (seed: Uint8Array, hostile: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> => fc.oneof({weight: 2, arbitrary: fc.array(edit, {minLength: 1, maxLength: 4}).map(edits => mutate(seed, edits))}, {weight: 2, arbitrary: hostile}, {weight: 1, arbitrary: fc.uint8Array({maxLength: 200})});

const home = tempHome('tracedeck-grpc-fuzz-');
const index = RunIndex.open(home);
const serverLog: string[] = [];
let server: OtlpGrpcServer;
let traceClient: RawClient;
let logsClient: RawClient;
before(async () => {
	server = await startOtlpGrpcServer({port: 0, intake: new TraceIntake({sink: new EventWriter(new SqliteStore(index)), log: line => serverLog.push(line)}), metricsRejection: new MetricsRejection(() => {}), log: line => serverLog.push(line)});
	traceClient = rawClient(server.address, TRACE_EXPORT_PATH);
	logsClient = rawClient(server.address, LOGS_EXPORT_PATH);
});
after(async () => {
	traceClient.close();
	logsClient.close();
	await server.close();
	index.close();
});

/** OK with a well-formed response, or INVALID_ARGUMENT with a one-line message: never INTERNAL, never another code. */
function assertAnswered(answer: {response?: Buffer; error?: ServiceError}, decode: (bytes: Buffer) => unknown, sent: Uint8Array): void {
	const shown = Buffer.from(sent).toString('hex');
	if (answer.error === undefined) {
		assert.doesNotThrow(() => decode(answer.response!), `an OK answer decodes (sent ${shown})`);
		return;
	}

	assert.equal(answer.error.code, GrpcStatus.INVALID_ARGUMENT, `${answer.error.code} ${answer.error.details} (sent ${shown})`);
	assert.notEqual(answer.error.details, '');
	assert.doesNotMatch(answer.error.details, /[\u0000-\u001f\u007f-\u009f]/, 'one line, no escapes');
}

const VALID_TEXT = (text: string): boolean => !text.includes('\ufffd');

describe('OTLP/gRPC fuzz', () => {
	it('grpc fuzz: mutated and random ExportTraceServiceRequest bytes answer OK or INVALID_ARGUMENT, never INTERNAL', async () => {
		await fc.assert(
			fc.asyncProperty(messages(traceBytes, hostileTraces), async bytes => {
				assertAnswered(await traceClient.call(bytes), decodeExportTraceResponse, bytes);
			}),
			{numRuns: 100},
		);
	});

	it('grpc fuzz: mutated and random ExportLogsServiceRequest bytes answer OK or INVALID_ARGUMENT, never INTERNAL', async () => {
		await fc.assert(
			fc.asyncProperty(messages(logBytes, hostileLogs), async bytes => {
				assertAnswered(await logsClient.call(bytes), decodeExportLogsResponse, bytes);
			}),
			{numRuns: 100},
		);
	});

	it('grpc fuzz: afterwards the server still serves, logged no internal error, and the store holds only valid spans and log records', async () => {
		const good = await traceClient.call(traceBytes);
		assert.equal(good.error, undefined);
		assert.equal((await logsClient.call(logBytes)).error, undefined);
		assert.deepEqual(
			serverLog.filter(line => /internal error/.test(line)),
			[],
		);
		const spans = index.db.prepare('SELECT trace_id, span_id, name, body FROM spans').all() as Array<{trace_id: string; span_id: string; name: string; body: string}>;
		assert.ok(
			spans.some(span => span.trace_id === TRACE && span.span_id === '00f067aa0ba902b7'),
			'the good export is stored',
		);
		for (const span of spans) {
			assert.equal(otlpIdProblem(span.trace_id, 'trace'), undefined, span.trace_id);
			assert.equal(otlpIdProblem(span.span_id, 'span'), undefined, span.span_id);
			assert.equal(nameProblem(span.name), undefined, span.name);
			// Invalid UTF-8 is refused, never stored as U+FFFD (which no seed holds, and random bytes all but never spell).
			assert.ok(VALID_TEXT(span.body), `no U+FFFD in ${span.body}`);
		}

		const serviceLogs = index.db.prepare('SELECT service, body, attributes_json, resource_json FROM service_logs').all() as Array<Record<string, string>>;
		for (const row of serviceLogs) {
			assert.ok(Object.values(row).every(VALID_TEXT), JSON.stringify(row));
		}
	});

	it('grpc: a malformed protobuf answers INVALID_ARGUMENT saying it is not an ExportTraceServiceRequest, and stores nothing', async () => {
		const before = index.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
		// Field 1 (resource_spans), length-delimited, its length running past the end of the message.
		const {error} = await traceClient.call(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
		assert.equal(error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(error.details, /not an OTLP ExportTraceServiceRequest/);
		assert.match(error.details, /index out of range|invalid wire type|length|end/i, 'says what is wrong with the bytes');
		const logsAnswer = await logsClient.call(new Uint8Array([0x0a, 0x05, 0x01]));
		assert.equal(logsAnswer.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(logsAnswer.error.details, /ExportLogsServiceRequest/);
		assert.equal(index.db.prepare('SELECT count(*) FROM events').pluck().get(), before);
	});

	it('grpc: what protobufjs decodes leniently is refused, naming the field: a string past the end of its message, a wrong wire type, invalid UTF-8 in a log record', async () => {
		const before = index.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
		const pastEnd = Buffer.from(traceBytes);
		// The attribute key's length, 15, made 127: protobufjs would cut the string at the end of its KeyValue.
		pastEnd[pastEnd.indexOf('tracedeck.input') - 1] = 0x7f;
		const cut = await traceClient.call(pastEnd);
		assert.equal(cut.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(cut.error.details, /the field resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[1\]\.key is 127 bytes long, running past the end of its message/);
		const wireType = Buffer.from(traceBytes);
		// Span.kind (field 6) is a varint (tag 0x30); sent as fixed32 (0x35), protobufjs would read a varint all the same.
		wireType[wireType.indexOf(Buffer.from([0x30, 0x02]))] = 0x35;
		const mistyped = await traceClient.call(wireType);
		assert.equal(mistyped.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(mistyped.error.details, /spans\[0\]\.kind is sent with wire type 5, where its type takes 0/);
		const latin1 = Buffer.from(logBytes);
		latin1[latin1.indexOf('declined') + 1] = 0xe9;
		const text = await logsClient.call(latin1);
		assert.equal(text.error?.code, GrpcStatus.INVALID_ARGUMENT);
		assert.match(text.error.details, /not valid UTF-8 in the string field resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body\.stringValue \(byte 6 of the string\)/);
		assert.equal(index.db.prepare('SELECT count(*) FROM events').pluck().get(), before);
	});
});
