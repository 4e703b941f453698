import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import {MAX_JSON_DEPTH} from './json-depth.js';
import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';
import {SPAN_KIND_INTERNAL, STATUS_CODE_ERROR, STATUS_CODE_OK, type OtlpResourceSpansJson, type OtlpSpanEventJson, type OtlpSpanJson, type OtlpTracesJson} from './otlp-json.js';

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

/**
 * The attributes that let ingest (otlpToEvents) rebuild the span exactly:
 * its kind, last event type, input and output (as JSON text) and tags.
 * Set after the span's own attributes, so a producer's look-alike key cannot
 * shadow them.
 */
function spanAttributes(span: Span): OtlpKeyValue[] {
	const record: Record<string, unknown> = {...span.attributes};
	record['tracedeck.kind'] = span.kind;
	if (span.last_event_type !== '') {
		record['tracedeck.end_event_type'] = span.last_event_type;
	}

	if (span.input !== undefined) {
		record['tracedeck.input'] = JSON.stringify(span.input);
	}

	if (span.output !== undefined) {
		record['tracedeck.output'] = JSON.stringify(span.output);
	}

	if (span.tags.length > 0) {
		record['tracedeck.tags'] = span.tags;
	}

	return exportKeyValues(record);
}

function spanEvents(span: Span): OtlpSpanEventJson[] {
	const events: OtlpSpanEventJson[] = span.retries.map(retry => ({
		timeUnixNano: msToUnixNanos(retry.at_ms),
		name: 'retry',
		attributes: exportKeyValues({n: retry.n, exit_code: retry.exit_code}),
	}));
	// Per-line times are not kept on the span; the tail is stamped inside the span's window so it moves nothing.
	const at = msToUnixNanos(span.end_ms ?? span.start_ms);
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

/** One span as OTLP/JSON. Ids stay as given: tracedeck ids need not be hex. */
export function spanToOtlp(span: Span): OtlpSpanJson {
	const out: OtlpSpanJson = {
		traceId: span.trace_id,
		spanId: span.span_id,
		name: span.name,
		kind: SPAN_KIND_INTERNAL,
		startTimeUnixNano: msToUnixNanos(span.start_ms),
		attributes: spanAttributes(span),
		events: spanEvents(span),
	};
	if (span.parent_span_id !== null) {
		out.parentSpanId = span.parent_span_id;
	}

	if (span.end_ms !== null) {
		out.endTimeUnixNano = msToUnixNanos(span.end_ms);
	}

	if (span.status === 'failed') {
		out.status = {code: STATUS_CODE_ERROR, message: span.error?.message ?? ''};
	} else if (span.status === 'success') {
		out.status = {code: STATUS_CODE_OK};
	}

	return out;
}

/** The run's fields as resource attributes, for OTLP backends (Jaeger, Tempo) to search by. */
function resourceAttributes(run: Run): OtlpKeyValue[] {
	return exportKeyValues({
		'service.name': run.target ?? 'tracedeck',
		'devcmd.run_id': run.run_id,
		'devcmd.env': run.env ?? undefined,
		'devcmd.target': run.target ?? undefined,
		'devcmd.plan_hash': run.plan_hash ?? undefined,
		'devcmd.user': run.user ?? undefined,
		'runner.id': run.runner ?? undefined,
		'git.sha': run.git?.sha,
		'git.branch': run.git?.branch,
	});
}

export function runToResourceSpans({run, spans}: RunWithSpans): OtlpResourceSpansJson {
	return {
		resource: {attributes: resourceAttributes(run)},
		scopeSpans: [{scope: {name: 'tracedeck'}, spans: spans.map(span => spanToOtlp(span))}],
	};
}

/**
 * Runs as one OTLP/JSON document (one resourceSpans per run). `tracedeck
 * ingest` reads it back into the same spans.
 */
export function runsToOtlp(runs: Iterable<RunWithSpans>): OtlpTracesJson {
	const resourceSpans: OtlpResourceSpansJson[] = [];
	for (const item of runs) {
		resourceSpans.push(runToResourceSpans(item));
	}

	return {resourceSpans};
}
