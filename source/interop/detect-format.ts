import type {ZipkinItem} from './zipkin-json.js';
import {isRecord} from '../core/json-value.js';

/*
 * What a trace file is, told by its content and never by its name: the
 * bytes say text, binary or compressed; a parsed JSON value says which of
 * the JSON formats it is by the fields it has.
 */

/** Where the JSON formats part ways, by their own field names. */
export type JsonDocument =
	/** TraceEvents: one object, or an array of them. */
	| {format: 'trace-events'; events: unknown[]; single: boolean}
	/** OTLP ExportTraceServiceRequests (an array of them is what Jaeger UI also reads); `pathPrefix` says where they sit, for errors. */
	| {format: 'otlp'; requests: unknown[]; pathPrefix: string}
	/** OTLP logs, metrics or profiles: not traces. */
	| {format: 'otlp-other'; signal: string}
	/** Jaeger JSON trace objects at `path`; `errors` are what the query API said beside them. */
	| {format: 'jaeger'; traces: unknown[]; path: string; errors: string[]}
	| {format: 'zipkin'; spans: ZipkinItem[]}
	/** A recognized shape that tracedeck does not read, or an API's error answer: the message says which. */
	| {format: 'refused'; message: string}
	/** Nothing any format would call a span. */
	| {format: 'none'};

export type SniffedBytes =
	| {kind: 'empty'}
	| {kind: 'gzip'}
	| {kind: 'zstd'}
	/** The Collector's file exporter with `format: proto`: each message after its length, 4 bytes big-endian. */
	| {kind: 'protobuf-frames'; frames: Array<{offset: number; bytes: Uint8Array}>}
	/** `looksJson`: the first non-blank byte opens an object or an array; `binary`: there are bytes no JSON text holds. */
	| {kind: 'text-or-binary'; looksJson: boolean; binary: boolean; bomLength: number};

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const BOM = [0xef, 0xbb, 0xbf];
// Enough to tell: a protobuf message with one span has a control byte (a field tag) in its first few bytes.
const SNIFF_BYTES = 64 * 1024;

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
	return bytes.length >= at + magic.length && magic.every((byte, i) => bytes[at + i] === byte);
}

