import {z} from 'zod';
import {isoFromNanos} from '../core/iso-time.js';
import {SPAN_EVENT_TYPE, type SpanKind, type SpanLink, type SpanScope, type TraceEvent} from '../core/trace-event.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import {fromKeyValues, type OtlpKeyValue} from './otlp-attributes.js';
import {otlpResourceProblem, otlpSpanProblem, type OtlpIdRule} from './otlp-span-checks.js';

/** OTLP/JSON's AnyValue, KeyValue lists and nanosecond times, as the trace and the logs converters (otlp-logs-to-events.ts) read them. */
export const anyValue: z.ZodType<unknown> = z.lazy(() => z.object({
	stringValue: z.string().optional(),
	boolValue: z.boolean().optional(),
	intValue: z.union([z.string(), z.number()]).optional(),
	doubleValue: z.union([z.number(), z.string()]).optional(),
	arrayValue: z.object({values: z.array(anyValue).optional()}).optional(),
	kvlistValue: z.object({values: z.array(keyValue).optional()}).optional(),
	bytesValue: z.string().optional(),
}));
const keyValue: z.ZodType<unknown> = z.object({key: z.string(), value: anyValue.optional()});
export const attributes = z.array(keyValue).optional();
// The latest instant a Date can hold, in nanoseconds: beyond it toISOString throws.
const MAX_NANOS = 8_640_000_000_000_000_000_000n;
export const nanos = z.union([z.string().regex(/^\d+$/, 'a time in unix nanoseconds'), z.number().nonnegative()])
	// Zod runs this even when the regex above failed, so it checks the digits again before BigInt.
	.refine(value => typeof value === 'number' ? value <= Number(MAX_NANOS) : /^\d+$/.test(value) && BigInt(value) <= MAX_NANOS, 'a time in unix nanoseconds before the year 275760');

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
	resourceSpans: z.array(z.object({
		resource: z.object({attributes}).optional(),
		scopeSpans: z.array(z.object({
			scope: z.object({name: z.string().optional(), version: z.string().optional()}).optional().nullable(),
			spans: z.array(otlpSpan).optional(),
		})).optional(),
	})),
});

export type OtlpTraces = z.infer<typeof otlpTracesSchema>;
type OtlpSpan = z.infer<typeof otlpSpan>;

export class OtlpParseError extends Error {}

/** Attributes tracedeck writes on export so that ingest restores the same spans. */
const INTERNAL = {
	kind: 'tracedeck.kind',
	endEventType: 'tracedeck.end_event_type',
	input: 'tracedeck.input',
	output: 'tracedeck.output',
	tags: 'tracedeck.tags',
} as const;
const RUN_FIELDS: Record<string, string> = {
	'devcmd.env': 'env',
	'devcmd.target': 'target',
	'devcmd.plan_hash': 'plan_hash',
	'runner.id': 'runner',
	'devcmd.user': 'user',
	'devcmd.total_steps': 'total_steps',
};

/** Nanoseconds to ISO 8601 with all nine digits kept: BigInt, so no float rounding on the way. */
export function toIso(value: string | number): string {
	return isoFromNanos(typeof value === 'number' ? BigInt(Math.floor(value)) : BigInt(value));
}

