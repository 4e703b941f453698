import type * as Protobuf from 'protobufjs';
import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';
import {protobufStringsProblem} from './protobuf-utf8.js';
import {protobufjs} from './protobufjs.js';
import type {OtlpResourceSpansJson, OtlpScopeSpansJson, OtlpSpanEventJson, OtlpSpanJson, OtlpTracesJson} from './otlp-json.js';

/*
 * The OTLP trace protocol, transcribed from opentelemetry-proto
 * (common/v1/common.proto, resource/v1/resource.proto, trace/v1/trace.proto,
 * collector/trace/v1/trace_service.proto; error bodies are in
 * google-rpc-status.ts). Defined in code so the receiver needs no .proto
 * files at run time; fields tracedeck does not read (links, entity refs) are
 * left out, and protobuf skips unknown fields, so a newer sender still decodes.
 */
/** common/v1/common.proto: also the base of the logs messages (otlp-logs-protobuf.ts). */
export const COMMON_PROTO = `
syntax = "proto3";

package opentelemetry.proto.common.v1;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
`;

export const RESOURCE_PROTO = `
syntax = "proto3";
package opentelemetry.proto.resource.v1;
message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
`;

const TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto.trace.v1;
message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  string message = 2;
  int32 code = 3;
}
`;

const SERVICE_PROTO = `
syntax = "proto3";
package opentelemetry.proto.collector.trace.v1;
message ExportTraceServiceRequest {
  repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1;
}
message ExportTraceServiceResponse {
  ExportTracePartialSuccess partial_success = 1;
}
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
`;

interface TraceTypes {
	request: Protobuf.Type;
	response: Protobuf.Type;
	resourceSpans: Protobuf.Type;
	scopeSpans: Protobuf.Type;
	span: Protobuf.Type;
}

let traceTypes: TraceTypes | undefined;

/** The trace protocol's message types, parsed on the first encode or decode (see protobufjs.ts: most ingests never need them). */
function types(): TraceTypes {
	if (traceTypes === undefined) {
		const protobuf = protobufjs();
		const root = new protobuf.Root();
		for (const source of [COMMON_PROTO, RESOURCE_PROTO, TRACE_PROTO, SERVICE_PROTO]) {
			protobuf.parse(source, root);
		}

		root.resolveAll();
		traceTypes = {
			request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
			response: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
			resourceSpans: root.lookupType('opentelemetry.proto.trace.v1.ResourceSpans'),
			scopeSpans: root.lookupType('opentelemetry.proto.trace.v1.ScopeSpans'),
			span: root.lookupType('opentelemetry.proto.trace.v1.Span'),
		};
	}

	return traceTypes;
}

/**
 * A 64-bit integer as the decoder hands it over: a decimal string from
 * `toObject({longs: String})`, a Long from a decoded message (protobufjs
 * with the long package, as here), a number from a message made without it.
 */
export type PbInt64 = string | number | PbLong;

interface PbLong {
	low: number;
	high: number;
	unsigned: boolean;
}

/*
 * The shapes read below: `toObject`'s with the options below (camelCase
 * names, 64-bit integers as strings, bytes as Uint8Array, only the fields
 * on the wire), or, for spans, the decoded message itself, which is the
 * same but for its 64-bit integers (Longs) and its absent fields, which it
 * has as its prototype's defaults: so presence is asked with Object.hasOwn
 * (what toObject itself asks), and what is absent reads as its default.
 */
export interface PbAnyValue {
	stringValue?: string;
	boolValue?: boolean;
	intValue?: PbInt64;
	doubleValue?: number;
	arrayValue?: {values?: PbAnyValue[]} | null;
	kvlistValue?: {values?: PbKeyValue[]} | null;
	bytesValue?: Uint8Array;
}

export interface PbKeyValue {
	key?: string;
	value?: PbAnyValue | null;
}

interface PbEvent {
	timeUnixNano?: PbInt64;
	name?: string;
	attributes?: PbKeyValue[];
}

interface PbLink {
	traceId?: Uint8Array;
	spanId?: Uint8Array;
	attributes?: PbKeyValue[];
}

interface PbSpan {
	traceId?: Uint8Array;
	spanId?: Uint8Array;
	traceState?: string;
	parentSpanId?: Uint8Array;
	flags?: number;
	name?: string;
	kind?: number;
	startTimeUnixNano?: PbInt64;
	endTimeUnixNano?: PbInt64;
	attributes?: PbKeyValue[];
	droppedAttributesCount?: number;
	events?: PbEvent[];
	droppedEventsCount?: number;
	links?: PbLink[];
	status?: {message?: string; code?: number} | null;
}

/** 2^32 = 4294 × 10^6 + 967296: how int64Text splits a 64-bit integer into parts a double holds exactly. */
const TWO_32_MILLIONS = 4294;
const TWO_32_REST = 967_296;

/**
 * A 64-bit integer's decimal text, exact. A Long's own toString divides
 * Longs by Longs (an object per step): with a time or two on every span and
 * event, it was 7% of what serve's store path allocated. hi·2^32 + lo is
 * (hi·4294 + ⌊t/10^6⌋)·10^6 + t mod 10^6 with t = hi·967296 + lo < 2^53,
 * every step exact in a double. Negative ones (int64 attributes only) go
 * through Long's own.
 */
export function int64Text(value: PbInt64 | undefined): string {
	if (value === undefined) {
		return '0';
	}

	if (typeof value === 'string') {
		return value;
	}

	if (typeof value === 'number') {
		return String(value);
	}

	if (!value.unsigned && value.high < 0) {
		return String(value);
	}

	const hi = value.high >>> 0;
	const t = hi * TWO_32_REST + (value.low >>> 0);
	const below = t % 1_000_000;
	const millions = hi * TWO_32_MILLIONS + (t - below) / 1_000_000;
	return millions === 0 ? String(below) : `${millions}${String(below).padStart(6, '0')}`;
}

interface PbScopeSpans {
	scope?: {name?: string; version?: string; attributes?: PbKeyValue[]};
	spans?: PbSpan[];
	schemaUrl?: string;
}

interface PbResourceSpans {
	resource?: {attributes?: PbKeyValue[]};
	scopeSpans?: PbScopeSpans[];
	schemaUrl?: string;
}

/** A body that is not an ExportTraceServiceRequest. */
export class OtlpProtobufError extends Error {}

/** Protobuf id bytes as OTLP/JSON's hex; absent is "" (a decoded message's default for bytes is an empty plain array). */
export function hex(bytes: Uint8Array | undefined): string {
	return bytes === undefined || bytes.length === 0 ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const has = (value: object, key: string): boolean => Object.hasOwn(value, key);

/* AnyValue nesting is bounded by protobufjs's decode recursion limit, so plain recursion is safe here. */
export function anyValueJson(value: PbAnyValue | null | undefined): OtlpAnyValue {
	if (!value) {
		return {};
	}

	if (has(value, 'stringValue')) {
		return {stringValue: value.stringValue!};
	}

	if (has(value, 'boolValue')) {
		return {boolValue: value.boolValue!};
	}

	if (has(value, 'intValue')) {
		return {intValue: int64Text(value.intValue)};
	}

	if (has(value, 'doubleValue')) {
		return {doubleValue: value.doubleValue!};
	}

	if (has(value, 'arrayValue') && value.arrayValue) {
		return {arrayValue: {values: (value.arrayValue.values ?? []).map(item => anyValueJson(item))}};
	}

	if (has(value, 'kvlistValue') && value.kvlistValue) {
		return {kvlistValue: {values: keyValuesJson(value.kvlistValue.values)}};
	}

	if (has(value, 'bytesValue')) {
		// OTLP/JSON carries bytes as base64.
		return {bytesValue: Buffer.from(value.bytesValue!).toString('base64')};
	}

	return {};
}

/** Decoded KeyValues (toObject's shape, or the messages) in the OTLP/JSON shape. */
export function keyValuesJson(list: PbKeyValue[] | undefined): OtlpKeyValue[] {
	return (list ?? []).map(kv => ({key: kv.key ?? '', value: anyValueJson(kv.value)}));
}

function eventJson(event: PbEvent): OtlpSpanEventJson {
	return {timeUnixNano: int64Text(event.timeUnixNano), name: event.name ?? '', attributes: keyValuesJson(event.attributes)};
}

/** A decoded Span message in the OTLP/JSON shape, as spanJson(toObject(message)) would give it, without toObject's copy. */
function spanJson(span: PbSpan): OtlpSpanJson {
	const out: OtlpSpanJson = {
		// An absent id stays empty, and otlpToEvents rejects that span alone.
		traceId: hex(span.traceId),
		spanId: hex(span.spanId),
		name: span.name ?? '',
		kind: span.kind ?? 0,
		startTimeUnixNano: int64Text(span.startTimeUnixNano),
		attributes: keyValuesJson(span.attributes),
		events: (span.events ?? []).map(event => eventJson(event)),
	};
	const parent = hex(span.parentSpanId);
	if (parent !== '') {
		out.parentSpanId = parent;
	}

	if (span.links !== undefined && span.links.length > 0) {
		out.links = span.links.map(link => ({traceId: hex(link.traceId), spanId: hex(link.spanId), attributes: keyValuesJson(link.attributes)}));
	}

	// Zero is proto3's "not set": the span is still open.
	const end = int64Text(span.endTimeUnixNano);
	if (end !== '0') {
		out.endTimeUnixNano = end;
	}

	if (span.status) {
		out.status = {code: span.status.code ?? 0, ...(span.status.message ? {message: span.status.message} : {})};
	}

	if (span.traceState) {
		out.traceState = span.traceState;
	}

	if (has(span, 'flags')) {
		out.flags = span.flags!;
	}

	return out;
}

function scopeSpansJson(scopeSpans: PbScopeSpans): OtlpScopeSpansJson {
	const out: OtlpScopeSpansJson = {spans: (scopeSpans.spans ?? []).map(span => spanJson(span))};
	if (scopeSpans.scope) {
		out.scope = {
			...(scopeSpans.scope.name ? {name: scopeSpans.scope.name} : {}),
			...(scopeSpans.scope.version ? {version: scopeSpans.scope.version} : {}),
			attributes: keyValuesJson(scopeSpans.scope.attributes),
		};
	}

	return out;
}

function resourceSpansJson(resourceSpans: PbResourceSpans): OtlpResourceSpansJson {
	return {
		resource: {attributes: keyValuesJson(resourceSpans.resource?.attributes)},
		scopeSpans: (resourceSpans.scopeSpans ?? []).map(scopeSpans => scopeSpansJson(scopeSpans)),
	};
}

const TO_OBJECT = {longs: String, enums: Number, arrays: true} as const;
/** Wire type of a length-delimited field (a message, bytes, a string). */
const LENGTH_DELIMITED = 2;

/**
 * The top-level fields of one message's bytes, in order: those numbered
 * `field` as their value's bytes (without tag and length), every other field
 * whole (tag included) concatenated into `rest`, which decodes as the same
 * message without that field, merged as protobuf merges repeated fields.
 */
function splitField(bytes: Uint8Array, field: number): {values: Uint8Array[]; rest: Uint8Array} {
	const reader = protobufjs().Reader.create(bytes);
	const values: Uint8Array[] = [];
	const rest: Uint8Array[] = [];
	while (reader.pos < reader.len) {
		const start = reader.pos;
		const tag = reader.uint32();
		if (tag >>> 3 === field) {
			if ((tag & 7) !== LENGTH_DELIMITED) {
				throw new Error(`invalid wire type ${tag & 7} for field ${field}`);
			}

			const length = reader.uint32();
			const from = reader.pos;
			reader.skip(length);
			values.push(bytes.subarray(from, reader.pos));
		} else {
			reader.skipType(tag & 7);
			rest.push(bytes.subarray(start, reader.pos));
		}
	}

	return {values, rest: rest.length === 1 ? rest[0]! : Buffer.concat(rest)};
}

/**
 * Decode a request message by message rather than in one call, pausing
 * (yield) after every `sliceSpans` spans, so that a caller can let other
 * work run during a large request. Request → ResourceSpans (field 1) →
 * ScopeSpans (field 2) → Span (field 2); the rest of each level is decoded
 * as that message without its list.
 */
function* walkExportTraceRequest(body: Uint8Array, sliceSpans: number): Generator<void, OtlpTracesJson> {
	const resourceSpans: OtlpResourceSpansJson[] = [];
	const {resourceSpans: resourceSpansType, scopeSpans: scopeSpansType, span: spanType} = types();
	let sinceYield = 0;
	for (const rsBytes of splitField(body, 1).values) {
		const rs = splitField(rsBytes, 2);
		const rsObject = resourceSpansType.toObject(resourceSpansType.decode(rs.rest), TO_OBJECT) as PbResourceSpans;
		const rsJson = resourceSpansJson(rsObject);
		for (const ssBytes of rs.values) {
			const ss = splitField(ssBytes, 2);
			const ssJson = scopeSpansJson(scopeSpansType.toObject(scopeSpansType.decode(ss.rest), TO_OBJECT) as PbScopeSpans);
			for (const spanBytes of ss.values) {
				// The message itself, not toObject's copy of it (see PbAnyValue): with int64Text, 9% less for
				// serve's store path to allocate.
				ssJson.spans!.push(spanJson(spanType.decode(spanBytes) as unknown as PbSpan));
				if (++sinceYield >= sliceSpans) {
					sinceYield = 0;
					yield;
				}
			}

			rsJson.scopeSpans!.push(ssJson);
		}

		resourceSpans.push(rsJson);
	}

	return {resourceSpans};
}

function notARequest(error: unknown): OtlpProtobufError {
	return new OtlpProtobufError(`not an OTLP ExportTraceServiceRequest (${(error as Error).message})`);
}

/**
 * Decode a protobuf ExportTraceServiceRequest into the OTLP/JSON shape
 * (hex ids, nanosecond strings), so one converter serves both encodings.
 */
export function decodeExportTraceRequest(body: Uint8Array): OtlpTracesJson {
	let request: OtlpTracesJson;
	try {
		const walk = walkExportTraceRequest(body, Number.POSITIVE_INFINITY);
		for (;;) {
			const step = walk.next();
			if (step.done) {
				request = step.value;
				break;
			}
		}
	} catch (error) {
		throw notARequest(error);
	}

	refuseBadText(body);
	return request;
}

/** protobufjs decodes bytes that are not UTF-8 to U+FFFD without a word: a request holding such a string is refused whole. */
function refuseBadText(body: Uint8Array): void {
	const badText = protobufStringsProblem(types().request, body);
	if (badText !== undefined) {
		throw new OtlpProtobufError(badText);
	}
}

/**
 * decodeExportTraceRequest for a server: awaits `pause` after every
 * `sliceSpans` spans, so that a request of 100,000 spans does not hold the
 * event loop for the seconds its decoding takes.
 */
export async function decodeExportTraceRequestInSlices(body: Uint8Array, pause: () => Promise<void>, sliceSpans: number): Promise<OtlpTracesJson> {
	const walk = walkExportTraceRequest(body, sliceSpans);
	for (;;) {
		let step: IteratorResult<void, OtlpTracesJson>;
		try {
			step = walk.next();
		} catch (error) {
			throw notARequest(error);
		}

		if (step.done) {
			refuseBadText(body);
			return step.value;
		}

		await pause();
	}
}

export interface PartialSuccess {
	rejectedSpans: number;
	errorMessage: string;
}

/** An ExportTraceServiceResponse; an empty message when everything was accepted. */
export function encodeExportTraceResponse(partial?: PartialSuccess): Uint8Array {
	const value = partial && partial.rejectedSpans > 0 ? {partialSuccess: {rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage}} : {};
	const {response} = types();
	return response.encode(response.fromObject(value)).finish();
}

/** For encoders: an OTLP/JSON AnyValue as protobufjs's fromObject takes it (base64 bytes back to bytes). */
export function anyValuePb(value: OtlpAnyValue | undefined): Record<string, unknown> {
	if (!value) {
		return {};
	}

	if (value.arrayValue) {
		return {arrayValue: {values: (value.arrayValue.values ?? []).map(item => anyValuePb(item))}};
	}

	if (value.kvlistValue) {
		return {kvlistValue: {values: keyValuesPb(value.kvlistValue.values)}};
	}

	if (value.bytesValue !== undefined) {
		return {bytesValue: Buffer.from(value.bytesValue, 'base64')};
	}

	return {...value};
}

export function keyValuesPb(list: OtlpKeyValue[] | undefined): Array<Record<string, unknown>> {
	return (list ?? []).map(kv => ({key: kv.key, value: anyValuePb(kv.value)}));
}

/** For tests and tools: the reverse of decodeExportTraceRequest's framing (hex ids back to bytes). */
export function encodeExportTraceRequest(document: OtlpTracesJson): Uint8Array {
	const bytes = (text: string | undefined): Uint8Array => Buffer.from(text ?? '', 'hex');
	const keyValues = keyValuesPb;
	const object = {
		resourceSpans: document.resourceSpans.map(rs => ({
			resource: {attributes: keyValues(rs.resource?.attributes)},
			scopeSpans: (rs.scopeSpans ?? []).map(ss => ({
				...(ss.scope ? {scope: {name: ss.scope.name ?? '', version: ss.scope.version ?? ''}} : {}),
				spans: (ss.spans ?? []).map(span => ({
					traceId: bytes(span.traceId),
					spanId: bytes(span.spanId),
					parentSpanId: bytes(span.parentSpanId),
					name: span.name,
					kind: span.kind ?? 0,
					startTimeUnixNano: span.startTimeUnixNano,
					...(span.endTimeUnixNano === undefined ? {} : {endTimeUnixNano: span.endTimeUnixNano}),
					attributes: keyValues(span.attributes),
					events: (span.events ?? []).map(event => ({timeUnixNano: event.timeUnixNano, name: event.name, attributes: keyValues(event.attributes)})),
					links: (span.links ?? []).map(link => ({traceId: bytes(link.traceId), spanId: bytes(link.spanId), attributes: keyValues(link.attributes)})),
					...(span.status ? {status: {code: span.status.code ?? 0, message: span.status.message ?? ''}} : {}),
				})),
			})),
		})),
	};
	const {request} = types();
	return request.encode(request.fromObject(object)).finish();
}

/** For tests and tools: read an ExportTraceServiceResponse. */
export function decodeExportTraceResponse(body: Uint8Array): {partialSuccess?: PartialSuccess} {
	const {response} = types();
	const object = response.toObject(response.decode(body), {longs: Number}) as {partialSuccess?: {rejectedSpans?: number; errorMessage?: string}};
	return object.partialSuccess ? {partialSuccess: {rejectedSpans: object.partialSuccess.rejectedSpans ?? 0, errorMessage: object.partialSuccess.errorMessage ?? ''}} : {};
}
