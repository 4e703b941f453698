import {z} from 'zod';
import {eventTimeMs} from '../core/fold.js';
import {isoFromNanos} from '../core/iso-time.js';
import {SPAN_EVENT_TYPE, SPAN_KINDS, type SpanKind, type SpanLink, type SpanScope, type StatusCode, type TraceEvent} from '../core/trace-event.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import {fromKeyValues, type OtlpKeyValue} from './otlp-attributes.js';
import {otlpResourceProblem, otlpSpanProblem, type OtlpIdRule} from './otlp-span-checks.js';
import {isRecord} from '../core/json-value.js';
import {INTERNAL} from './internal-attributes.js';
import {fitsOtlpTracesSchema} from './otlp-traces-shape.js';

/** OTLP/JSON's AnyValue, KeyValue lists and nanosecond times, as the trace and the logs converters (otlp-logs-to-events.ts) read them. */
export const anyValue: z.ZodType<unknown> = z.lazy(() =>
	z.object({
		stringValue: z.string().optional(),
		boolValue: z.boolean().optional(),
		intValue: z.union([z.string(), z.number()]).optional(),
		doubleValue: z.union([z.number(), z.string()]).optional(),
		arrayValue: z.object({values: z.array(anyValue).optional()}).optional(),
		kvlistValue: z.object({values: z.array(keyValue).optional()}).optional(),
		bytesValue: z.string().optional(),
	}),
);
const keyValue: z.ZodType<unknown> = z.object({key: z.string(), value: anyValue.optional()});
export const attributes = z.array(keyValue).optional();
// The latest instant a Date can hold, in nanoseconds: beyond it toISOString throws.
const MAX_NANOS = 8_640_000_000_000_000_000_000n;
export const nanos = z
	.union([z.string().regex(/^\d+$/, 'a time in unix nanoseconds'), z.number().nonnegative()])
	// Zod runs this even when the regex above failed, so it checks the digits again before BigInt.
	.refine(value => (typeof value === 'number' ? value <= Number(MAX_NANOS) : /^\d+$/.test(value) && BigInt(value) <= MAX_NANOS), 'a time in unix nanoseconds before the year 275760');

const otlpSpan = z.object({
	traceId: z.string().min(1),
	spanId: z.string().min(1),
	parentSpanId: z.string().optional().nullable(),
	// OTLP/JSON may leave out fields at their default value; an empty name is "unknown".
	name: z.string().optional().default(''),
	kind: z.union([z.number(), z.string()]).optional(),
	startTimeUnixNano: nanos,
	endTimeUnixNano: nanos.optional(),
	attributes,
	events: z.array(z.object({timeUnixNano: nanos, name: z.string().optional().default(''), attributes})).optional(),
	links: z.array(z.object({traceId: z.string().min(1), spanId: z.string().min(1), attributes})).optional(),
	status: z.object({code: z.union([z.number(), z.string()]).optional(), message: z.string().optional()}).optional(),
});

export const otlpTracesSchema = z.object({
	resourceSpans: z.array(
		z.object({
			resource: z.object({attributes}).optional(),
			scopeSpans: z
				.array(
					z.object({
						scope: z.object({name: z.string().optional(), version: z.string().optional()}).optional().nullable(),
						spans: z.array(otlpSpan).optional(),
					}),
				)
				.optional(),
		}),
	),
});

export type OtlpTraces = z.infer<typeof otlpTracesSchema>;
type OtlpSpan = z.infer<typeof otlpSpan>;

export class OtlpParseError extends Error {}

/** Nanoseconds to ISO 8601 with all nine digits kept: BigInt, so no float rounding on the way. */
export function toIso(value: string | number): string {
	// Up to 21 digits the milliseconds (all but the last six) stay below 2^53, so they cut out of the
	// text exact, without a BigInt per time: the same text as isoFromNanos gives.
	if (typeof value === 'string' && value.length > 0 && value.length <= 21 && isDigits(value)) {
		const cut = value.length - 6;
		const below = cut > 0 ? value.slice(cut) : value.padStart(6, '0');
		let end = 6;
		while (end > 0 && below.charCodeAt(end - 1) === 48) {
			end--;
		}

		const iso = new Date(cut > 0 ? Number(value.slice(0, cut)) : 0).toISOString();
		return end === 0 ? iso : `${iso.slice(0, -1)}${below.slice(0, end)}Z`;
	}

	return isoFromNanos(typeof value === 'number' ? BigInt(Math.floor(value)) : BigInt(value));
}

