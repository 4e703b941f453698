import {z} from 'zod';
import {LOG_RECORD_EVENT_TYPE, type LogRecordData} from '../core/log-record.js';
import {SEVERITY_NAMES} from '../core/log-severity.js';
import {resourceEnv} from '../core/run-summary.js';
import type {ServiceLog} from '../core/service-log.js';
import type {SpanScope, TraceEvent} from '../core/trace-event.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import {fromAnyValue, fromKeyValues, type OtlpAnyValue, type OtlpKeyValue} from './otlp-attributes.js';
import {anyValue, attributes, describeIssue, nanos, normalId, OtlpParseError, toIso} from './otlp-to-events.js';
import {isRecord} from '../core/json-value.js';
import {listAt} from './otlp-lists.js';
import {EventParseError, parseTraceEvent} from './trace-event-schema.js';
import {TRACEDECK_EVENT_ATTRIBUTE} from './tracedeck-event-log.js';

/*
 * OTLP log records to what the run index keeps. A record with a trace id
 * is an event of its trace (log:record, see core/log-record.ts) on its span;
 * a record without one is a ServiceLog, kept under its service. A record
 * that cannot be read (bad ids, no time) is rejected alone: OTLP's partial
 * success. A request that is not OTLP logs at all is refused whole.
 */

/** SeverityNumber as OTLP/JSON writes it (the number) or as some encoders do (its name, SEVERITY_NUMBER_ERROR2). */
const severityNumber = z.union([z.number().int().min(0).max(24), z.string()]).transform((value, context) => {
	if (typeof value === 'number') {
		return value;
	}

	const match = /^SEVERITY_NUMBER_(?:UNSPECIFIED|([A-Z]+)([2-4])?)$/.exec(value);
	const base = match?.[1] === undefined ? -1 : (SEVERITY_NAMES as readonly string[]).indexOf(match[1]);
	if (!match || (match[1] !== undefined && base === -1)) {
		context.addIssue({code: 'custom', message: 'a SeverityNumber: 0 to 24, or its name'});
		return z.NEVER;
	}

	return match[1] === undefined ? 0 : base * 4 + Number(match[2] ?? 1);
});

const logRecord = z.object({
	timeUnixNano: nanos.optional(),
	observedTimeUnixNano: nanos.optional(),
	severityNumber: severityNumber.optional(),
	severityText: z.string().optional(),
	body: anyValue.optional().nullable(),
	attributes,
	traceId: z.string().optional().nullable(),
	spanId: z.string().optional().nullable(),
	eventName: z.string().optional(),
});

const scope = z.object({name: z.string().optional(), version: z.string().optional()}).optional().nullable();
const resource = z.object({attributes}).optional().nullable();

type LogRecord = z.infer<typeof logRecord>;

/** What one logs export turned into. */
export interface OtlpLogsBatch {
	/** Records within a trace. */
	events: TraceEvent[];
	/** Records without one. */
	serviceLogs: ServiceLog[];
	/** Records in the request. */
	records: number;
	rejectedLogRecords: number;
	/** The first problem, with where it was; "" when none. */
	errorMessage: string;
}

