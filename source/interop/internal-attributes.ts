/*
 * Kept apart from otlp-to-events.ts (which loads zod) so that `runs export`
 * can name them without paying for the parser.
 */

/** Attributes tracedeck writes on export of a TraceEvent producer's span, so that ingest restores the same span. */
export const INTERNAL = {
	kind: 'tracedeck.kind',
	endEventType: 'tracedeck.end_event_type',
	input: 'tracedeck.input',
	output: 'tracedeck.output',
	tags: 'tracedeck.tags',
	/** JSON text of the OpenTelemetry facts the span really had ({span_kind, service, resource, scope, status_message}): the OTLP fields beside it may hold export defaults. */
	facts: 'tracedeck.facts',
	/** How many of the span's OTLP events, from the first, are its own span events; the rest encode retries, stderr and the error. */
	spanEvents: 'tracedeck.span_events',
} as const;
