import {isoToMs} from './iso-time.js';
import {asRecord} from './json-value.js';
import {insertInOrder} from './ordered-insert.js';
import type {SpanScope, TraceEvent} from './trace-event.js';

/**
 * event_type of an OpenTelemetry log record emitted within a trace. Its data
 * is LogRecordData. Unlike the other "log:" events (stderr lines), it never
 * makes a span of its own: it joins its span when that span arrives, and a
 * span that never does leaves it with the run (RunIndex.strayLogs).
 */
export const LOG_RECORD_EVENT_TYPE = 'log:record';

/** What a log:record event carries in `data`. */
export interface LogRecordData {
	/** The record's body as text: a string as it is, anything else as JSON. Searched by `runs grep`. */
	line: string;
	/** OpenTelemetry's SeverityNumber: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL; 0 unspecified. */
	severity_number: number;
	severity_text: string;
	attributes: Record<string, unknown>;
	/** When the collecting side saw the record (ISO 8601), where it differs from the record's own time. */
	observed_time?: string;
	event_name?: string;
	/** The resource's service.name. */
	service?: string;
	scope?: SpanScope;
}

/** A log record as a span (or, when its span never arrived, the run) shows it. */
export interface SpanLog {
	/** Epoch milliseconds, fractional below the millisecond. */
	time_ms: number;
	severity_number: number;
	severity_text: string;
	body: string;
	attributes: Record<string, unknown>;
	observed_time_ms?: number;
	event_name?: string;
	service?: string;
	scope?: SpanScope;
}

/** A log record of a run whose span is not in the run: it keeps its span id ("" when the record named none). */
export interface RunLog extends SpanLog {
	span_id: string;
}

export function isLogRecord(event: TraceEvent): boolean {
	return event.event_type === LOG_RECORD_EVENT_TYPE;
}

/** A log:record event as its span keeps it. Tolerant of hand-made data: what is missing is empty. */
export function spanLogOf(event: TraceEvent): SpanLog {
	const data = event.data ?? {};
	const log: SpanLog = {
		time_ms: isoToMs(event.timestamp),
		severity_number: typeof data['severity_number'] === 'number' ? data['severity_number'] : 0,
		severity_text: typeof data['severity_text'] === 'string' ? data['severity_text'] : '',
		body: typeof data['line'] === 'string' ? data['line'] : '',
		attributes: asRecord(data['attributes']),
	};
	if (typeof data['observed_time'] === 'string') {
		const observed = isoToMs(data['observed_time']);
		if (Number.isFinite(observed)) {
			log.observed_time_ms = observed;
		}
	}

	if (typeof data['event_name'] === 'string') {
		log.event_name = data['event_name'];
	}

	if (typeof data['service'] === 'string') {
		log.service = data['service'];
	}

	const scope = asRecord(data['scope']);
	if (typeof scope['name'] === 'string') {
		log.scope = typeof scope['version'] === 'string' ? {name: scope['name'], version: scope['version']} : {name: scope['name']};
	}

	return log;
}

/** Keep logs in time order; equal times keep arrival order (so every fold order gives the same list). */
export function insertLog<T extends SpanLog>(logs: T[], log: T): void {
	insertInOrder(logs, log, (item, existing) => item.time_ms < existing.time_ms);
}