const SPAN_KIND_BY_CODE: Record<string, SpanKind> = {
	'1': 'internal', SPAN_KIND_INTERNAL: 'internal',
	'2': 'server', SPAN_KIND_SERVER: 'server',
	'3': 'client', SPAN_KIND_CLIENT: 'client',
	'4': 'producer', SPAN_KIND_PRODUCER: 'producer',
	'5': 'consumer', SPAN_KIND_CONSUMER: 'consumer',
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

/** The run's fields, from resource attributes overlaid with the root span's own. */
function runFields(attrs: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const runId = attrs['devcmd.run_id'] ?? attrs['tracedeck.run_id'];
	if (typeof runId === 'string' && runId !== '') {
		out['run_id'] = runId;
	}

	for (const [from, to] of Object.entries(RUN_FIELDS)) {
		if (attrs[from] !== undefined) {
			out[to] = attrs[from];
		}
	}

	const sha = attrs['git.sha'] ?? attrs['vcs.ref.head.revision'];
	const branch = attrs['git.branch'] ?? attrs['vcs.ref.head.name'];
	if (typeof sha === 'string' || typeof branch === 'string') {
		out['git'] = {...(typeof sha === 'string' ? {sha} : {}), ...(typeof branch === 'string' ? {branch} : {})};
	}

	return out;
}

function spanEvents(span: OtlpSpan, origin: OtlpOrigin, rule: OtlpIdRule, where: string): TraceEvent[] {
	const resourceAttrs = origin.resource;
	const attrs = fromKeyValues((span.attributes ?? []) as OtlpKeyValue[]);
	// tracedeck's own export writes tracedeck.kind on every span. Such a span's
	// attributes are already its full data, and the rest is restored exactly
	// rather than guessed, so that export then ingest gives back the same span.
	const exported = typeof attrs[INTERNAL.kind] === 'string';
	const problem = otlpSpanProblem(span, {
		span: attrs,
		events: (span.events ?? []).map(ev => fromKeyValues((ev.attributes ?? []) as OtlpKeyValue[])),
		links: (span.links ?? []).map(link => fromKeyValues((link.attributes ?? []) as OtlpKeyValue[])),
	}, exported, rule);
	if (problem !== undefined) {
		throw new OtlpParseError(`${where}.${problem}`);
	}

	// tracedeck's ids need not be hex, and its own export gives them back as they were.
	const id = exported ? (text: string) => text : normalId;
	const parent = span.parentSpanId ? id(span.parentSpanId) : undefined;
	const kind = exported ? attrs[INTERNAL.kind] as string : parent ? 'step' : 'workflow';
	const data: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(attrs)) {
		if (!Object.values(INTERNAL).includes(key as never)) {
			data[key] = value;
		}
	}

	// After the attributes: an attribute called "name" must not rename the span.
	data['name'] = span.name;
	if (!parent && !exported) {
		Object.assign(data, runFields({...resourceAttrs, ...attrs}));
	}

	if (attrs[INTERNAL.input] !== undefined) {
		data['input'] = parseJsonAttribute(attrs[INTERNAL.input]);
	}

	const tags = Array.isArray(attrs[INTERNAL.tags]) ? (attrs[INTERNAL.tags] as unknown[]).filter((t): t is string => typeof t === 'string') : undefined;
	const base = {trace_id: id(span.traceId), span_id: id(span.spanId), ...(parent ? {parent_span_id: parent} : {})};
	const start: TraceEvent = {...base, event_type: `${kind}:started`, timestamp: toIso(span.startTimeUnixNano), data, ...(tags ? {tags} : {})};
	// Today's export writes kind INTERNAL, service "tracedeck" and scope "tracedeck" for every span
	// (made up, not what was received), so on our own spans they are not facts to keep.
	if (!exported) {
		Object.assign(start, spanFacts(span, origin));
	}

	const events: TraceEvent[] = [start];
	const stderr: TraceEvent[] = [];
	let errorFromEvents: {message: string; stack?: string} | undefined;
	for (const ev of span.events ?? []) {
		const evAttrs = fromKeyValues((ev.attributes ?? []) as OtlpKeyValue[]);
		const timestamp = toIso(ev.timeUnixNano);
		// Every event of a foreign span is kept as it came; our own export's events only encode retries, stderr and the error.
		if (!exported) {
			events.push({...base, event_type: SPAN_EVENT_TYPE, timestamp, data: {name: ev.name, attributes: evAttrs}});
		}

		if (ev.name === 'retry') {
			const n = Number(evAttrs['n'] ?? evAttrs['retry.n']);
			const exitCode = Number(evAttrs['exit_code']);
			events.push({...base, event_type: `${kind}:retry`, timestamp, data: {retry: {n: Number.isFinite(n) ? n : 0, ...(Number.isFinite(exitCode) ? {exit_code: exitCode} : {})}}});
		} else if (ev.name === 'stderr_tail' || ev.name === 'stderr') {
			const text = evAttrs['lines'] ?? evAttrs['line'] ?? evAttrs['tail'];
			// A tail "a\nb\n" is two lines, not two and an empty one.
			const lines = Array.isArray(text) ? text.map(String) : typeof text === 'string' ? text.replace(/\r?\n$/, '').split(/\r?\n/) : [];
			// One event per line, repeats included and in order: the store tells identical lines apart by their occurrence.
			for (const line of lines) {
				stderr.push({...base, event_type: 'log:stderr', timestamp, data: {line}});
			}
		} else if (ev.name === 'exception') {
			const message = evAttrs['exception.message'];
			const stack = evAttrs['exception.stacktrace'];
			errorFromEvents = {message: typeof message === 'string' ? message : 'exception', ...(typeof stack === 'string' ? {stack} : {})};
		}
	}

	// Folding gives a span that only has log lines the kind "step", and the next event may still say
	// otherwise; so our own spans get their lines first, and fold to the kind they were exported with.
	events.splice(exported ? 0 : events.length, 0, ...stderr);
	const output = attrs[INTERNAL.output] === undefined ? undefined : parseJsonAttribute(attrs[INTERNAL.output]);
	const declared = typeof attrs[INTERNAL.endEventType] === 'string' ? attrs[INTERNAL.endEventType] as string : undefined;
	if (span.endTimeUnixNano === undefined || Number(span.endTimeUnixNano) <= 0) {
		if (exported) {
			// Still open: what an end event would carry goes on the start event, and
			// the last event type comes back on a pending event that leaves it open.
			if (output !== undefined) {
				data['output'] = output;
			}

			if (errorFromEvents) {
				data['error'] = errorFromEvents;
			}

			const lastType = events.findLast(event => !event.event_type.startsWith('log:'))?.event_type;
			if (declared !== undefined && declared !== lastType) {
				events.push({...base, event_type: declared, timestamp: start.timestamp, status: 'pending'});
			}
		}

		return events;
	}

	const failed = isFailed(span);
	const endData: Record<string, unknown> = {};
	// A foreign failed span without an exception event still gets a message; our own spans say exactly what they had.
	const error = exported ? errorFromEvents : failed ? errorFromEvents ?? {message: span.status?.message || 'failed'} : undefined;
	if (error) {
		endData['error'] = error;
	}

	if (output !== undefined) {
		endData['output'] = output;
	}

	const eventType = declared ?? `${kind}:${failed ? 'failed' : 'completed'}`;
	const message = !exported && span.status?.message ? {status_message: span.status.message} : {};
	events.push({...base, event_type: eventType, timestamp: toIso(span.endTimeUnixNano), status: failed ? 'failed' : 'success', ...message, ...(Object.keys(endData).length > 0 ? {data: endData} : {})});
	return events;
}

