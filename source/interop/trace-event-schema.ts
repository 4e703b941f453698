import {z} from 'zod';
import {canonicalIso, isoToMs} from '../core/iso-time.js';
import {SPAN_KINDS, STATUS_CODES, type StatusCode, type TraceEvent} from '../core/trace-event.js';
import {eventIdProblem} from './event-id.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';

// Up to nanoseconds: more digits would claim a precision no producer has.
const ISO_WITH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const id = z.string().min(1).max(512);
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
	event_type: z.string().min(1).max(256),
	timestamp: z.string().regex(ISO_WITH_TIME, 'an ISO 8601 time like 2026-01-31T12:00:00.000Z (up to 9 fractional digits)').refine(text => !Number.isNaN(isoToMs(text)), 'a real date'),
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
	links: z.array(z.object({trace_id: id, span_id: id, attributes: attributes.nullish()})).max(MAX_LINKS, `at most ${MAX_LINKS} links`).nullish(),
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

/**
 * Validate an untrusted value as a TraceEvent and normalize it: null optionals
 * are dropped and the timestamp is re-written as ISO 8601 UTC with milliseconds
 * and the digits below them it had.
 */
export function parseTraceEvent(value: unknown): TraceEvent {
	if (nestsDeeperThan(value)) {
		throw new EventParseError(`data: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	const result = traceEventSchema.safeParse(value);
	if (!result.success) {
		throw new EventParseError(firstIssue(result.error));
	}

	const e = result.data;
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