function isDigits(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) {
			return false;
		}
	}

	return true;
}

const STATUS_CODE_BY_CODE: Record<string, StatusCode> = {
	'0': 'unset',
	STATUS_CODE_UNSET: 'unset',
	'1': 'ok',
	STATUS_CODE_OK: 'ok',
	'2': 'error',
	STATUS_CODE_ERROR: 'error',
};

const SPAN_KIND_BY_CODE: Record<string, SpanKind> = {
	'1': 'internal',
	SPAN_KIND_INTERNAL: 'internal',
	'2': 'server',
	SPAN_KIND_SERVER: 'server',
	'3': 'client',
	SPAN_KIND_CLIENT: 'client',
	'4': 'producer',
	SPAN_KIND_PRODUCER: 'producer',
	'5': 'consumer',
	SPAN_KIND_CONSUMER: 'consumer',
};

/** OTLP's kind (enum number, or its name in OTLP/JSON); UNSPECIFIED and unknown values say nothing. */
function spanKindOf(kind: number | string | undefined): SpanKind | undefined {
	return kind === undefined ? undefined : SPAN_KIND_BY_CODE[String(kind)];
}

/** OTLP ids are hex, case-insensitive (the same trace in upper and lower case is one trace): shown in lower case. */
export function normalId(id: string): string {
	return /^[0-9a-fA-F]+$/.test(id) ? id.toLowerCase() : id;
}

/** What OTLP said about where a span came from, for every span of a scope. */
export interface OtlpOrigin {
	resource: Record<string, unknown>;
	scope?: SpanScope;
}

function isFailed(span: OtlpSpan): boolean {
	const code = span.status?.code;
	return code === 2 || code === 'STATUS_CODE_ERROR';
}

