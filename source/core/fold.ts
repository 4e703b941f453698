import {isoToMs} from './iso-time.js';
import {STDERR_TAIL_LINES, type Span, type SpanEvent, type SpanStatus} from './span.js';
import {eventKind, eventPhase, SPAN_EVENT_TYPE, type TraceEvent} from './trace-event.js';

const SUCCESS_PHASES = new Set(['completed', 'succeeded', 'success', 'compensated', 'done', 'finished', 'ok']);
const FAILED_PHASES = new Set(['failed', 'failure', 'error', 'compensation_failed', 'cancelled', 'timeout']);
const RESERVED_DATA_KEYS = new Set(['input', 'output', 'error', 'line', 'retry', 'name']);

/** The status an event settles its span to, or undefined when it leaves the span open. */
export function terminalStatus(event: TraceEvent): SpanStatus | undefined {
	if (event.status === 'success' || event.status === 'failed') {
		return event.status;
	}

	if (event.status === 'pending') {
		return undefined;
	}

	const kind = eventKind(event.event_type);
	const phase = eventPhase(event.event_type);
	if (kind === 'ai' && phase === 'decision') {
		return 'success';
	}

	if (SUCCESS_PHASES.has(phase)) {
		return 'success';
	}

	if (FAILED_PHASES.has(phase)) {
		return 'failed';
	}

	return undefined;
}

/** Epoch milliseconds, fractional: the digits below the millisecond are kept. */
export function eventTimeMs(event: TraceEvent): number {
	return isoToMs(event.timestamp);
}

function record(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** Keep span events in time order; equal times keep arrival order. */
function insertEvent(events: SpanEvent[], event: SpanEvent): void {
	let i = events.length;
	while (i > 0 && events[i - 1]!.time_ms > event.time_ms) {
		i--;
	}

	events.splice(i, 0, event);
}

/** What the producer said about the span as a whole: the first value given wins, links add up. */
function applySpanFacts(span: Span, event: TraceEvent): void {
	if (span.span_kind === null && event.span_kind !== undefined) {
		span.span_kind = event.span_kind;
	}

	if (span.service === null && event.service !== undefined) {
		span.service = event.service;
	}

	if (span.resource === null && event.resource !== undefined) {
		span.resource = event.resource;
	}

	if (span.scope === null && event.scope !== undefined) {
		span.scope = event.scope;
	}

	if (event.links !== undefined) {
		span.links.push(...event.links);
	}

	if (event.status_message !== undefined) {
		span.status_message = event.status_message;
	}

	if (event.status_code !== undefined) {
		span.status_code = event.status_code;
	}

	for (const [key, value] of Object.entries(event.attributes ?? {})) {
		// defineProperty: an attribute "__proto__" must stay an attribute, not become the prototype.
		Object.defineProperty(span.attributes, key, {value, enumerable: true, writable: true, configurable: true});
	}
}

function toError(value: unknown): Span['error'] {
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value === 'string') {
		return {message: value};
	}

	if (typeof value === 'object') {
		const record = value as Record<string, unknown>;
		const message = typeof record['message'] === 'string' ? record['message'] : JSON.stringify(value);
		const stack = typeof record['stack'] === 'string' ? record['stack'] : undefined;
		return stack === undefined ? {message} : {message, stack};
	}

	return {message: String(value)};
}

function emptySpan(event: TraceEvent, at: number): Span {
	return {
		trace_id: event.trace_id,
		span_id: event.span_id,
		parent_span_id: event.parent_span_id ?? null,
		name: '',
		kind: '',
		last_event_type: '',
		start_ms: at,
		end_ms: null,
		start_iso: event.timestamp,
		status: 'pending',
		attributes: {},
		retries: [],
		stderr: [],
		tags: [],
		event_count: 0,
		service: null,
		span_kind: null,
		resource: null,
		scope: null,
		events: [],
		links: [],
		status_message: null,
	};
}

/**
 * Fold one event into its span. Pure: returns a new span and leaves the input alone.
 * Events may arrive out of order; start is the earliest event, end the latest
 * terminal event, and status the one of the latest terminal event.
 */
export function applyEvent(previous: Span | undefined, event: TraceEvent): Span {
	const at = eventTimeMs(event);
	const span: Span = previous
		? {
			...previous,
			attributes: {...previous.attributes},
			retries: [...previous.retries],
			stderr: [...previous.stderr],
			tags: [...previous.tags],
			events: [...previous.events],
			links: [...previous.links],
		}
		: emptySpan(event, at);
	applySpanFacts(span, event);
	span.event_count += 1;
	// A span event (clock skew aside) falls inside its span: it does not move the start.
	if (event.event_type !== SPAN_EVENT_TYPE && at < span.start_ms) {
		span.start_ms = at;
		span.start_iso = event.timestamp;
	}

	if (span.parent_span_id === null && event.parent_span_id) {
		span.parent_span_id = event.parent_span_id;
	}

	for (const tag of event.tags ?? []) {
		if (!span.tags.includes(tag)) {
			span.tags.push(tag);
		}
	}

	const data = event.data ?? {};
	if (event.event_type === SPAN_EVENT_TYPE) {
		// A span event says nothing about the span's own kind, name or status.
		insertEvent(span.events, {name: typeof data['name'] === 'string' ? data['name'] : '', time_ms: at, time_iso: event.timestamp, attributes: record(data['attributes'])});
		return span;
	}

	const kind = eventKind(event.event_type);
	if (kind === 'log') {
		const line = data['line'];
		if (typeof line === 'string') {
			span.stderr.push(line);
			if (span.stderr.length > STDERR_TAIL_LINES) {
				span.stderr.splice(0, span.stderr.length - STDERR_TAIL_LINES);
			}
		}

		if (span.kind === '') {
			span.kind = 'step';
		}

		return span;
	}

	if (span.kind === '' || span.kind === 'step' && span.last_event_type === '') {
		span.kind = kind;
	}

	span.last_event_type = event.event_type;
	if (typeof data['name'] === 'string' && data['name'] !== '' && span.name === '') {
		span.name = data['name'];
	}

	for (const [key, value] of Object.entries(data)) {
		if (!RESERVED_DATA_KEYS.has(key)) {
			span.attributes[key] = value;
		}
	}

	if ('input' in data) {
		span.input = data['input'];
	}

	if ('output' in data) {
		span.output = data['output'];
	}

	const error = toError(data['error']);
	if (error) {
		span.error = error;
	}

	const retry = data['retry'];
	if (retry && typeof retry === 'object') {
		const r = retry as Record<string, unknown>;
		const n = typeof r['n'] === 'number' ? r['n'] : span.retries.length + 1;
		const exitCode = typeof r['exit_code'] === 'number' ? r['exit_code'] : undefined;
		span.retries.push(exitCode === undefined ? {n, at_ms: at} : {n, exit_code: exitCode, at_ms: at});
	}

	const settled = terminalStatus(event);
	if (settled !== undefined && (span.end_ms === null || at >= span.end_ms)) {
		span.status = settled;
		span.end_ms = at;
		span.end_iso = event.timestamp;
	}

	return span;
}

/** A name for a span that never said its own. */
export function displayName(span: Span): string {
	return span.name !== '' ? span.name : `${span.kind || 'span'} ${span.span_id}`;
}

/** Fold a trace's events into spans, in order of first appearance. */
export function foldEvents(events: Iterable<TraceEvent>): Span[] {
	const spans = new Map<string, Span>();
	for (const event of events) {
		spans.set(event.span_id, applyEvent(spans.get(event.span_id), event));
	}

	return [...spans.values()];
}
