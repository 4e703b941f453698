import {z} from 'zod';
import {canonicalIso, isoToMs} from '../core/iso-time.js';
import {idProblem, identifierProblem, isoDateProblem, jsonValueProblem, MAX_EVENT_TYPE_LENGTH, MAX_JSON_DEPTH, MAX_KEY_LENGTH, MAX_STRING_LENGTH, nameProblem} from '../core/input-limits.js';
import {SPAN_KINDS, STATUS_CODES, type StatusCode, type TraceEvent} from '../core/trace-event.js';
import {eventIdProblem} from './event-id.js';
import {nestsDeeperThan} from './json-depth.js';

// Up to nanoseconds: more digits would claim a precision no producer has.
const ISO_WITH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** A zod refinement from one of core/input-limits' checks, so that every edge words a refusal alike. */
function checked(base: z.ZodString, check: (value: string) => string | undefined) {
	return base.superRefine((value, context) => {
		const problem = check(value);
		if (problem !== undefined) {
			context.addIssue({code: 'custom', message: problem});
		}
	});
}

const id = checked(z.string().min(1), idProblem);
const MAX_LINKS = 1000;
const attributes = z.record(z.string(), z.unknown());

const eventId = z.string().superRefine((value, context) => {
	const problem = eventIdProblem(value);
	if (problem !== undefined) {
		context.addIssue({code: 'custom', message: `must be ${problem}`});
	}
});

export const traceEventSchema = z.object({
	trace_id: id,
	span_id: id,
	parent_span_id: id.nullish(),
	event_type: z.string().min(1).max(MAX_EVENT_TYPE_LENGTH),
	timestamp: checked(z.string().regex(ISO_WITH_TIME, 'an ISO 8601 time like 2026-01-31T12:00:00.000Z (up to 9 fractional digits)'), isoDateProblem).refine(text => !Number.isNaN(isoToMs(text)), 'a real date'),
	status: z.enum(['success', 'failed', 'pending']).nullish(),
	data: z.record(z.string(), z.unknown()).nullish(),
	tags: z.array(z.string()).nullish(),
	parent_trace_id: id.nullish(),
	correlation_id: z.string().nullish(),
	event_id: eventId.nullish(),
	span_kind: z.enum(SPAN_KINDS as [string, ...string[]]).nullish(),
	service: z.string().max(512).nullish(),
	resource: attributes.nullish(),
	scope: z.object({name: z.string().max(512), version: z.string().max(256).nullish()}).nullish(),
	links: z
		.array(z.object({trace_id: id, span_id: id, attributes: attributes.nullish()}))
		.max(MAX_LINKS, `at most ${MAX_LINKS} links`)
		.nullish(),
	status_message: z.string().max(65_536).nullish(),
	status_code: z.enum(STATUS_CODES as [string, ...string[]]).nullish(),
	attributes: attributes.nullish(),
});

/** A validation failure, phrased for one line of stderr. */
export class EventParseError extends Error {}

function firstIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	if (!issue) {
		return 'invalid event';
	}

	const where = issue.path.length > 0 ? issue.path.join('.') : 'event';
	return `${where}: ${issue.message}`;
}

/** The data fields that name a run: identifiers, which must print as what they are. */
const RUN_IDENTIFIERS = ['run_id', 'env', 'target', 'user'] as const;

/** What the schema cannot say: sizes and well-formed text at any depth, the span's name, the run's identifiers. */
function contentProblem(e: z.infer<typeof traceEventSchema>): string | undefined {
	for (const [where, value] of [
		['data', e.data],
		['resource', e.resource],
		['tags', e.tags],
		['links', e.links],
		['status_message', e.status_message],
		['correlation_id', e.correlation_id],
	] as const) {
		const problem = value === undefined || value === null ? undefined : jsonValueProblem(value, where, MAX_JSON_DEPTH - 1);
		if (problem !== undefined) {
			return problem;
		}
	}

	const name = e.data?.['name'];
	const nameIssue = typeof name === 'string' ? nameProblem(name) : undefined;
	if (nameIssue !== undefined) {
		return `data.name: ${nameIssue}`;
	}

	for (const key of RUN_IDENTIFIERS) {
		const value = e.data?.[key];
		const issue = typeof value === 'string' ? identifierProblem(value) : undefined;
		if (issue !== undefined) {
			return `data.${key}: ${issue}`;
		}
	}

	return undefined;
}

type ParsedEvent = z.infer<typeof traceEventSchema>;