function parseJsonAttribute(value: unknown): unknown {
	if (typeof value !== 'string') {
		return value;
	}

	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

type OtlpEvent = NonNullable<OtlpSpan['events']>[number];
type SpanBase = Pick<TraceEvent, 'trace_id' | 'span_id' | 'parent_span_id'>;

/** What tracedeck reads out of span events by their name, beside keeping them: retries, stderr lines, the exception. */
interface EventReadings {
	stderr: TraceEvent[];
	error?: {message: string; stack?: string};
}

/** A retry becomes a `<kind>:retry` event (returned); stderr lines and the exception go into `readings`. */
function readEvent(ev: OtlpEvent, evAttrs: Record<string, unknown>, timestamp: string, base: SpanBase, kind: string, readings: EventReadings): TraceEvent | undefined {
	if (ev.name === 'retry') {
		const n = Number(evAttrs['n'] ?? evAttrs['retry.n']);
		const exitCode = Number(evAttrs['exit_code']);
		return {...base, event_type: `${kind}:retry`, timestamp, data: {retry: {n: Number.isFinite(n) ? n : 0, ...(Number.isFinite(exitCode) ? {exit_code: exitCode} : {})}}};
	}

	if (ev.name === 'stderr_tail' || ev.name === 'stderr') {
		const text = evAttrs['lines'] ?? evAttrs['line'] ?? evAttrs['tail'];
		// A tail "a\nb\n" is two lines, not two and an empty one.
		const lines = Array.isArray(text) ? text.map(String) : typeof text === 'string' ? text.replace(/\r?\n$/, '').split(/\r?\n/) : [];
		// One event per line, repeats included and in order: the store tells identical lines apart by their occurrence.
		for (const line of lines) {
			readings.stderr.push({...base, event_type: 'log:stderr', timestamp, data: {line}});
		}
	} else if (ev.name === 'exception') {
		const message = evAttrs['exception.message'];
		const stack = evAttrs['exception.stacktrace'];
		readings.error = {message: typeof message === 'string' ? message : 'exception', ...(typeof stack === 'string' ? {stack} : {})};
	}

	return undefined;
}

function hasEnded(span: OtlpSpan): span is OtlpSpan & {endTimeUnixNano: string | number} {
	return span.endTimeUnixNano !== undefined && Number(span.endTimeUnixNano) > 0;
}

/**
 * A span as any OTLP producer sends it: its attributes, kind, resource, scope,
 * events, links and status are kept as they came (the attributes apart from
 * `data`, so that no attribute name means anything to the fold), and what
 * tracedeck reads out of them (kind of step, retries, stderr, the error) is
 * added beside them. Export gives such a span back as it came.
 */
function foreignSpanEvents(span: OtlpSpan, origin: OtlpOrigin, attrs: Record<string, unknown>, eventAttrs: ReadonlyArray<Record<string, unknown>>, linkAttrs: ReadonlyArray<Record<string, unknown>>): TraceEvent[] {
	// Built member by member rather than spread: this runs for every span a server takes, and each
	// event keeps the members in the order the spreads gave them (trace_id, span_id, parent_span_id, …).
	const parent = span.parentSpanId ? normalId(span.parentSpanId) : undefined;
	const kind = parent ? 'step' : 'workflow';
	const traceId = normalId(span.traceId);
	const spanId = normalId(span.spanId);
	const event = (eventType: string, timestamp: string): TraceEvent => {
		const out = {trace_id: traceId, span_id: spanId} as TraceEvent;
		if (parent) {
			out.parent_span_id = parent;
		}

		out.event_type = eventType;
		out.timestamp = timestamp;
		return out;
	};

	const base: SpanBase = parent ? {trace_id: traceId, span_id: spanId, parent_span_id: parent} : {trace_id: traceId, span_id: spanId};
	const start = event(`${kind}:started`, toIso(span.startTimeUnixNano));
	start.data = {name: span.name};
	if (hasMembers(attrs)) {
		start.attributes = attrs;
	}

	addSpanFacts(start, span, origin, linkAttrs);
	const events: TraceEvent[] = [start];
	const readings: EventReadings = {stderr: []};
	const spanEventList = span.events ?? [];
	for (let i = 0; i < spanEventList.length; i++) {
		const ev = spanEventList[i]!;
		const evAttrs = eventAttrs[i]!;
		const timestamp = toIso(ev.timeUnixNano);
		const recorded = event(SPAN_EVENT_TYPE, timestamp);
		recorded.data = {name: ev.name, attributes: evAttrs};
		events.push(recorded);
		const retry = readEvent(ev, evAttrs, timestamp, base, kind, readings);
		if (retry) {
			events.push(retry);
		}
	}

	for (const line of readings.stderr) {
		events.push(line);
	}

	if (!hasEnded(span)) {
		return events;
	}

	const failed = isFailed(span);
	// span.error is what the failure analysis shows: the exception, else the status message, else "failed".
	// It is tracedeck's reading, not a fact of the span: export writes the status as it came, never this.
	const end = event(`${kind}:${failed ? 'failed' : 'completed'}`, toIso(span.endTimeUnixNano));
	end.status = failed ? 'failed' : 'success';
	if (failed) {
		end.data = {error: readings.error ?? {message: span.status?.message || 'failed'}};
	}

	events.push(end);
	return events;
}

function hasMembers(record: Record<string, unknown>): boolean {
	for (const key in record) {
		if (Object.hasOwn(record, key)) {
			return true;
		}
	}

	return false;
}

/** The facts a TraceEvent producer's span had, as tracedeck's export wrote them down (INTERNAL.facts); anything malformed is left out. */
function exportedFacts(text: unknown): Partial<TraceEvent> {
	const facts = parseJsonAttribute(text);
	if (!isRecord(facts)) {
		return {};
	}

	const out: Partial<TraceEvent> = {};
	if (SPAN_KINDS.includes(facts['span_kind'] as SpanKind)) {
		out.span_kind = facts['span_kind'] as SpanKind;
	}

	if (typeof facts['service'] === 'string') {
		out.service = facts['service'];
	}

	if (isRecord(facts['resource'])) {
		out.resource = facts['resource'];
	}

	const scope = facts['scope'];
	if (isRecord(scope) && typeof scope['name'] === 'string') {
		out.scope = typeof scope['version'] === 'string' ? {name: scope['name'], version: scope['version']} : {name: scope['name']};
	}

	if (typeof facts['status_message'] === 'string') {
		out.status_message = facts['status_message'];
	}

	for (const key of ['parent_trace_id', 'correlation_id'] as const) {
		const value = facts[key];
		if (typeof value === 'string' && value !== '') {
			out[key] = value;
		}
	}

	return out;
}

/**
 * A span of a TraceEvent producer as tracedeck's own export wrote it (it has
 * INTERNAL.kind): its attributes are already its full data, and the rest is
 * restored exactly from what the export wrote down, so that export then
 * ingest gives back the same span. Its ids need not be hex and stay as they are.
 */
function exportedSpanEvents(span: OtlpSpan, attrs: Record<string, unknown>, eventAttrs: ReadonlyArray<Record<string, unknown>>, linkAttrs: ReadonlyArray<Record<string, unknown>>): TraceEvent[] {
	const parent = span.parentSpanId || undefined;
	const kind = attrs[INTERNAL.kind] as string;
	const data: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(attrs)) {
		if (key === '__proto__') {
			// A member, not the prototype (fromKeyValues keeps it so): assigning would drop it and reshape `data`.
			Object.defineProperty(data, key, {value, enumerable: true, writable: true, configurable: true});
		} else if (!Object.values(INTERNAL).includes(key as never)) {
			data[key] = value;
		}
	}

	// After the attributes: an attribute called "name" must not rename the span.
	data['name'] = span.name;
	if (attrs[INTERNAL.input] !== undefined) {
		data['input'] = parseJsonAttribute(attrs[INTERNAL.input]);
	}

	const tags = Array.isArray(attrs[INTERNAL.tags]) ? (attrs[INTERNAL.tags] as unknown[]).filter((t): t is string => typeof t === 'string') : undefined;
	const base: SpanBase = {trace_id: span.traceId, span_id: span.spanId, ...(parent ? {parent_span_id: parent} : {})};
	const links = linksOf(span, text => text, linkAttrs);
	const start: TraceEvent = {
		...base,
		event_type: `${kind}:started`,
		timestamp: toIso(span.startTimeUnixNano),
		data,
		...(tags ? {tags} : {}),
		...exportedFacts(attrs[INTERNAL.facts]),
		...(links ? {links} : {}),
	};
	const events: TraceEvent[] = [start];
	const readings: EventReadings = {stderr: []};
	const own = Number(attrs[INTERNAL.spanEvents] ?? 0);
	for (const [i, ev] of (span.events ?? []).entries()) {
		const evAttrs = eventAttrs[i]!;
		const timestamp = toIso(ev.timeUnixNano);
		// Exports before INTERNAL.spanEvents only wrote events that encode retries, stderr and the error.
		const retry = i < own ? {...base, event_type: SPAN_EVENT_TYPE, timestamp, data: {name: ev.name, attributes: evAttrs}} : readEvent(ev, evAttrs, timestamp, base, kind, readings);
		if (retry) {
			events.push(retry);
		}
	}

	// Folding gives a span that only has log lines the kind "step", and the next event may still say
	// otherwise; so these spans get their lines first, and fold to the kind they were exported with.
	events.unshift(...readings.stderr);
	const output = attrs[INTERNAL.output] === undefined ? undefined : parseJsonAttribute(attrs[INTERNAL.output]);
	const declared = typeof attrs[INTERNAL.endEventType] === 'string' ? (attrs[INTERNAL.endEventType] as string) : undefined;
	if (!hasEnded(span)) {
		// Still open: what an end event would carry goes on the start event, and
		// the last event type comes back on a pending event that leaves it open.
		if (output !== undefined) {
			data['output'] = output;
		}

		if (readings.error) {
			data['error'] = readings.error;
		}

		const lastType = events.findLast(event => !event.event_type.startsWith('log:') && event.event_type !== SPAN_EVENT_TYPE)?.event_type;
		if (declared !== undefined && declared !== lastType) {
			// Stamped with the span's latest event, so that in fold order it comes after every retry and update it had.
			const latest = events.reduce((max, event) => (eventTimeMs(event) > eventTimeMs(max) ? event : max), start);
			events.push({...base, event_type: declared, timestamp: latest.timestamp, status: 'pending'});
		}

		return events;
	}

	const failed = isFailed(span);
	const endData: Record<string, unknown> = {};
	if (readings.error) {
		endData['error'] = readings.error;
	}

	if (output !== undefined) {
		endData['output'] = output;
	}

	const eventType = declared ?? `${kind}:${failed ? 'failed' : 'completed'}`;
	events.push({...base, event_type: eventType, timestamp: toIso(span.endTimeUnixNano), status: failed ? 'failed' : 'success', ...(Object.keys(endData).length > 0 ? {data: endData} : {})});
	return events;
}

