import protobuf from 'protobufjs';
import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';
import type {OtlpScopeJson} from './otlp-json.js';
import {protobufStringsProblem} from './protobuf-utf8.js';
import {anyValueJson, anyValuePb, COMMON_PROTO, hex, keyValuesJson, keyValuesPb, OtlpProtobufError, RESOURCE_PROTO, type PbAnyValue, type PbKeyValue} from './otlp-protobuf.js';

/*
 * The OTLP logs protocol, transcribed from opentelemetry-proto
 * (logs/v1/logs.proto, collector/logs/v1/logs_service.proto) over the
 * common and resource messages the trace protocol already defines. As
 * there, protobuf skips fields it does not know, so a newer sender decodes.
 */
const LOGS_PROTO = `
syntax = "proto3";
package opentelemetry.proto.logs.v1;
message ResourceLogs {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
// severity_number is the SeverityNumber enum, read as its number (an enum is an int32 on the wire).
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  opentelemetry.proto.common.v1.AnyValue body = 5;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
`;

const LOGS_SERVICE_PROTO = `
syntax = "proto3";
package opentelemetry.proto.collector.logs.v1;
message ExportLogsServiceRequest {
  repeated opentelemetry.proto.logs.v1.ResourceLogs resource_logs = 1;
}
message ExportLogsServiceResponse {
  ExportLogsPartialSuccess partial_success = 1;
}
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}
`;

const root = new protobuf.Root();
for (const source of [COMMON_PROTO, RESOURCE_PROTO, LOGS_PROTO, LOGS_SERVICE_PROTO]) {
	protobuf.parse(source, root);
}

root.resolveAll();
const requestType = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

/** An OTLP/JSON LogRecord. Times are unix nanoseconds as decimal strings; ids hex. */
export interface OtlpLogRecordJson {
	timeUnixNano?: string;
	observedTimeUnixNano?: string;
	/** SeverityNumber: the enum's number, or (OTLP/JSON from some encoders) its name. */
	severityNumber?: number | string;
	severityText?: string;
	body?: OtlpAnyValue;
	attributes?: OtlpKeyValue[];
	droppedAttributesCount?: number;
	flags?: number;
	traceId?: string;
	spanId?: string;
	eventName?: string;
}

export interface OtlpScopeLogsJson {
	scope?: OtlpScopeJson;
	logRecords?: OtlpLogRecordJson[];
	schemaUrl?: string;
}

export interface OtlpResourceLogsJson {
	resource?: {attributes?: OtlpKeyValue[]};
	scopeLogs?: OtlpScopeLogsJson[];
	schemaUrl?: string;
}

/** An ExportLogsServiceRequest in OTLP/JSON. */
export interface OtlpLogsJson {
	resourceLogs: OtlpResourceLogsJson[];
}

export interface LogsPartialSuccess {
	rejectedLogRecords: number;
	errorMessage: string;
}

interface PbLogRecord {
	timeUnixNano?: string;
	observedTimeUnixNano?: string;
	severityNumber?: number;
	severityText?: string;
	body?: PbAnyValue;
	attributes?: PbKeyValue[];
	droppedAttributesCount?: number;
	flags?: number;
	traceId?: Uint8Array;
	spanId?: Uint8Array;
	eventName?: string;
}

interface PbRequest {
	resourceLogs?: Array<{
		resource?: {attributes?: PbKeyValue[]};
		scopeLogs?: Array<{scope?: {name?: string; version?: string; attributes?: PbKeyValue[]}; logRecords?: PbLogRecord[]}>;
	}>;
}

function logRecordJson(record: PbLogRecord): OtlpLogRecordJson {
	const out: OtlpLogRecordJson = {attributes: keyValuesJson(record.attributes)};
	// Zero is proto3's "not set" for every field below.
	if (record.timeUnixNano !== undefined && record.timeUnixNano !== '0') {
		out.timeUnixNano = record.timeUnixNano;
	}

	if (record.observedTimeUnixNano !== undefined && record.observedTimeUnixNano !== '0') {
		out.observedTimeUnixNano = record.observedTimeUnixNano;
	}

	if (record.severityNumber) {
		out.severityNumber = record.severityNumber;
	}

	if (record.severityText) {
		out.severityText = record.severityText;
	}

	if (record.body !== undefined) {
		out.body = anyValueJson(record.body);
	}

	if (record.flags) {
		out.flags = record.flags;
	}

	// An absent id stays absent: a record need not belong to a trace.
	const traceId = hex(record.traceId);
	if (traceId !== '') {
		out.traceId = traceId;
	}

	const spanId = hex(record.spanId);
	if (spanId !== '') {
		out.spanId = spanId;
	}

	if (record.eventName) {
		out.eventName = record.eventName;
	}

	return out;
}