/** The schema's full walk (zod, then the content checks), which words every refusal: run for whatever the fast check below does not pass. */
function parseSlowly(value: unknown): ParsedEvent {
	// Checked before the schema, which would otherwise walk all of it; the problem names where it is.
	const deep = nestsDeeperThan(value) ? jsonValueProblem(value, 'event') : undefined;
	if (deep !== undefined) {
		throw new EventParseError(deep.replace(/^event\./, ''));
	}

	const result = traceEventSchema.safeParse(value);
	if (!result.success) {
		throw new EventParseError(firstIssue(result.error));
	}

	const problem = contentProblem(result.data);
	if (problem !== undefined) {
		throw new EventParseError(problem);
	}

	return result.data;
}

/*
 * The fast check: true only for a value the slow walk would take as it is,
 * answered without zod and without building a path per member (zod was a
 * third of `tracedeck ingest`). Anything it is unsure of (a failure, a
 * record that is not a plain object, a "__proto__" key that zod would drop)
 * goes the slow way, which refuses it or gives the same event.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Where surrogates are, at all: most text has none, and one test of this is cheaper than the lone-surrogate one.
const SURROGATE = /[\ud800-\udfff]/;
const STATUSES = new Set(['success', 'failed', 'pending']);
const SPAN_KIND_SET = new Set<string>(SPAN_KINDS);
const STATUS_CODE_SET = new Set<string>(STATUS_CODES);

function goodText(text: string): boolean {
	return !SURROGATE.test(text) || !LONE_SURROGATE.test(text);
}

/** What jsonValueProblem(value, where, MAX_JSON_DEPTH - 1) passes, without the paths: `depth` as there, 0 for the field itself. */
function goodJson(value: unknown, depth: number): boolean {
	if (typeof value === 'string') {
		return value.length <= MAX_STRING_LENGTH && goodText(value);
	}

	if (value === null || typeof value !== 'object') {
		return true;
	}

	if (depth >= MAX_JSON_DEPTH - 1) {
		return false;
	}

	if (Array.isArray(value)) {
		for (const item of value) {
			if (!goodJson(item, depth + 1)) {
				return false;
			}
		}

		return true;
	}

	// Plain objects only (see plainRecord), so for-in visits exactly Object.entries' keys.
	if (Object.getPrototypeOf(value) !== Object.prototype) {
		return false;
	}

	for (const key in value) {
		if (key.length > MAX_KEY_LENGTH || !goodText(key) || !goodJson((value as Record<string, unknown>)[key], depth + 1)) {
			return false;
		}
	}

	return true;
}

/** A record zod passes through unchanged: a plain object (for-in sees its own keys only) without a "__proto__" member, which zod drops. */
function plainRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, '__proto__');
}

const absent = (value: unknown): value is null | undefined => value === undefined || value === null;
const goodId = (value: unknown): boolean => typeof value === 'string' && value.length > 0 && idProblem(value) === undefined;
const optionalId = (value: unknown): boolean => absent(value) || goodId(value);
const optionalText = (value: unknown, max: number): boolean => absent(value) || (typeof value === 'string' && value.length <= max);
const optionalRecord = (value: unknown): boolean => absent(value) || plainRecord(value);
const optionalContent = (value: unknown): boolean => absent(value) || goodJson(value, 0);

// The form every stored timestamp has (canonicalIso's, nothing below the millisecond), which most files already use.
const CANONICAL_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const isCanonicalForm = (text: string): boolean => text.length === 24 && CANONICAL_MS.test(text);

