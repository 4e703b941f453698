import {isoToMs} from './iso-time.js';
import {asRecord} from './json-value.js';
import {insertLog, isLogRecord, spanLogOf} from './log-record.js';
import {insertInOrder} from './ordered-insert.js';
import {type Retry, STDERR_TAIL_LINES, type Span, type SpanEvent, type SpanStatus} from './span.js';
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

/** Keep span events in time order; equal times keep arrival order. */
function insertEvent(events: SpanEvent[], event: SpanEvent): void {
	insertInOrder(events, event, (item, existing) => item.time_ms < existing.time_ms);
}

/** What the producer said about the span as a whole: the first value given wins, links add up. */
function applySpanFacts(span: Span, event: TraceEvent): void {
	if (span.span_kind === null && event.span_kind !== undefined) {
		span.span_kind = event.span_kind;
	}

	if (span.service === null && event.service !== undefined) {
		span.service = event.service;
	}

	if (span.parent_trace_id === null && event.parent_trace_id !== undefined) {
		span.parent_trace_id = event.parent_trace_id;
	}

	if (span.correlation_id === null && event.correlation_id !== undefined) {
		span.correlation_id = event.correlation_id;
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
		logs: [],
		parent_trace_id: null,
		correlation_id: null,
	};
}

/** The one order of a span's retries: time, number, exit code (none before any). */
function retryBefore(item: Retry, existing: Retry): boolean {
	if (item.at_ms !== existing.at_ms) {
		return item.at_ms < existing.at_ms;
	}

	if (item.n !== existing.n) {
		return item.n < existing.n;
	}

	return (item.exit_code ?? Number.NEGATIVE_INFINITY) < (existing.exit_code ?? Number.NEGATIVE_INFINITY);
}

/** Fold-order rank of a span's log lines (see phaseRank). */
const LOG_RANK = 3;

/**
 * At one instant: the event that opens a span first, then its retries, then
 * other updates (pending, progress, decisions), then its log lines, then what
 * settles it. Updates come after retries so that the last update names the
 * span's state (last_event_type), as tracedeck's own OTLP export expects
 * when it restores that state on an event stamped at the span's start. Log
 * lines rank alone so that, among themselves, they keep the order they were
 * given in (see compareFoldOrder).
 */
function phaseRank(event: TraceEvent): number {
	if (terminalStatus(event) !== undefined) {
		return 4;
	}

	if (eventKind(event.event_type) === 'log') {
		return LOG_RANK;
	}

	if (eventPhase(event.event_type) === 'started' && event.status !== 'pending') {
		return 0;
	}

	const retry = event.data?.['retry'];
	return retry !== null && typeof retry === 'object' ? 1 : 2;
}

/**
 * The one order in which a span's events are folded, whatever order they
 * arrived in: by time, then phase (started or pending before anything else,
 * completion last, so a completion at the instant of its start still settles
 * the span), then by the event's JSON text, a stable key that never depends
 * on arrival. Folding in this order is what makes the same events give the
 * same spans in any order (ingest of a shuffled file, a late batch, a
 * replayed spool); the run index keeps to it when it folds incrementally
 * (store/run-index.ts). `key` caches the JSON text, asked only on a tie.
 */
