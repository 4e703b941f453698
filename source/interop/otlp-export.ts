import {nanosFromIso} from '../core/iso-time.js';
import {GIT_ATTRIBUTES, RUN_ATTRIBUTES} from '../core/run-fields.js';
import type {Run} from '../core/run.js';
import type {Span, SpanEvent} from '../core/span.js';
import type {SpanKind, SpanLink, StatusCode} from '../core/trace-event.js';
import {MAX_JSON_DEPTH} from './json-depth.js';
import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';
import {SPAN_KIND_INTERNAL, STATUS_CODE_ERROR, STATUS_CODE_OK, type OtlpResourceSpansJson, type OtlpScopeJson, type OtlpSpanEventJson, type OtlpSpanJson, type OtlpSpanLinkJson, type OtlpStatusJson, type OtlpTracesJson} from './otlp-json.js';
import {INTERNAL} from './internal-attributes.js';
import {ResourceGroups, scopeOf} from './resource-groups.js';

/** A run and its spans as the run index holds them. */
export interface RunWithSpans {
	run: Run;
	spans: readonly Span[];
}

/**
 * Attribute values nested deeper than this travel as JSON text, so that the
 * document stays within what ingest accepts (MAX_JSON_DEPTH): an event
 * attribute's AnyValue sits 12 levels down, and each level of nesting in the
 * value costs 4 more (AnyValue, kvlistValue, values, KeyValue). Input and
 * output are JSON text anyway and keep any depth.
 */
export const MAX_VALUE_DEPTH = Math.floor((MAX_JSON_DEPTH - 12) / 4);

/** Fractional milliseconds keep their microseconds (a double holds no more at epoch scale). */
export function msToUnixNanos(ms: number): string {
	const whole = Math.floor(ms);
	return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1000)) * 1000n).toString();
}

/**
 * Plain JSON as an OTLP AnyValue, lossless for what ingest reads back: null
 * is the empty AnyValue (not ""), integers travel as int64 strings only while
 * they are exact, and every other number as a double.
 */
export function exportValue(value: unknown, depth = 0): OtlpAnyValue {
	if (value === null || value === undefined) {
		return {};
	}

	if (typeof value === 'string') {
		return {stringValue: value};
	}

	if (typeof value === 'boolean') {
		return {boolValue: value};
	}

	if (typeof value === 'number') {
		return Number.isSafeInteger(value) ? {intValue: String(value)} : {doubleValue: value};
	}

	if (depth >= MAX_VALUE_DEPTH) {
		return {stringValue: JSON.stringify(value) ?? ''};
	}

	if (Array.isArray(value)) {
		return {arrayValue: {values: value.map(item => exportValue(item, depth + 1))}};
	}

	if (typeof value === 'object') {
		return {kvlistValue: {values: exportKeyValues(value as Record<string, unknown>, depth + 1)}};
	}

	return {stringValue: String(value)};
}

export function exportKeyValues(record: Record<string, unknown>, depth = 0): OtlpKeyValue[] {
	return Object.entries(record)
		.filter(([, value]) => value !== undefined)
		.map(([key, value]) => ({key, value: exportValue(value, depth)}));
}

/** The exact unix nanoseconds of a time the span kept as text, else of its (microsecond) milliseconds. */
function nanosOf(iso: string | undefined, ms: number): string {
	return iso === undefined ? msToUnixNanos(ms) : nanosFromIso(iso).toString();
}

const SPAN_KIND_CODES: Record<SpanKind, number> = {internal: SPAN_KIND_INTERNAL, server: 2, client: 3, producer: 4, consumer: 5};

function eventsToOtlp(events: readonly SpanEvent[]): OtlpSpanEventJson[] {
	return events.map(event => ({timeUnixNano: nanosOf(event.time_iso, event.time_ms), name: event.name, attributes: exportKeyValues(event.attributes)}));
}

function linksToOtlp(links: readonly SpanLink[]): OtlpSpanLinkJson[] {
	return links.map(link => ({traceId: link.trace_id, spanId: link.span_id, attributes: exportKeyValues(link.attributes)}));
}