function isBlank(byte: number): boolean {
	return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Length-prefixed frames that cover the bytes exactly, or undefined. */
function lengthPrefixedFrames(bytes: Uint8Array): Array<{offset: number; bytes: Uint8Array}> | undefined {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const frames: Array<{offset: number; bytes: Uint8Array}> = [];
	let at = 0;
	while (at < bytes.length) {
		if (at + 4 > bytes.length) {
			return undefined;
		}

		const length = view.getUint32(at);
		if (at + 4 + length > bytes.length) {
			return undefined;
		}

		frames.push({offset: at, bytes: bytes.subarray(at + 4, at + 4 + length)});
		at += 4 + length;
	}

	return frames;
}

/** What the bytes of a file are, before any parsing. */
export function sniffBytes(bytes: Uint8Array): SniffedBytes {
	if (startsWith(bytes, GZIP)) {
		return {kind: 'gzip'};
	}

	if (startsWith(bytes, ZSTD)) {
		return {kind: 'zstd'};
	}

	// No text and no bare protobuf message starts with a zero byte (field number 0 does not exist); a length prefix under 16 MiB does.
	if (bytes[0] === 0) {
		const frames = lengthPrefixedFrames(bytes);
		if (frames) {
			return {kind: 'protobuf-frames', frames};
		}
	}

	const bomLength = startsWith(bytes, BOM) ? BOM.length : 0;
	let first = bomLength;
	while (first < bytes.length && isBlank(bytes[first]!)) {
		first++;
	}

	if (first === bytes.length) {
		return {kind: 'empty'};
	}

	let binary = false;
	for (let i = 0; i < Math.min(bytes.length, SNIFF_BYTES); i++) {
		if (bytes[i]! < 0x20 && !isBlank(bytes[i]!)) {
			binary = true;
			break;
		}
	}

	return {kind: 'text-or-binary', looksJson: bytes[first] === 0x7b || bytes[first] === 0x5b, binary, bomLength};
}

function isTraceEvent(value: Record<string, unknown>): boolean {
	return 'trace_id' in value || 'span_id' in value || 'event_type' in value;
}

function isZipkinSpan(value: unknown): boolean {
	return isRecord(value) && 'traceId' in value && 'id' in value && !('spans' in value);
}

function isZipkinV1(value: unknown): boolean {
	return isRecord(value) && ('binaryAnnotations' in value || (Array.isArray(value['annotations']) && value['annotations'].some(a => isRecord(a) && 'endpoint' in a)));
}

function isJaegerTrace(value: unknown): boolean {
	return isRecord(value) && Array.isArray(value['spans']) && ('traceID' in value || 'processes' in value);
}

const ZIPKIN_V1 = "Zipkin v1 JSON (binaryAnnotations), which tracedeck does not read; fetch the trace from Zipkin's /api/v2 instead";
const OTLP_OTHER_SIGNALS: Readonly<Record<string, string>> = {resourceLogs: 'logs', resourceMetrics: 'metrics', resourceProfiles: 'profiles'};

/** An API's error entry (`{code, msg}` from /api/traces, `{httpCode, message}` from /api/v3) as text. */
function apiErrorText(value: unknown): string {
	const record = isRecord(value) ? value : {};
	const text = typeof value === 'string' ? value : (record['msg'] ?? record['message']);
	const code = record['code'] ?? record['httpCode'];
	return `${typeof text === 'string' ? text : 'no message'}${typeof code === 'number' ? ` (${code})` : ''}`;
}

function classifyArray(value: unknown[]): JsonDocument {
	const first = value[0];
	// Zipkin's /api/v2/traces answers a list of traces, each a list of spans.
	if (Array.isArray(first)) {
		const spans = value.flatMap((trace, t) => (Array.isArray(trace) ? trace : [trace]).map((span, s) => ({value: span, where: Array.isArray(trace) ? `${t}.${s}` : `${t}`})));
		if (spans.length === 0) {
			return {format: 'none'};
		}

		return isZipkinSpan(spans[0]!.value) ? {format: 'zipkin', spans} : {format: 'refused', message: 'an array of arrays that are not Zipkin v2 traces'};
	}

	if (!isRecord(first)) {
		return {format: 'none'};
	}

	if (isTraceEvent(first)) {
		return {format: 'trace-events', events: value, single: false};
	}

	if (isZipkinV1(first)) {
		return {format: 'refused', message: ZIPKIN_V1};
	}

	if (isZipkinSpan(first)) {
		return {format: 'zipkin', spans: value.map((span, i) => ({value: span, where: String(i)}))};
	}

	if (isJaegerTrace(first)) {
		return {format: 'jaeger', traces: value, path: '', errors: []};
	}

	if ('resourceSpans' in first) {
		return {format: 'otlp', requests: value, pathPrefix: ''};
	}

	return {format: 'none'};
}

/** Which format a parsed JSON value is in, from the fields it has. */
export function classifyJson(value: unknown): JsonDocument {
	if (Array.isArray(value)) {
		return classifyArray(value);
	}

	if (!isRecord(value)) {
		return {format: 'none'};
	}

	if ('resourceSpans' in value) {
		return {format: 'otlp', requests: [value], pathPrefix: ''};
	}

	// Before the wrappers below: a TraceEvent has a "data" of its own.
	if (isTraceEvent(value)) {
		return {format: 'trace-events', events: [value], single: true};
	}

	const other = Object.keys(OTLP_OTHER_SIGNALS).find(key => key in value);
	if (other) {
		return {format: 'otlp-other', signal: OTLP_OTHER_SIGNALS[other]!};
	}

	// Jaeger's api_v3 (/api/v3/traces): OTLP inside {"result": ...}, or {"error": ...} instead.
	const result = value['result'];
	if (isRecord(result)) {
		if ('resourceSpans' in result) {
			return {format: 'otlp', requests: [result], pathPrefix: 'result.'};
		}

		if (Array.isArray(result['spans'])) {
			return {format: 'refused', message: 'Jaeger api_v2 JSON, which tracedeck does not read; fetch the trace from /api/v3/traces/<id> or with Jaeger UI\'s "Trace JSON"'};
		}
	}

	if (isRecord(value['error'])) {
		return {format: 'refused', message: `the Jaeger API answered with an error: ${apiErrorText(value['error'])}`};
	}

	// The Jaeger query API (/api/traces) and Jaeger UI's downloads: {"data": [trace...], "errors": [...]}.
	if ('data' in value && (Array.isArray(value['data']) || value['data'] === null)) {
		const traces = (value['data'] ?? []) as unknown[];
		const errors = Array.isArray(value['errors']) ? value['errors'].map(error => apiErrorText(error)) : [];
		if (traces.length === 0 && errors.length > 0) {
			return {format: 'refused', message: `the Jaeger API answered with an error: ${errors.join('; ')}`};
		}

		return traces.length === 0 || isJaegerTrace(traces[0]) ? {format: 'jaeger', traces, path: 'data', errors} : {format: 'none'};
	}

	if (isJaegerTrace(value)) {
		return {format: 'jaeger', traces: [value], path: '', errors: []};
	}

	if (isZipkinV1(value)) {
		return {format: 'refused', message: ZIPKIN_V1};
	}

	if (isZipkinSpan(value)) {
		return {format: 'zipkin', spans: [{value, where: ''}]};
	}

	return {format: 'none'};
}