/**
 * Decode a protobuf ExportLogsServiceRequest into the OTLP/JSON shape (hex
 * ids, nanosecond strings), so one converter serves both encodings.
 * @throws OtlpProtobufError when the body is not one.
 */
export function decodeExportLogsRequest(body: Uint8Array): OtlpLogsJson {
	let decoded: PbRequest;
	try {
		decoded = requestType.toObject(requestType.decode(body), {longs: String, enums: Number, arrays: true}) as PbRequest;
	} catch (error) {
		throw new OtlpProtobufError(`not an OTLP ExportLogsServiceRequest (${(error as Error).message})`);
	}

	const badText = protobufStringsProblem(requestType, body);
	if (badText !== undefined) {
		throw new OtlpProtobufError(badText);
	}

	return {
		resourceLogs: (decoded.resourceLogs ?? []).map(rl => ({
			resource: {attributes: keyValuesJson(rl.resource?.attributes)},
			scopeLogs: (rl.scopeLogs ?? []).map(sl => ({
				...(sl.scope ? {scope: {...(sl.scope.name ? {name: sl.scope.name} : {}), ...(sl.scope.version ? {version: sl.scope.version} : {})}} : {}),
				logRecords: (sl.logRecords ?? []).map(record => logRecordJson(record)),
			})),
		})),
	};
}

/** An ExportLogsServiceResponse; an empty message when every record was taken. */
export function encodeExportLogsResponse(partial?: LogsPartialSuccess): Uint8Array {
	const value = partial && partial.rejectedLogRecords > 0 ? {partialSuccess: {rejectedLogRecords: partial.rejectedLogRecords, errorMessage: partial.errorMessage}} : {};
	return responseType.encode(responseType.fromObject(value)).finish();
}

/** The OTLP/JSON answer: int64 as a decimal string, nothing when every record was taken. */
export function exportLogsResponseJson(partial?: LogsPartialSuccess): Record<string, unknown> {
	return partial && partial.rejectedLogRecords > 0 ? {partialSuccess: {rejectedLogRecords: String(partial.rejectedLogRecords), errorMessage: partial.errorMessage}} : {};
}

/** For tests and tools: read an ExportLogsServiceResponse. */
export function decodeExportLogsResponse(body: Uint8Array): {partialSuccess?: LogsPartialSuccess} {
	const object = responseType.toObject(responseType.decode(body), {longs: Number}) as {partialSuccess?: {rejectedLogRecords?: number; errorMessage?: string}};
	return object.partialSuccess ? {partialSuccess: {rejectedLogRecords: object.partialSuccess.rejectedLogRecords ?? 0, errorMessage: object.partialSuccess.errorMessage ?? ''}} : {};
}

/** For tests and tools: the reverse of decodeExportLogsRequest (hex ids back to bytes). */
export function encodeExportLogsRequest(document: OtlpLogsJson): Uint8Array {
	const bytes = (text: string | undefined): Uint8Array => Buffer.from(text ?? '', 'hex');
	const object = {
		resourceLogs: document.resourceLogs.map(rl => ({
			resource: {attributes: keyValuesPb(rl.resource?.attributes)},
			scopeLogs: (rl.scopeLogs ?? []).map(sl => ({
				...(sl.scope ? {scope: {name: sl.scope.name ?? '', version: sl.scope.version ?? ''}} : {}),
				logRecords: (sl.logRecords ?? []).map(record => ({
					timeUnixNano: record.timeUnixNano ?? '0',
					observedTimeUnixNano: record.observedTimeUnixNano ?? '0',
					severityNumber: typeof record.severityNumber === 'number' ? record.severityNumber : 0,
					severityText: record.severityText ?? '',
					...(record.body === undefined ? {} : {body: anyValuePb(record.body)}),
					attributes: keyValuesPb(record.attributes),
					flags: record.flags ?? 0,
					traceId: bytes(record.traceId),
					spanId: bytes(record.spanId),
					eventName: record.eventName ?? '',
				})),
			})),
		})),
	};
	return requestType.encode(requestType.fromObject(object)).finish();
}
