import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import {InputError} from '../../source/core/errors.js';
import {readTraceFile} from '../../source/interop/input-files.js';
import {decodeRpcStatus} from '../../source/interop/google-rpc-status.js';
import {decodeExportTraceRequest, encodeExportTraceRequest, OtlpProtobufError} from '../../source/interop/otlp-protobuf.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventParseError, parseTraceEvent} from '../../source/interop/trace-event-schema.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/** Issue 14 ("Nothing lost, nothing leaked"), items 2, 7 and 10: what the edges refuse, and how. */

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const deepJson = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const kv = (key: string, stringValue: string) => ({key, value: {stringValue}});

function span(spanId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {traceId: TRACE, spanId, name: `span ${spanId}`, startTimeUnixNano: '1772445600000000000', endTimeUnixNano: '1772445601000000000', ...extra};
}

function request(...spans: Array<Record<string, unknown>>): OtlpTracesJson {
	return {resourceSpans: [{resource: {attributes: [kv('service.name', 'api')]}, scopeSpans: [{spans: spans as never}]}]};
}

const home = tempHome('tracedeck-strict-');
const index = RunIndex.open(home);
let receiver: OtlpReceiver;
before(async () => {
	receiver = await startOtlpReceiver({port: 0, sink: new EventWriter(new SqliteStore(index)), log: () => {}});
});
after(async () => {
	await receiver.close();
	index.close();
});

async function post(body: string | Uint8Array, type = 'application/json', headers: Record<string, string> = {}): Promise<{status: number; body: Buffer}> {
	const response = await fetch(`${receiver.url}/v1/traces`, {method: 'POST', headers: {'Content-Type': type, ...headers}, body});
	return {status: response.status, body: Buffer.from(await response.arrayBuffer())};
}

function file(name: string, content: string | Uint8Array): string {
	const at = path.join(home, name);
	fs.writeFileSync(at, content);
	return at;
}

function refusal(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof InputError || error instanceof EventParseError || error instanceof OtlpProtobufError, `a typed refusal, not ${String(error)}`);
		return error.message;
	}

	assert.fail('accepted');
}

describe('depth', () => {
	it('depth: a tracedeck.input JSON text nested past 256 levels refuses its span alone over OTLP/HTTP, naming it; the valid span is stored', async () => {
		const answer = await post(JSON.stringify(request(span('1111111111111111'), span('2222222222222222', {attributes: [kv('tracedeck.input', deepJson(300))]}))));
		assert.equal(answer.status, 200);
		const body = JSON.parse(answer.body.toString()) as {partialSuccess: {rejectedSpans: string; errorMessage: string}};
		assert.equal(body.partialSuccess.rejectedSpans, '1');
		assert.match(body.partialSuccess.errorMessage, /spans\[1\]: attributes\.tracedeck\.input \(JSON text\).*nested deeper than 254 levels/);
		assert.deepEqual(
			index.spans(TRACE).map(s => s.span_id),
			['1111111111111111'],
		);
	});

	it('depth: a tracedeck.output nested too deep in an OTLP file is one error naming file and place, not an internal error', () => {
		const at = file('deep-output.json', JSON.stringify(request(span('3333333333333333', {attributes: [kv('tracedeck.output', deepJson(1000))]}))));
		assert.match(
			refusal(() => readTraceFile(at)),
			/deep-output\.json: invalid OTLP: .*spans\.0\.attributes\.tracedeck\.output \(JSON text\).*nested deeper/,
		);
	});

	it('depth: a TraceEvent line nested past the limit names file:line and the path inside', () => {
		const deep = `{"trace_id":"t","span_id":"s","event_type":"step:started","timestamp":"2026-03-02T10:00:00Z","data":{"input":${deepJson(300)}}}`;
		const at = file('deep.jsonl', `{"trace_id":"t","span_id":"s","event_type":"step:started","timestamp":"2026-03-02T10:00:00Z"}\n${deep}\n`);
		assert.match(
			refusal(() => readTraceFile(at)),
			/deep\.jsonl:2: .*data\.input\[0\]\[0\].*nested deeper than 256 levels/,
		);
	});
});