/** Kind, service, resource, scope and links: what a foreign span says about itself beyond its data. */
function spanFacts(span: OtlpSpan, origin: OtlpOrigin): Partial<TraceEvent> {
	const facts: Partial<TraceEvent> = {};
	const kind = spanKindOf(span.kind);
	if (kind !== undefined) {
		facts.span_kind = kind;
	}

	const service = origin.resource['service.name'];
	if (typeof service === 'string' && service !== '') {
		facts.service = service;
	}

	if (Object.keys(origin.resource).length > 0) {
		facts.resource = origin.resource;
	}

	if (origin.scope !== undefined) {
		facts.scope = origin.scope;
	}

	if (span.links !== undefined && span.links.length > 0) {
		facts.links = span.links.map((link): SpanLink => ({
			trace_id: normalId(link.traceId),
			span_id: normalId(link.spanId),
			attributes: fromKeyValues((link.attributes ?? []) as OtlpKeyValue[]),
		}));
	}

	return facts;
}

export function describeIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	return issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'invalid OTLP';
}

/**
 * Convert an OTLP JSON export into TraceEvents: a start event and (when ended) an end event per span.
 * `rule` says which ids to accept (see OtlpIdRule): OTLP's own unless the spans came from Jaeger or Zipkin.
 */
export function otlpToEvents(document: unknown, rule: OtlpIdRule = 'otlp'): TraceEvent[] {
	// Checked first: the recursive AnyValue schema itself would overflow the stack.
	if (nestsDeeperThan(document)) {
		throw new OtlpParseError(`document: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	const result = otlpTracesSchema.safeParse(document);
	if (!result.success) {
		throw new OtlpParseError(describeIssue(result.error));
	}

	const events: TraceEvent[] = [];
	for (const [i, rs] of result.data.resourceSpans.entries()) {
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