/** The fields every span has, as they are. */
function commonFields(span: Span): OtlpSpanJson {
	const out: OtlpSpanJson = {traceId: span.trace_id, spanId: span.span_id, name: span.name, startTimeUnixNano: nanosOf(span.start_iso, span.start_ms)};
	if (span.parent_span_id !== null) {
		// As declared, also when that span never arrived.
		out.parentSpanId = span.parent_span_id;
	}

	if (span.end_ms !== null) {
		out.endTimeUnixNano = nanosOf(span.end_iso, span.end_ms);
	}

	return out;
}

/**
 * A span that came as OTLP (it has a status code), given back as it came:
 * attributes, kind, events, links and status as received, nothing added.
 * What tracedeck read out of it (its kind of step, retries, stderr, the
 * error) is read again the same way by ingest.
 */
function receivedSpanToOtlp(span: Span & {status_code: StatusCode}): OtlpSpanJson {
	const out = commonFields(span);
	if (span.span_kind !== null) {
		out.kind = SPAN_KIND_CODES[span.span_kind];
	}

	out.attributes = exportKeyValues(span.attributes);
	out.events = eventsToOtlp(span.events);
	if (span.links.length > 0) {
		out.links = linksToOtlp(span.links);
	}

	const status: OtlpStatusJson = {};
	if (span.status_code !== 'unset') {
		status.code = span.status_code === 'ok' ? STATUS_CODE_OK : STATUS_CODE_ERROR;
	}

	if (span.status_message !== null) {
		status.message = span.status_message;
	}

	if (Object.keys(status).length > 0) {
		out.status = status;
	}

	return out;
}

/** The OpenTelemetry facts a TraceEvent producer's span really had: the OTLP fields may carry defaults instead. */
function factsOf(span: Span): Record<string, unknown> | undefined {
	const facts: Record<string, unknown> = {
		span_kind: span.span_kind ?? undefined,
		service: span.service ?? undefined,
		resource: span.resource ?? undefined,
		scope: span.scope ?? undefined,
		status_message: span.status_message ?? undefined,
		// Linked workflows: OTLP has no field for them, so they travel here for a re-ingest to restore.
		parent_trace_id: span.parent_trace_id ?? undefined,
		correlation_id: span.correlation_id ?? undefined,
	};
	return Object.values(facts).some(value => value !== undefined) ? facts : undefined;
}

/**
 * The attributes that let ingest (otlpToEvents) rebuild the span exactly:
 * its kind, last event type, input and output (as JSON text), tags, its
 * OpenTelemetry facts and how many of its events are its own.
 * Set after the span's own attributes, so a producer's look-alike key cannot
 * shadow them.
 */
function spanAttributes(span: Span): OtlpKeyValue[] {
	const record: Record<string, unknown> = {...span.attributes};
	record[INTERNAL.kind] = span.kind;
	if (span.last_event_type !== '') {
		record[INTERNAL.endEventType] = span.last_event_type;
	}

	if (span.input !== undefined) {
		record[INTERNAL.input] = JSON.stringify(span.input);
	}

	if (span.output !== undefined) {
		record[INTERNAL.output] = JSON.stringify(span.output);
	}

	if (span.tags.length > 0) {
		record[INTERNAL.tags] = span.tags;
	}

	const facts = factsOf(span);
	if (facts !== undefined) {
		record[INTERNAL.facts] = JSON.stringify(facts);
	}

	if (span.events.length > 0) {
		record[INTERNAL.spanEvents] = span.events.length;
	}

	return exportKeyValues(record);
}

/** The span's own events, then retries, stderr and the error as the events OTLP backends show. */
function producedEvents(span: Span): OtlpSpanEventJson[] {
	const events = eventsToOtlp(span.events);
	events.push(
		...span.retries.map(retry => ({
			timeUnixNano: msToUnixNanos(retry.at_ms),
			name: 'retry',
			attributes: exportKeyValues({n: retry.n, exit_code: retry.exit_code}),
		})),
	);
	// Per-line times are not kept on the span; the tail is stamped inside the span's window so it moves nothing.
	const at = span.end_ms === null ? nanosOf(span.start_iso, span.start_ms) : nanosOf(span.end_iso, span.end_ms);
	if (span.stderr.length > 0) {
		events.push({timeUnixNano: at, name: 'stderr_tail', attributes: exportKeyValues({lines: span.stderr})});
	}

	if (span.error) {
		events.push({
			timeUnixNano: at,
			name: 'exception',
			attributes: exportKeyValues({'exception.message': span.error.message, 'exception.stacktrace': span.error.stack}),
		});
	}

	return events;
}