describe('strict input', () => {
	it('strict input: OTLP ids must be 32 and 16 hex digits and not all zero, per span', async () => {
		for (const [bad, pattern] of [
			[{traceId: 'abc'}, /traceId: not a trace id/],
			[{traceId: '0'.repeat(32)}, /traceId: an all-zero trace id/],
			[{spanId: '0'.repeat(16)}, /spanId: an all-zero span id/],
			[{parentSpanId: 'xyz'}, /parentSpanId: not a span id/],
		] as const) {
			const answer = await post(JSON.stringify(request(span('4444444444444444'), span('5555555555555555', bad))));
			const body = JSON.parse(answer.body.toString()) as {partialSuccess?: {rejectedSpans: string; errorMessage: string}};
			assert.equal(body.partialSuccess?.rejectedSpans, '1', JSON.stringify(bad));
			assert.match(body.partialSuccess.errorMessage, pattern);
		}
	});

	it('strict input: span names, attribute keys and dates that do not exist are refused', () => {
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-02-30T10:00:00Z'})),
			/timestamp: day 30 does not exist/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-13-01T10:00:00Z'})),
			/month 13/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-01-01T25:00:00Z'})),
			/not a time of day/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-01-01T10:00:00Z', data: {name: 'n'.repeat(1025)}})),
			/data\.name: longer than 1024/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-01-01T10:00:00Z', data: {['k'.repeat(257)]: 1}})),
			/data: a key longer than 256/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't'.repeat(129), span_id: 's', event_type: 'x', timestamp: '2026-01-01T10:00:00Z'})),
			/trace_id: longer than 128/,
		);
		assert.match(
			refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-01-01T10:00:00Z', data: {k: 'a\ud800'}})),
			/data\.k: a string with a lone UTF-16 surrogate/,
		);
	});

	it('strict input: invalid UTF-8 is refused, never stored as U+FFFD: a JSON Lines line, an OTLP/HTTP JSON body, a protobuf string', async () => {
		const line = Buffer.from('{"trace_id":"t","span_id":"s","event_type":"step:started","timestamp":"2026-03-02T10:00:00Z","data":{"name":"caf\xe9"}}', 'latin1');
		const at = file('latin1.jsonl', Buffer.concat([Buffer.from('{"trace_id":"t","span_id":"s","event_type":"step:started","timestamp":"2026-03-02T10:00:00Z"}\n'), line]));
		assert.match(
			refusal(() => readTraceFile(at)),
			/latin1\.jsonl:2: not valid UTF-8 \(byte 113 of the line, 0xe9\)/,
		);
		const json = await post(Buffer.concat([Buffer.from(JSON.stringify(request(span('6666666666666666', {name: 'X'}))).replace('"X"', '"'), 'utf8'), Buffer.from([0xff]), Buffer.from('"}]}]}]}')]).subarray(0));
		assert.equal(json.status, 400);
		assert.match((JSON.parse(json.body.toString()) as {message: string}).message, /not valid UTF-8/);
		const bytes = Buffer.from(encodeExportTraceRequest(request(span('7777777777777777', {name: 'NAME'}))));
		bytes.set([0xc3, 0x28], bytes.indexOf('NAME'));
		assert.match(
			refusal(() => decodeExportTraceRequest(bytes)),
			/not valid UTF-8 in the string field resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.name/,
		);
		const proto = await post(bytes, 'application/x-protobuf');
		assert.equal(proto.status, 400);
		assert.match(decodeRpcStatus(proto.body).message, /not valid UTF-8/);
		assert.equal(
			index.spans(TRACE).some(s => s.span_id === '7777777777777777'),
			false,
		);
	});
});

describe('sanitized errors', () => {
	it('sanitized errors: a refusal quoting hostile input reaches the client as one line without escapes', async () => {
		const answer = await post(JSON.stringify(request(span('8888888888888888', {traceId: 'x\u001b]0;pwned\u0007\u001b[2J'}))));
		const text = answer.body.toString();
		assert.doesNotMatch(text, /\\u001b|\\u0007|\u001b|\u0007/);
		const broken = await post('{"resourceSpans": [\u001b[31m');
		assert.equal(broken.status, 400);
		assert.doesNotMatch(broken.body.toString(), /\\u001b|\u001b/);
	});
});

