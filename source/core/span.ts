import type {SpanLog} from './log-record.js';
import type {EventStatus, SpanKind, SpanLink, SpanScope, StatusCode} from './trace-event.js';

export type SpanStatus = EventStatus;

export interface Retry {
	n: number;
	exit_code?: number;
	at_ms: number;
}

/** A span event (OTLP span event, or a TraceEvent of type SPAN_EVENT_TYPE). */
export interface SpanEvent {
	name: string;
	/** Epoch milliseconds, may be fractional. */
	time_ms: number;
	/** The exact time as received (ISO 8601, up to nanoseconds), which time_ms only approximates; absent on spans stored before it was kept. */
	time_iso?: string;
	attributes: Record<string, unknown>;
}

export interface SpanError {
	message: string;
	stack?: string;
}

/**
 * A span folded from one or more TraceEvents. Times are epoch milliseconds,
 * fractional below the millisecond; end_ms is null while the span is still
 * open (no terminal event yet). Spans stored before migration 7 lack the
 * fields from `service` on, and before migration 8 `logs`; the migrations
 * give them their empty values.
 */
export interface Span {
	trace_id: string;
	span_id: string;
	/** The parent as declared, even when that span never arrived (the tree then makes this span a root). */
	parent_span_id: string | null;
	name: string;
	/** The event_type's kind of the span's first non-log event: workflow, stage, step, saga, ai, ... */
	kind: string;
	/** The event_type of the last non-log event, e.g. "saga:compensated". */
	last_event_type: string;
	start_ms: number;
	end_ms: number | null;
	/**
	 * start_ms and end_ms exactly as received (ISO 8601, up to nanoseconds): a
	 * double near 2026 holds a quarter microsecond at best, and OTLP sends
	 * nanoseconds that an export must give back. Absent on spans stored before they were kept.
	 */
	start_iso?: string;
	end_iso?: string;
	status: SpanStatus;
	/** data fields other than input/output/error/line/retry, merged in event order. */
	attributes: Record<string, unknown>;
	input?: unknown;
	output?: unknown;
	error?: SpanError;
	retries: Retry[];
	/** The last stderr lines (log:stderr events), oldest first, capped. */
	stderr: string[];
	tags: string[];
	event_count: number;
	/** The resource's service.name, or null. */
	service: string | null;
	/** OpenTelemetry's span kind, null where the producer did not say. */
	span_kind: SpanKind | null;
	resource: Record<string, unknown> | null;
	scope: SpanScope | null;
	/** Every span event, in time order. */
	events: SpanEvent[];
	links: SpanLink[];
	/** The producer's status message (an error span's often says why). */
	status_message: string | null;
	/** OpenTelemetry log records emitted within the span (log:record events), in time order. */
	logs: SpanLog[];
	/** The trace of the workflow that started this one (a sub-workflow's caller), as the producer said; null when none. Spans stored before migration 10 get null. */
	parent_trace_id: string | null;
	/** The business entity the workflow works on (e.g. a loan id), linking runs across traces; null when none. */
	correlation_id: string | null;
	/** OTLP's status code as sent; present only on spans that came as OTLP (see TraceEvent.status_code). */
	status_code?: StatusCode;
}

export const STDERR_TAIL_LINES = 200;