function spanEvents(span: OtlpSpan, origin: OtlpOrigin, rule: OtlpIdRule, where: string): TraceEvent[] {
	const attrs = fromKeyValues((span.attributes ?? []) as OtlpKeyValue[]);
	// tracedeck's own export writes tracedeck.kind on every span of a TraceEvent producer (see exportedSpanEvents).
	const exported = typeof attrs[INTERNAL.kind] === 'string';
	// Decoded once, for the checks and then the events: each event and link gets an object of its own.
	const events = (span.events ?? []).map(ev => fromKeyValues((ev.attributes ?? []) as OtlpKeyValue[]));
	const links = (span.links ?? []).map(link => fromKeyValues((link.attributes ?? []) as OtlpKeyValue[]));
	const problem = otlpSpanProblem(span, {span: attrs, events, links}, exported, rule);
	if (problem !== undefined) {
		throw new OtlpParseError(`${where}.${problem}`);
	}

	return exported ? exportedSpanEvents(span, attrs, events, links) : foreignSpanEvents(span, origin, attrs, events, links);
}

/** `linkAttrs`: the links' decoded attributes, in order (spanEvents decodes them once for the checks and the events). */
function linksOf(span: OtlpSpan, id: (text: string) => string, linkAttrs: ReadonlyArray<Record<string, unknown>>): SpanLink[] | undefined {
	if (span.links === undefined || span.links.length === 0) {
		return undefined;
	}

	return span.links.map(
		(link, i): SpanLink => ({
			trace_id: id(link.traceId),
			span_id: id(link.spanId),
			attributes: linkAttrs[i]!,
		}),
	);
}

