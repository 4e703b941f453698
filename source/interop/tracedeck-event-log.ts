import {nanosFromIso} from '../core/iso-time.js';
import type {TraceEvent} from '../core/trace-event.js';

/*
 * How a producer elsewhere (exec, the emitter with TRACEDECK_ENDPOINT) sends
 * TraceEvents to `tracedeck serve` over OTLP/HTTP, one at a time. An OTLP
 * span is a finished unit: it cannot carry a step that has started but not
 * ended, its log lines as they come or a heartbeat. A log record can. So each
 * TraceEvent travels as one OTLP log record on /v1/logs whose attribute
 * `tracedeck.event` holds the event as JSON text, exactly as it is (JSON text
 * because OTLP's AnyValue cannot tell 1 from 1.0 or keep a null); serve's
 * logs intake (otlp-logs-to-events.ts) stores that event instead of a
 * log:record. The record's traceId, spanId, time and body say the same
 * things for any OTLP tool on the way (a collector, a debug exporter), and
 * are set only where OTLP can say them (hex ids of the right length).
 *
 * Kept free of zod: the emitter loads this; the checking is serve's.
 */

/** The log record attribute that carries a whole TraceEvent. */
export const TRACEDECK_EVENT_ATTRIBUTE = 'tracedeck.event';
/** The instrumentation scope of such records, so they are recognisable in any OTLP tool. */
export const TRACEDECK_EVENT_SCOPE = 'tracedeck.event';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** One event as an OTLP/JSON LogRecord. */
export function eventLogRecord(event: TraceEvent): Record<string, unknown> {
	const nanos = nanosFromIso(event.timestamp);
	const record: Record<string, unknown> = {
		// OTLP times start in 1970; an earlier event still travels whole in the attribute.
		...(nanos > 0n ? {timeUnixNano: nanos.toString()} : {}),
		body: {stringValue: event.event_type},
		attributes: [{key: TRACEDECK_EVENT_ATTRIBUTE, value: {stringValue: JSON.stringify(event)}}],
	};
	if (TRACE_ID.test(event.trace_id) && !/^0+$/.test(event.trace_id)) {
		record['traceId'] = event.trace_id;
		if (SPAN_ID.test(event.span_id) && !/^0+$/.test(event.span_id)) {
			record['spanId'] = event.span_id;
		}
	}

	return record;
}

/** Events as one ExportLogsServiceRequest (OTLP/JSON), in order. */
export function eventsLogsRequest(events: readonly TraceEvent[], service = 'tracedeck'): Record<string, unknown> {
	return {
		resourceLogs: [
			{
				resource: {attributes: [{key: 'service.name', value: {stringValue: service}}]},
				scopeLogs: [{scope: {name: TRACEDECK_EVENT_SCOPE}, logRecords: events.map(event => eventLogRecord(event))}],
			},
		],
	};
}
