/** The wire format: what producers emit. Several events may share a span_id. */
export type EventStatus = 'success' | 'failed' | 'pending';

/** OpenTelemetry's span kinds, lower case. */
export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export const SPAN_KINDS: readonly SpanKind[] = ['server', 'client', 'producer', 'consumer', 'internal'];

/** The instrumentation scope (library) that recorded a span. */
export interface SpanScope {
	name: string;
	version?: string;
}

/**
 * A link to another span. A link whose attributes say
 * `opentracing.ref_type: "follows_from"` (OpenTelemetry's name for
 * OpenTracing's and Jaeger's FOLLOWS_FROM) marks the span as following from
 * that one rather than being waited for by it.
 */
export interface SpanLink {
	trace_id: string;
	span_id: string;
	attributes: Record<string, unknown>;
}

/** OTLP's status code as the producer set it: UNSET and OK both read as success, but are not the same answer. */
export type StatusCode = 'unset' | 'ok' | 'error';
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];

/** event_type of a span event (OTLP's span events): data is {name, attributes}. */
export const SPAN_EVENT_TYPE = 'event:recorded';

export interface TraceEvent {
	trace_id: string;
	span_id: string;
	parent_span_id?: string;
	/** "<kind>:<phase>", e.g. "stage:completed", "saga:compensating", "ai:decision", "log:stderr". */
	event_type: string;
	/** ISO 8601, UTC, with milliseconds and up to 6 more digits ("…00.123456789Z"). */
	timestamp: string;
	status?: EventStatus;
	data?: Record<string, unknown>;
	tags?: string[];
	parent_trace_id?: string;
	correlation_id?: string;
	/**
	 * The producer's own id for this event, unique within its trace: the same id
	 * again is the same event (a retried write stores nothing new), two ids are
	 * two events even with identical content. Without it, an event's identity is
	 * its content and its occurrence among identical events of one input.
	 */
	event_id?: string;
	/** What the producer said about the span; any event of the span may carry them, the first one given is kept. */
	span_kind?: SpanKind;
	/** The resource's service.name. */
	service?: string;
	/** The resource's attributes. */
	resource?: Record<string, unknown>;
	scope?: SpanScope;
	/** Links of the span; links from several events add up. */
	links?: SpanLink[];
	/** The status message the producer gave with the span's status. */
	status_message?: string;
	/**
	 * OTLP's status code as sent. Only OTLP ingest sets it, so a span that has
	 * one came as an OTLP span, and export gives it back as it came.
	 */
	status_code?: StatusCode;
	/**
	 * An OTLP span's attributes, merged into the span's attributes exactly as
	 * they are: unlike `data`, no key here means anything to the fold (an
	 * attribute called `error` or `input` stays an attribute).
	 */
	attributes?: Record<string, unknown>;
}

export function eventKind(eventType: string): string {
	const i = eventType.indexOf(':');
	return i === -1 ? eventType : eventType.slice(0, i);
}

export function eventPhase(eventType: string): string {
	const i = eventType.indexOf(':');
	return i === -1 ? '' : eventType.slice(i + 1);
}