function twoDigits(text: string, at: number): number {
	return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

function daysIn(year: number, month: number): number {
	return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A canonical-form time of a day that exists (isoDateProblem's rules for this form, without its regex and Date). */
function realCanonicalTime(text: string): boolean {
	if (!isCanonicalForm(text)) {
		return false;
	}

	const month = twoDigits(text, 5);
	const day = twoDigits(text, 8);
	return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(text.slice(0, 4)), month) && twoDigits(text, 11) <= 23 && twoDigits(text, 14) <= 59 && twoDigits(text, 17) <= 59;
}

function goodTimestamp(value: unknown): value is string {
	return typeof value === 'string' && (realCanonicalTime(value) || (ISO_WITH_TIME.test(value) && isoDateProblem(value) === undefined && !Number.isNaN(isoToMs(value))));
}

function goodLinks(value: unknown): boolean {
	if (absent(value)) {
		return true;
	}

	if (!Array.isArray(value) || value.length > MAX_LINKS) {
		return false;
	}

	return value.every(link => plainRecord(link) && goodId(link['trace_id']) && goodId(link['span_id']) && optionalRecord(link['attributes']));
}

function goodScope(value: unknown): boolean {
	return absent(value) || (plainRecord(value) && typeof value['name'] === 'string' && value['name'].length <= 512 && optionalText(value['version'], 256));
}

function goodData(value: unknown): boolean {
	if (absent(value)) {
		return true;
	}

	if (!plainRecord(value) || !goodJson(value, 0)) {
		return false;
	}

	const name = value['name'];
	return (typeof name !== 'string' || nameProblem(name) === undefined) && RUN_IDENTIFIERS.every(key => typeof value[key] !== 'string' || identifierProblem(value[key]) === undefined);
}

/** Whether the slow walk would take `value` as it is (see above). */
function passesFast(value: unknown): value is ParsedEvent {
	if (!plainRecord(value) || nestsDeeperThan(value)) {
		return false;
	}

	const e = value;
	const eventType = e['event_type'];
	const tags = e['tags'];
	const eventId = e['event_id'];
	return (
		goodId(e['trace_id']) &&
		goodId(e['span_id']) &&
		optionalId(e['parent_span_id']) &&
		typeof eventType === 'string' &&
		eventType.length > 0 &&
		eventType.length <= MAX_EVENT_TYPE_LENGTH &&
		goodTimestamp(e['timestamp']) &&
		(absent(e['status']) || STATUSES.has(e['status'] as string)) &&
		goodData(e['data']) &&
		(absent(tags) || (Array.isArray(tags) && tags.every(tag => typeof tag === 'string') && goodJson(tags, 0))) &&
		optionalId(e['parent_trace_id']) &&
		(absent(e['correlation_id']) || (typeof e['correlation_id'] === 'string' && goodJson(e['correlation_id'], 0))) &&
		(absent(eventId) || (typeof eventId === 'string' && eventIdProblem(eventId) === undefined)) &&
		(absent(e['span_kind']) || SPAN_KIND_SET.has(e['span_kind'] as string)) &&
		optionalText(e['service'], 512) &&
		optionalRecord(e['resource']) &&
		optionalContent(e['resource']) &&
		goodScope(e['scope']) &&
		goodLinks(e['links']) &&
		optionalContent(e['links']) &&
		optionalText(e['status_message'], 65_536) &&
		optionalContent(e['status_message']) &&
		(absent(e['status_code']) || STATUS_CODE_SET.has(e['status_code'] as string)) &&
		optionalRecord(e['attributes'])
	);
}

/**
 * Validate an untrusted value as a TraceEvent and normalize it: null optionals
 * are dropped and the timestamp is re-written as ISO 8601 UTC with milliseconds
 * and the digits below them it had.
 */
export function parseTraceEvent(value: unknown): TraceEvent {
	return normalized(passesFast(value) ? value : parseSlowly(value));
}

/** parseTraceEvent without the fast check: what the tests hold the fast check to. */
export function parseTraceEventSlowly(value: unknown): TraceEvent {
	return normalized(parseSlowly(value));
}

function normalized(e: ParsedEvent): TraceEvent {
	const event: TraceEvent = {
		trace_id: e.trace_id,
		span_id: e.span_id,
		event_type: e.event_type,
		// A checked time in the canonical form is its own canonical form: no Date round trip.
		timestamp: isCanonicalForm(e.timestamp) ? e.timestamp : canonicalIso(e.timestamp),
	};
	if (e.parent_span_id) {
		event.parent_span_id = e.parent_span_id;
	}

	if (e.status) {
		event.status = e.status;
	}

	if (e.data) {
		event.data = e.data;
	}

	if (e.tags) {
		event.tags = e.tags;
	}

	if (e.parent_trace_id) {
		event.parent_trace_id = e.parent_trace_id;
	}

	if (e.correlation_id) {
		event.correlation_id = e.correlation_id;
	}

	if (e.event_id) {
		event.event_id = e.event_id;
	}

	if (e.span_kind) {
		event.span_kind = e.span_kind as NonNullable<TraceEvent['span_kind']>;
	}

	if (e.service) {
		event.service = e.service;
	}

	if (e.resource) {
		event.resource = e.resource;
	}

	if (e.scope) {
		event.scope = e.scope.version ? {name: e.scope.name, version: e.scope.version} : {name: e.scope.name};
	}

	if (e.links) {
		event.links = e.links.map(link => ({trace_id: link.trace_id, span_id: link.span_id, attributes: link.attributes ?? {}}));
	}

	if (e.status_message) {
		event.status_message = e.status_message;
	}

	if (e.status_code) {
		event.status_code = e.status_code as StatusCode;
	}

	if (e.attributes) {
		event.attributes = e.attributes;
	}

	return event;
}

/** Parse one JSON Lines line; the message names what is wrong, the caller adds file and line. */
export function parseTraceEventLine(line: string): TraceEvent {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch (error) {
		throw new EventParseError(`not JSON (${(error as Error).message})`);
	}

	return parseTraceEvent(value);
}
