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

/* The shapes `toObject` gives with the options below: camelCase names, 64-bit integers as strings, bytes as Uint8Array. */
export interface PbAnyValue {
	stringValue?: string;
	boolValue?: boolean;
	intValue?: string;
	doubleValue?: number;
	arrayValue?: {values?: PbAnyValue[]};
	kvlistValue?: {values?: PbKeyValue[]};
	bytesValue?: Uint8Array;
}

export interface PbKeyValue {
	key?: string;
	value?: PbAnyValue;
}

interface PbEvent {
	timeUnixNano?: string;
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
	startTimeUnixNano?: string;
	endTimeUnixNano?: string;
	attributes?: PbKeyValue[];
	droppedAttributesCount?: number;
	events?: PbEvent[];
	droppedEventsCount?: number;
	links?: PbLink[];
	status?: {message?: string; code?: number};
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

/** Protobuf id bytes as OTLP/JSON's hex; absent is "". */
export function hex(bytes: Uint8Array | undefined): string {
	return bytes === undefined ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/* AnyValue nesting is bounded by protobufjs's decode recursion limit, so plain recursion is safe here. */
export function anyValueJson(value: PbAnyValue | undefined): OtlpAnyValue {
	if (!value) {
		return {};
	}

	if (value.stringValue !== undefined) {
		return {stringValue: value.stringValue};
	}

	if (value.boolValue !== undefined) {
		return {boolValue: value.boolValue};
	}

	if (value.intValue !== undefined) {
		return {intValue: value.intValue};
	}

	if (value.doubleValue !== undefined) {
		return {doubleValue: value.doubleValue};
	}

	if (value.arrayValue !== undefined) {
		return {arrayValue: {values: (value.arrayValue.values ?? []).map(item => anyValueJson(item))}};
	}

	if (value.kvlistValue !== undefined) {
		return {kvlistValue: {values: keyValuesJson(value.kvlistValue.values)}};
	}

	if (value.bytesValue !== undefined) {
		// OTLP/JSON carries bytes as base64.
		return {bytesValue: Buffer.from(value.bytesValue).toString('base64')};
	}

	return {};
}

/** Decoded KeyValues (toObject's shape) in the OTLP/JSON shape. */
export function keyValuesJson(list: PbKeyValue[] | undefined): OtlpKeyValue[] {
	return (list ?? []).map(kv => ({key: kv.key ?? '', value: anyValueJson(kv.value)}));
}

function eventJson(event: PbEvent): OtlpSpanEventJson {
	return {timeUnixNano: event.timeUnixNano ?? '0', name: event.name ?? '', attributes: keyValuesJson(event.attributes)};
}

function spanJson(span: PbSpan): OtlpSpanJson {
	const out: OtlpSpanJson = {
		// An absent id stays empty, and otlpToEvents rejects that span alone.
		traceId: hex(span.traceId),
		spanId: hex(span.spanId),
		name: span.name ?? '',
		kind: span.kind ?? 0,
		startTimeUnixNano: span.startTimeUnixNano ?? '0',
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
	if (span.endTimeUnixNano !== undefined && span.endTimeUnixNano !== '0') {
		out.endTimeUnixNano = span.endTimeUnixNano;
	}

	if (span.status) {
		out.status = {code: span.status.code ?? 0, ...(span.status.message ? {message: span.status.message} : {})};
	}

	if (span.traceState) {
		out.traceState = span.traceState;
	}

	if (span.flags !== undefined) {
		out.flags = span.flags;
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
				ssJson.spans!.push(spanJson(spanType.toObject(spanType.decode(spanBytes), TO_OBJECT) as PbSpan));
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
