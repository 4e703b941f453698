/** The wire format: what producers emit. Several events may share a span_id. */
export type EventStatus = 'success' | 'failed' | 'pending';

export interface TraceEvent {
	trace_id: string;
	span_id: string;
	parent_span_id?: string;
	/** "<kind>:<phase>", e.g. "stage:completed", "saga:compensating", "ai:decision", "log:stderr". */
	event_type: string;
	/** ISO 8601 with milliseconds. */
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
}

export function eventKind(eventType: string): string {
	const i = eventType.indexOf(':');
	return i === -1 ? eventType : eventType.slice(0, i);
}

export function eventPhase(eventType: string): string {
	const i = eventType.indexOf(':');
	return i === -1 ? '' : eventType.slice(i + 1);
}