describe('identifiers', () => {
	it('identifiers: env, target, run id and user with control, bidi or zero-width characters are refused at ingest and by the emitter', async () => {
		for (const [field, value] of [
			['env', 'pro\u202ed'],
			['target', 'api\u200b'],
			['run_id', 'run-1\u2066'],
			['user', 'bob\u001b[31m'],
		] as const) {
			assert.match(
				refusal(() => parseTraceEvent({trace_id: 't', span_id: 's', event_type: 'workflow:started', timestamp: '2026-01-01T10:00:00Z', data: {[field]: value}})),
				new RegExp(`data\\.${field}: holds a control, bidirectional or zero-width character`),
			);
		}

		const answer = await post(JSON.stringify({resourceSpans: [{resource: {attributes: [kv('devcmd.env', 'prod\u200f')]}, scopeSpans: [{spans: [span('9999999999999999')]}]}]}));
		assert.equal(answer.status, 400);
		assert.match((JSON.parse(answer.body.toString()) as {message: string}).message, /resource\.attributes\.devcmd\.env: holds a control/);
		const emitter = new TraceEmitter({write: async () => undefined});
		assert.throws(() => emitter.prepare({trace_id: 't', span_id: 's', event_type: 'workflow:started', data: {target: 'we\u200db'}}), /TraceEvent\.data\.target .*zero-width/);
		assert.throws(() => emitter.prepare({trace_id: 't\u202e', span_id: 's', event_type: 'workflow:started'}), /TraceEvent\.trace_id/);
	});
});

describe('fuzz', () => {
	const good = JSON.stringify(request(span('aaaaaaaaaaaaaaaa'), span('bbbbbbbbbbbbbbbb', {parentSpanId: 'aaaaaaaaaaaaaaaa', attributes: [kv('tracedeck.input', '{"a":[1,2]}')]})));
	const mutated = fc.tuple(fc.nat({max: good.length - 1}), fc.nat({max: 40}), fc.string({unit: 'binary', maxLength: 20})).map(([at, cut, insert]) => `${good.slice(0, at)}${insert}${good.slice(at + cut)}`);
	const bodies = fc.oneof(
		mutated,
		fc.jsonValue({maxDepth: 4}).map(value => JSON.stringify(value)),
		fc.constant(good),
	);

	it('fuzz: mutated OTLP/HTTP JSON and protobuf bodies, gzip or not, answer 200 or 400 with a well-formed body, never 500', async () => {
		const before = index.spans(TRACE).length;
		await fc.assert(
			fc.asyncProperty(bodies, fc.boolean(), fc.boolean(), fc.uint8Array({maxLength: 64}), async (text, protobuf, gzip, noise) => {
				let payload: Uint8Array = Buffer.from(text);
				if (protobuf) {
					const encoded = encodeExportTraceRequest(JSON.parse(good) as OtlpTracesJson);
					payload = Buffer.concat([encoded.subarray(0, noise.length % encoded.length), noise, encoded.subarray(noise.length % encoded.length)]);
				}

				const answer = await post(gzip ? zlib.gzipSync(payload) : payload, protobuf ? 'application/x-protobuf' : 'application/json', gzip ? {'Content-Encoding': 'gzip'} : {});
				assert.ok(answer.status === 200 || answer.status === 400, `status ${answer.status}: ${answer.body.toString()}`);
				if (protobuf) {
					assert.doesNotThrow(() => (answer.status === 400 ? decodeRpcStatus(answer.body) : undefined));
				} else {
					assert.doesNotThrow(() => JSON.parse(answer.body.toString()) as unknown);
				}
			}),
			{numRuns: 150},
		);
		for (const stored of index.spans(TRACE).slice(before)) {
			assert.match(stored.span_id, /^[0-9a-f]{16}$/, 'only valid spans are stored');
		}
	});
});