/** A part of the request read by `schema`, or OtlpParseError naming where. */
function read<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
	const result = schema.safeParse(value);
	if (!result.success) {
		const issue = result.error.issues[0];
		throw new OtlpParseError(`${where}${issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
	}

	return result.data;
}

/** A problem with one record: it is rejected, the rest of the request is kept. */
class RecordProblem extends Error {}

/** A hex id of `digits` digits in lower case; undefined for "none" (absent, empty, all zeros). */
function idOf(value: string | null | undefined, digits: 16 | 32, name: string): string | undefined {
	if (value === undefined || value === null || value === '' || /^0+$/.test(value)) {
		return undefined;
	}

	if (value.length !== digits || !/^[0-9a-fA-F]+$/.test(value)) {
		throw new RecordProblem(`${name}: expected ${digits} hex digits, got "${value.slice(0, 40)}"`);
	}

	return normalId(value);
}

/** Zero is proto3's and OTLP/JSON's "not set". */
function setNanos(value: string | number | undefined): string | number | undefined {
	return value === undefined || Number(value) === 0 ? undefined : value;
}

/** The body as one line of text: a string as it is, anything else as JSON, nothing as "". */
function bodyText(body: unknown): string {
	const value = fromAnyValue(body as OtlpAnyValue | undefined);
	if (value === null || value === undefined) {
		return '';
	}

	return typeof value === 'string' ? value : JSON.stringify(value);
}

interface Origin {
	resource: Record<string, unknown>;
	service: string | undefined;
	scope: SpanScope | undefined;
}

/**
 * A record that carries a whole TraceEvent (interop/tracedeck-event-log.ts:
 * exec and the emitter sending from elsewhere): the event, checked as ingest
 * checks one, or undefined for any other record. Ids the record states must
 * be the event's: a record whose ids were rewrote on the way is refused, not
 * filed under a trace it does not name.
 */
function carriedEvent(record: LogRecord): TraceEvent | undefined {
	const carried = ((record.attributes ?? []) as OtlpKeyValue[]).find(attribute => attribute.key === TRACEDECK_EVENT_ATTRIBUTE);
	if (carried === undefined) {
		return undefined;
	}

	const text = fromAnyValue(carried.value as OtlpAnyValue | undefined);
	if (typeof text !== 'string') {
		throw new RecordProblem(`${TRACEDECK_EVENT_ATTRIBUTE}: expected a string holding a TraceEvent as JSON`);
	}

	let event: TraceEvent;
	try {
		event = parseTraceEvent(JSON.parse(text));
	} catch (error) {
		throw new RecordProblem(`${TRACEDECK_EVENT_ATTRIBUTE}: ${error instanceof EventParseError ? error.message : `not JSON (${(error as Error).message})`}`);
	}

	const traceId = idOf(record.traceId, 32, 'traceId');
	const spanId = idOf(record.spanId, 16, 'spanId');
	if ((traceId !== undefined && traceId !== normalId(event.trace_id)) || (spanId !== undefined && spanId !== normalId(event.span_id))) {
		throw new RecordProblem(`${TRACEDECK_EVENT_ATTRIBUTE}: the record's traceId/spanId are not the event's`);
	}

	return event;
}

function convertRecord(record: LogRecord, origin: Origin, out: OtlpLogsBatch): void {
	const event = carriedEvent(record);
	if (event !== undefined) {
		out.events.push(event);
		return;
	}

	const traceId = idOf(record.traceId, 32, 'traceId');
	// A span id without a trace id names nothing tracedeck can find; it is kept only with its trace.
	const spanId = traceId === undefined ? undefined : idOf(record.spanId, 16, 'spanId');
	const time = setNanos(record.timeUnixNano);
	const observed = setNanos(record.observedTimeUnixNano);
	if (time === undefined && observed === undefined) {
		throw new RecordProblem('neither timeUnixNano nor observedTimeUnixNano is set');
	}

	const timestamp = toIso((time ?? observed)!);
	const observedTime = time !== undefined && observed !== undefined ? toIso(observed) : undefined;
	const line = bodyText(record.body);
	const attrs = fromKeyValues((record.attributes ?? []) as OtlpKeyValue[]);
	const severity = {severity_number: record.severityNumber ?? 0, severity_text: record.severityText ?? ''};
	const extras = {
		...(observedTime !== undefined && observedTime !== timestamp ? {observed_time: observedTime} : {}),
		...(record.eventName ? {event_name: record.eventName} : {}),
	};
	if (traceId === undefined) {
		out.serviceLogs.push({
			service: origin.service ?? '',
			env: resourceEnv(origin.resource),
			time: timestamp,
			...severity,
			body: line,
			attributes: attrs,
			resource: origin.resource,
			...(origin.scope ? {scope: origin.scope} : {}),
			...extras,
		});
		return;
	}

	const data: LogRecordData = {
		line,
		...severity,
		attributes: attrs,
		...extras,
		...(origin.service ? {service: origin.service} : {}),
		...(origin.scope ? {scope: origin.scope} : {}),
	};
	out.events.push({trace_id: traceId, span_id: spanId ?? '', event_type: LOG_RECORD_EVENT_TYPE, timestamp, data: {...data}});
}

/**
 * Convert an ExportLogsServiceRequest (OTLP/JSON shape; protobuf decoded by
 * decodeExportLogsRequest), keeping the good records when some are bad.
 * @throws OtlpParseError when the document is not OTLP logs at all.
 */
export function convertOtlpLogs(document: unknown): OtlpLogsBatch {
	// Checked first: the recursive AnyValue schema itself would overflow the stack.
	if (nestsDeeperThan(document)) {
		throw new OtlpParseError(`document: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	if (!isRecord(document) || !Array.isArray(document['resourceLogs'])) {
		throw new OtlpParseError('not an OTLP logs export: no "resourceLogs" array');
	}

	const out: OtlpLogsBatch = {events: [], serviceLogs: [], records: 0, rejectedLogRecords: 0, errorMessage: ''};
	let firstProblem = '';
	for (const [i, rl] of (document['resourceLogs'] as unknown[]).entries()) {
		const where = `resourceLogs[${i}]`;
		const scopeLogs = listAt(rl, 'scopeLogs', where);
		const resourceAttrs = fromKeyValues((read(resource, (rl as Record<string, unknown>)['resource'], `${where}.resource`)?.attributes ?? []) as OtlpKeyValue[]);
		const service = typeof resourceAttrs['service.name'] === 'string' && resourceAttrs['service.name'] !== '' ? resourceAttrs['service.name'] : undefined;
		for (const [j, sl] of scopeLogs.entries()) {
			const records = listAt(sl, 'logRecords', `${where}.scopeLogs[${j}]`);
			const given = read(scope, (sl as Record<string, unknown>)['scope'], `${where}.scopeLogs[${j}].scope`);
			// An empty scope name is OTLP's "unknown": no scope said.
			const origin: Origin = {resource: resourceAttrs, service, scope: given?.name ? {name: given.name, ...(given.version ? {version: given.version} : {})} : undefined};
			for (const [k, value] of records.entries()) {
				out.records++;
				try {
					const parsed = logRecord.safeParse(value);
					if (!parsed.success) {
						throw new RecordProblem(describeIssue(parsed.error));
					}

					convertRecord(parsed.data, origin, out);
				} catch (error) {
					if (!(error instanceof RecordProblem)) {
						throw error;
					}

					out.rejectedLogRecords++;
					firstProblem ||= `log record ${where}.scopeLogs[${j}].logRecords[${k}]: ${error.message}`;
				}
			}
		}
	}

	if (out.rejectedLogRecords > 0) {
		out.errorMessage = `${out.rejectedLogRecords} of ${out.records} log records rejected; first: ${firstProblem}`;
	}

	return out;
}