/**
 * A span of a TraceEvent producer (no OTLP origin). OTLP asks for fields such
 * a producer may not have given, so these get defaults for backends to show:
 * kind INTERNAL (what an OpenTelemetry SDK gives a span that says nothing),
 * status OK for a success and the error's message as a failure's status
 * message. What the span really had travels in INTERNAL.facts, which ingest
 * reads instead of the defaults.
 */
function producedSpanToOtlp(span: Span): OtlpSpanJson {
	const out = commonFields(span);
	out.kind = span.span_kind === null ? SPAN_KIND_INTERNAL : SPAN_KIND_CODES[span.span_kind];
	out.attributes = spanAttributes(span);
	out.events = producedEvents(span);
	if (span.links.length > 0) {
		out.links = linksToOtlp(span.links);
	}

	const message = span.status_message ?? (span.status === 'failed' ? span.error?.message : undefined);
	if (span.status === 'failed') {
		out.status = {code: STATUS_CODE_ERROR, ...(message === undefined ? {} : {message})};
	} else if (span.status === 'success') {
		out.status = {code: STATUS_CODE_OK, ...(message === undefined ? {} : {message})};
	} else if (message !== undefined) {
		out.status = {message};
	}

	return out;
}

function isReceived(span: Span): span is Span & {status_code: StatusCode} {
	return span.status_code !== undefined;
}

/** One span as OTLP/JSON. Ids stay as given: tracedeck ids need not be hex (OTLP ones are lower-case hex already). */
export function spanToOtlp(span: Span): OtlpSpanJson {
	return isReceived(span) ? receivedSpanToOtlp(span) : producedSpanToOtlp(span);
}

/**
 * The resource of a TraceEvent producer's span: its own attributes, if it
 * gave any, with the run's fields for OTLP backends (Jaeger, Tempo) to search
 * by, and a service.name, which OTLP backends expect: the span's service, else
 * the run's target, else "tracedeck" (a default: ingest does not take it for the span's).
 */
function producedResource(run: Run, span: Span): Record<string, unknown> {
	const names = RUN_ATTRIBUTES;
	return {
		...span.resource,
		'service.name': span.service ?? span.resource?.['service.name'] ?? run.target ?? 'tracedeck',
		[names.run_id[0]]: run.run_id,
		[names.env[0]]: run.env ?? undefined,
		[names.target[0]]: run.target ?? undefined,
		[names.plan_hash[0]]: run.plan_hash ?? undefined,
		[names.user[0]]: run.user ?? undefined,
		[names.runner[0]]: run.runner ?? undefined,
		[GIT_ATTRIBUTES.sha[0]]: run.git?.sha,
		[GIT_ATTRIBUTES.branch[0]]: run.git?.branch,
	};
}

/** A default scope for TraceEvent producers' spans: tracedeck is what turned them into OTLP. */
const PRODUCED_SCOPE: OtlpScopeJson = {name: 'tracedeck'};

/**
 * A run's spans grouped as OTLP nests them: one ResourceSpans per resource,
 * one ScopeSpans per scope in it. Spans that came as OTLP keep the resource
 * and scope they came with.
 */
export function runToResourceSpans({run, spans}: RunWithSpans): OtlpResourceSpansJson[] {
	const groups = new ResourceGroups();
	for (const span of spans) {
		const received = isReceived(span);
		const resource = received ? (span.resource ?? {}) : producedResource(run, span);
		const scope = received ? scopeOf(span.scope?.name, span.scope?.version) : (span.scope ?? PRODUCED_SCOPE);
		groups.add(JSON.stringify(resource), () => exportKeyValues(resource), scope, spanToOtlp(span));
	}

	return groups.document().resourceSpans;
}

/**
 * Runs as one OTLP/JSON document. `tracedeck ingest` reads it back into the
 * same spans.
 */
export function runsToOtlp(runs: Iterable<RunWithSpans>): OtlpTracesJson {
	const resourceSpans: OtlpResourceSpansJson[] = [];
	for (const item of runs) {
		resourceSpans.push(...runToResourceSpans(item));
	}

	return {resourceSpans};
}
