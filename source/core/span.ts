import type {EventStatus} from './trace-event.js';

export type SpanStatus = EventStatus;

export interface Retry {
	n: number;
	exit_code?: number;
	at_ms: number;
}

export interface SpanError {
	message: string;
	stack?: string;
}

/**
 * A span folded from one or more TraceEvents. Times are epoch milliseconds;
 * end_ms is null while the span is still open (no terminal event yet).
 */
export interface Span {
	trace_id: string;
	span_id: string;
	parent_span_id: string | null;
	name: string;
	/** The event_type's kind of the span's first non-log event: workflow, stage, step, saga, ai, ... */
	kind: string;
	/** The event_type of the last non-log event, e.g. "saga:compensated". */
	last_event_type: string;
	start_ms: number;
	end_ms: number | null;
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
}

export const STDERR_TAIL_LINES = 200;
