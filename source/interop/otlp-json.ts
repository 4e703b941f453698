import type {OtlpKeyValue} from './otlp-attributes.js';
import {isRecord} from '../core/json-value.js';

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

export interface OtlpSpanLinkJson {
	traceId: string;
	spanId: string;
	traceState?: string;
	attributes?: OtlpKeyValue[];
	flags?: number;
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
	links?: OtlpSpanLinkJson[];
	status?: OtlpStatusJson;
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

// 16 and 8 bytes in base64: what a generic protobuf JSON encoder writes for
// the id fields, where OTLP/JSON asks for hex. Hex never has "=" in it.
const BASE64_TRACE_ID = /^[A-Za-z0-9+/]{22}==$/;
const BASE64_SPAN_ID = /^[A-Za-z0-9+/]{11}=$/;

function hexId(value: unknown, base64: RegExp): unknown {
	return typeof value === 'string' && base64.test(value) ? Buffer.from(value, 'base64').toString('hex') : value;
}

function currentLink(link: unknown): unknown {
	return isRecord(link) ? {...link, traceId: hexId(link['traceId'], BASE64_TRACE_ID), spanId: hexId(link['spanId'], BASE64_SPAN_ID)} : link;
}

function currentSpan(span: unknown): unknown {
	if (!isRecord(span)) {
		return span;
	}

	const out: Record<string, unknown> = {...span, traceId: hexId(span['traceId'], BASE64_TRACE_ID), spanId: hexId(span['spanId'], BASE64_SPAN_ID)};
	if (span['parentSpanId'] !== undefined) {
		out['parentSpanId'] = hexId(span['parentSpanId'], BASE64_SPAN_ID);
	}

	if (Array.isArray(span['links'])) {
		out['links'] = span['links'].map(link => currentLink(link));
	}

	return out;
}

function currentScopeSpans(scopeSpans: unknown): unknown {
	if (!isRecord(scopeSpans)) {
		return scopeSpans;
	}

	const {instrumentationLibrary, ...rest} = scopeSpans;
	const out: Record<string, unknown> = {...rest};
	if (out['scope'] === undefined && instrumentationLibrary !== undefined) {
		out['scope'] = instrumentationLibrary;
	}

	if (Array.isArray(out['spans'])) {
		out['spans'] = out['spans'].map(span => currentSpan(span));
	}

	return out;
}

function currentResourceSpans(resourceSpans: unknown): unknown {
	if (!isRecord(resourceSpans)) {
		return resourceSpans;
	}

	const {instrumentationLibrarySpans, ...rest} = resourceSpans;
	const out: Record<string, unknown> = {...rest};
	// OTLP 0.15 to 0.18 senders may fill both during the rename; the new field wins when it has anything.
	const current = out['scopeSpans'];
	if ((current === undefined || current === null || (Array.isArray(current) && current.length === 0)) && Array.isArray(instrumentationLibrarySpans)) {
		out['scopeSpans'] = instrumentationLibrarySpans;
	}

	if (Array.isArray(out['scopeSpans'])) {
		out['scopeSpans'] = out['scopeSpans'].map(scopeSpans => currentScopeSpans(scopeSpans));
	}

	return out;
}

/**
 * An OTLP/JSON traces document in today's field names: files from before
 * OTLP 0.15 renamed them say `instrumentationLibrarySpans` and
 * `instrumentationLibrary` (now `scopeSpans` and `scope`), and a generic
 * protobuf JSON encoder writes ids in base64. Anything else is passed on as
 * it is, for the schema to judge; the input is not changed.
 */
export function currentOtlpTraces(document: unknown): unknown {
	if (!isRecord(document) || !Array.isArray(document['resourceSpans'])) {
		return document;
	}

	return {...document, resourceSpans: document['resourceSpans'].map(resourceSpans => currentResourceSpans(resourceSpans))};
}
