import {z} from 'zod';
import {canonicalIso, isoToMs} from '../core/iso-time.js';
import {idProblem, identifierProblem, isoDateProblem, jsonValueProblem, MAX_EVENT_TYPE_LENGTH, MAX_JSON_DEPTH, nameProblem} from '../core/input-limits.js';
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

/**
 * Validate an untrusted value as a TraceEvent and normalize it: null optionals
 * are dropped and the timestamp is re-written as ISO 8601 UTC with milliseconds
 * and the digits below them it had.
 */
export function parseTraceEvent(value: unknown): TraceEvent {
	// Checked before the schema, which would otherwise walk all of it; the problem names where it is.
	const deep = nestsDeeperThan(value) ? jsonValueProblem(value, 'event') : undefined;
	if (deep !== undefined) {
		throw new EventParseError(deep.replace(/^event\./, ''));
	}

	const result = traceEventSchema.safeParse(value);
	if (!result.success) {
		throw new EventParseError(firstIssue(result.error));
	}

	const e = result.data;
	const problem = contentProblem(e);
	if (problem !== undefined) {
		throw new EventParseError(problem);
	}
	const event: TraceEvent = {
		trace_id: e.trace_id,
		span_id: e.span_id,
		event_type: e.event_type,
		timestamp: canonicalIso(e.timestamp),
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
