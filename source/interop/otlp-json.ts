import type {OtlpKeyValue} from './otlp-attributes.js';

/**
 * The OTLP/JSON trace shapes tracedeck writes (export) and builds from
 * protobuf (the receiver), so that otlpToEvents reads both alike. Ids are
 * strings (hex from the wire, as-is from our own runs); times are unix
 * nanoseconds as decimal strings, as OTLP/JSON encodes 64-bit integers.
 */
export interface OtlpSpanEventJson {
	timeUnixNano: string;
	name: string;
	attributes?: OtlpKeyValue[];
}

export interface OtlpStatusJson {
	/** 0 unset, 1 ok, 2 error. */
	code?: number;
	message?: string;
}

export interface OtlpSpanJson {
	traceId: string;
	spanId: string;
	parentSpanId?: string;
	traceState?: string;
	flags?: number;
	name: string;
	kind?: number;
	startTimeUnixNano: string;
	endTimeUnixNano?: string;
	attributes?: OtlpKeyValue[];
	droppedAttributesCount?: number;
	events?: OtlpSpanEventJson[];
	droppedEventsCount?: number;
	links?: OtlpLinkJson[];
	status?: OtlpStatusJson;
}

export interface OtlpLinkJson {
	traceId: string;
	spanId: string;
	attributes?: OtlpKeyValue[];
}

export interface OtlpScopeJson {
	name?: string;
	version?: string;
	attributes?: OtlpKeyValue[];
}

export interface OtlpScopeSpansJson {
	scope?: OtlpScopeJson;
	spans?: OtlpSpanJson[];
	schemaUrl?: string;
}

export interface OtlpResourceSpansJson {
	resource?: {attributes?: OtlpKeyValue[]};
	scopeSpans?: OtlpScopeSpansJson[];
	schemaUrl?: string;
}

/** An ExportTraceServiceRequest (or an OTLP JSON file: the same shape). */
export interface OtlpTracesJson {
	resourceSpans: OtlpResourceSpansJson[];
}

export const SPAN_KIND_INTERNAL = 1;
export const STATUS_CODE_OK = 1;
export const STATUS_CODE_ERROR = 2;