export function compareFoldOrder(a: TraceEvent, b: TraceEvent, key: (event: TraceEvent) => string = event => JSON.stringify(event)): number {
	const byTime = eventTimeMs(a) - eventTimeMs(b);
	if (byTime !== 0) {
		return byTime;
	}

	const rank = phaseRank(a);
	const byPhase = rank - phaseRank(b);
	if (byPhase !== 0) {
		return byPhase;
	}

	// Lines printed at one instant, and a span's events recorded at one instant, have no order but the
	// producer's (the list it sent them in): a stable sort keeps it, and the run index reads them by arrival.
	if (rank === LOG_RANK || (a.event_type === SPAN_EVENT_TYPE && b.event_type === SPAN_EVENT_TYPE)) {
		return 0;
	}

	const ka = key(a);
	const kb = key(b);
	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The events in fold order (compareFoldOrder), each event's time parsed and JSON text made at most once. */
export function inFoldOrder(events: Iterable<TraceEvent>): TraceEvent[] {
	const keys = new Map<TraceEvent, string>();
	const key = (event: TraceEvent): string => {
		let text = keys.get(event);
		if (text === undefined) {
			text = JSON.stringify(event);
			keys.set(event, text);
		}

		return text;
	};

	// Each event's time parsed once, not once per comparison: the sort compares n log n times.
	const timed = Array.from(events, event => ({event, time: eventTimeMs(event)}));
	timed.sort((a, b) => a.time - b.time || compareFoldOrder(a.event, b.event, key));
	return timed.map(entry => entry.event);
}

/**
 * Fold one event into its span. Pure: returns a new span and leaves the input alone.
 * Start is the earliest event, end the latest terminal event, and status the
 * one of the latest terminal event. The result depends on the order events
 * are applied in only through ties and "first/last given" fields (name,
 * attributes, input, stderr order); foldEvents and the run index apply them
 * in fold order (compareFoldOrder), which makes spans order-independent.
 *
 * A log record (log:record) only joins its span's `logs`: it says nothing
 * about the span's kind, name, times or status, and is not one of its events.
 * Folded into no span it gives an empty placeholder; callers that fold a
 * trace hold such records back until their span arrives (foldEvents does).
 */
export function applyEvent(previous: Span | undefined, event: TraceEvent): Span {
	const at = eventTimeMs(event);
	return applyEventTo(previous ? copySpan(previous) : emptySpan(event, at), event, at);
}

/** A span whose fields applyEventTo may change without touching `previous`'s. */
function copySpan(previous: Span): Span {
	return {
		...previous,
		attributes: {...previous.attributes},
		retries: [...previous.retries],
		stderr: [...previous.stderr],
		tags: [...previous.tags],
		events: [...previous.events],
		links: [...previous.links],
		// Spans stored before migration 8 may come without logs.
		logs: [...(previous.logs ?? [])],
	};
}

/**
 * applyEvent on a span no one else holds (one this fold made), changed in
 * place: copying it for each of its events was 7% of what serve's store
 * path allocated. `at` is eventTimeMs(event).
 */
function applyEventTo(span: Span, event: TraceEvent, at: number): Span {
	if (isLogRecord(event)) {
		insertLog(span.logs, spanLogOf(event));
		return span;
	}

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
		insertEvent(span.events, {name: typeof data['name'] === 'string' ? data['name'] : '', time_ms: at, time_iso: event.timestamp, attributes: asRecord(data['attributes'])});
		return span;
	}

	const kind = eventKind(event.event_type);
	if (kind === 'log') {
		const line = data['line'];
		// The stderr tail is stderr's (and markers'): lines marked as stdout are in the events, not the tail.
		if (typeof line === 'string' && data['stream'] !== 'stdout') {
			span.stderr.push(line);
			if (span.stderr.length > STDERR_TAIL_LINES) {
				span.stderr.splice(0, span.stderr.length - STDERR_TAIL_LINES);
			}
		}

		// Only a placeholder while no other event has named the span's kind (which may be '', from a type such as ":odd").
		if (span.kind === '' && span.last_event_type === '') {
			span.kind = 'step';
		}

		return span;
	}

	if (span.kind === '' || (span.kind === 'step' && span.last_event_type === '')) {
		span.kind = kind;
	}

	const settled = terminalStatus(event);
	// A settled span keeps the type of what settled it: a start that arrives (or is stamped) after its completion does not reopen it in name.
	if (settled !== undefined || span.end_ms === null) {
		span.last_event_type = event.event_type;
	}

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
		// In time order, then by number, then by exit code (none first): retries stamped alike keep one order however
		// they arrived and whichever events carried them (a started event's retry comes back from an OTLP export as a
		// retry event of its own, which folds in another place among its instant's events).
		insertInOrder(span.retries, exitCode === undefined ? {n, at_ms: at} : {n, exit_code: exitCode, at_ms: at}, retryBefore);
	}

	if (settled !== undefined && (span.end_ms === null || at >= span.end_ms)) {
		span.status = settled;
		span.end_ms = at;
		span.end_iso = event.timestamp;
	}

	return span;
}

/**
 * Fold a trace's events into spans, in fold order (so in any arrival order
 * the same spans, listed by their earliest event). A log record waits for its
 * span, which may come later (logs and spans are exported apart, and a
 * record may be stamped before its span's start); one whose span never comes
 * makes no span.
 */
export function foldEvents(events: Iterable<TraceEvent>): Span[] {
	return foldInOrder(inFoldOrder(events));
}

/** foldEvents for events already in fold order (inFoldOrder's): the store groups a batch by span in that order once. */
export function foldInOrder(events: readonly TraceEvent[]): Span[] {
	const spans = new Map<string, Span>();
	const waiting = new Map<string, TraceEvent[]>();
	for (const event of events) {
		const previous = spans.get(event.span_id);
		if (previous === undefined && isLogRecord(event)) {
			const list = waiting.get(event.span_id);
			if (list) {
				list.push(event);
			} else {
				waiting.set(event.span_id, [event]);
			}

			continue;
		}

		// Every span in `spans` was made here, so its events go onto it in place (applyEventTo).
		const at = eventTimeMs(event);
		let span = applyEventTo(previous ?? emptySpan(event, at), event, at);
		if (previous === undefined) {
			for (const log of waiting.get(event.span_id) ?? []) {
				span = applyEventTo(span, log, eventTimeMs(log));
			}

			waiting.delete(event.span_id);
		}

		spans.set(event.span_id, span);
	}

	return [...spans.values()];
}