/** Kind, service, resource, scope, links and status: what a foreign span says about itself beyond its data, added to its start event in that order. */
function addSpanFacts(start: TraceEvent, span: OtlpSpan, origin: OtlpOrigin, linkAttrs: ReadonlyArray<Record<string, unknown>>): void {
	start.status_code = STATUS_CODE_BY_CODE[String(span.status?.code ?? 0)] ?? 'unset';
	const kind = spanKindOf(span.kind);
	if (kind !== undefined) {
		start.span_kind = kind;
	}

	const service = origin.resource['service.name'];
	if (typeof service === 'string' && service !== '') {
		start.service = service;
	}

	if (hasMembers(origin.resource)) {
		start.resource = origin.resource;
	}

	if (origin.scope !== undefined) {
		start.scope = origin.scope;
	}

	const links = linksOf(span, normalId, linkAttrs);
	if (links) {
		start.links = links;
	}

	if (span.status?.message) {
		start.status_message = span.status.message;
	}
}

export function describeIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	return issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'invalid OTLP';
}

function checkedBySchema(document: unknown): OtlpTraces {
	// Checked first: the recursive AnyValue schema itself would overflow the stack.
	if (nestsDeeperThan(document)) {
		throw new OtlpParseError(`document: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	const result = otlpTracesSchema.safeParse(document);
	if (!result.success) {
		throw new OtlpParseError(describeIssue(result.error));
	}

	return result.data;
}

/**
 * Convert an OTLP JSON export into TraceEvents: a start event and (when ended) an end event per span.
 * `rule` says which ids to accept (see OtlpIdRule): OTLP's own unless the spans came from Jaeger or Zipkin.
 */
export function otlpToEvents(document: unknown, rule: OtlpIdRule = 'otlp', schema: 'when-needed' | 'always' = 'when-needed'): TraceEvent[] {
	// The hand-written check (otlp-traces-shape.ts) stands for the schema on what it accepts;
	// `always` runs the schema anyway, for the tests that hold the two alike.
	const data = schema === 'when-needed' && fitsOtlpTracesSchema(document) ? document : checkedBySchema(document);
	const events: TraceEvent[] = [];
	for (const [i, rs] of data.resourceSpans.entries()) {
		const resourceAttrs = fromKeyValues((rs.resource?.attributes ?? []) as OtlpKeyValue[]);
		const resourceProblem = otlpResourceProblem(resourceAttrs);
		if (resourceProblem !== undefined) {
			throw new OtlpParseError(`resourceSpans.${i}.${resourceProblem}`);
		}

		for (const [j, ss] of (rs.scopeSpans ?? []).entries()) {
			const name = ss.scope?.name;
			const version = ss.scope?.version;
			// An empty scope name is OTLP's "unknown": no scope said.
			const scope = name ? {name, ...(version ? {version} : {})} : undefined;
			const origin: OtlpOrigin = scope ? {resource: resourceAttrs, scope} : {resource: resourceAttrs};
			for (const [k, span] of (ss.spans ?? []).entries()) {
				events.push(...spanEvents(span, origin, rule, `resourceSpans.${i}.scopeSpans.${j}.spans.${k}`));
			}
		}
	}

	return events;
}
