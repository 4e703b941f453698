import {idProblem, identifierProblem, jsonValueProblem, MAX_JSON_DEPTH, MAX_KEY_LENGTH, MAX_STRING_LENGTH, nameProblem, otlpIdProblem} from '../core/input-limits.js';
import {paddedHexId} from './hex-ids.js';

/**
 * Which ids a span may carry. `otlp`: what OTLP senders send, a 16-byte
 * trace id and 8-byte span ids in hex, not all zero. `tracedeck`: tracedeck's
 * own export, whose ids are TraceEvent ids as they were ("span-1"). `foreign`:
 * Jaeger and Zipkin files, hex ids as OTLP has them (already padded) or, in
 * hand-made traces, TraceEvent ids.
 */
export type OtlpIdRule = 'otlp' | 'foreign';

/** What a span's checks read, in the OTLP/JSON shape the converter has validated. */
export interface CheckedSpan {
	traceId: string;
	spanId: string;
	parentSpanId?: string | null | undefined;
	name: string;
	events?: ReadonlyArray<{name: string}> | undefined;
	links?: ReadonlyArray<{traceId: string; spanId: string}> | undefined;
	status?: {message?: string | undefined} | undefined;
}

/** The decoded attributes (fromKeyValues) of a span, its events and links. */
export interface CheckedAttributes {
	span: Record<string, unknown>;
	events: ReadonlyArray<Record<string, unknown>>;
	links: ReadonlyArray<Record<string, unknown>>;
}

/** Attributes tracedeck's export writes as JSON text, read back as JSON (otlp-to-events.ts). */
const JSON_TEXT_ATTRIBUTES = ['tracedeck.input', 'tracedeck.output'];
/** Attributes that name the run (otlp-to-events.ts reads them), and on our own spans their data names. */
const RUN_IDENTIFIER_ATTRIBUTES = ['devcmd.run_id', 'tracedeck.run_id', 'devcmd.env', 'devcmd.target', 'devcmd.user', 'service.name', 'deployment.environment', 'deployment.environment.name', 'run_id', 'env', 'target', 'user'];

function idIssue(value: string, of: 'trace' | 'span', rule: OtlpIdRule | 'tracedeck'): string | undefined {
	if (rule === 'otlp') {
		return otlpIdProblem(value, of);
	}

	// Jaeger and Zipkin hex ids arrive padded; anything else hex-looking has the wrong size, and the rest are TraceEvent ids.
	const hex = rule === 'foreign' ? paddedHexId(value, of === 'trace' ? 32 : 16) : undefined;
	return hex === value ? otlpIdProblem(value, of) : idProblem(value);
}

/** The problem with a JSON text attribute once parsed: it becomes data.input (two levels below the event), so it may nest two less. */
function jsonTextIssue(key: string, value: unknown): string | undefined {
	const limit = MAX_JSON_DEPTH - 2;
	// Fewer characters than two per level cannot nest that deep: no need to parse.
	if (typeof value !== 'string' || value.length < 2 * limit) {
		return undefined;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch {
		return undefined;
	}

	return jsonValueProblem(parsed, `attributes.${key} (JSON text)`, limit);
}

/**
 * What is wrong with one OTLP span, and where, or undefined: its ids, name
 * and event names, the size and well-formedness of every attribute (its own,
 * its events', its links'; the resource's: otlpResourceProblem), JSON text attributes nested past
 * the limit once parsed, and identifiers of the run that hold control,
 * bidirectional or zero-width characters. See core/input-limits.ts.
 */
export function otlpSpanProblem(span: CheckedSpan, attributes: CheckedAttributes, exported: boolean, rule: OtlpIdRule): string | undefined {
	const ids = exported ? 'tracedeck' : rule;
	const issues: Array<[string, string | undefined]> = [
		['traceId', idIssue(span.traceId, 'trace', ids)],
		['spanId', idIssue(span.spanId, 'span', ids)],
		['parentSpanId', span.parentSpanId ? idIssue(span.parentSpanId, 'span', ids) : undefined],
		['name', nameProblem(span.name)],
	];
	for (const [where, issue] of issues) {
		if (issue !== undefined) {
			return `${where}: ${issue}`;
		}
	}

	for (const [i, event] of (span.events ?? []).entries()) {
		const issue = nameProblem(event.name);
		if (issue !== undefined) {
			return `events.${i}.name: ${issue}`;
		}
	}

	// Our own export writes no links; were there any, they are held to the lenient rule.
	const linkIds = ids === 'tracedeck' ? 'foreign' : ids;
	for (const [i, link] of (span.links ?? []).entries()) {
		const traceIssue = idIssue(link.traceId, 'trace', linkIds);
		if (traceIssue !== undefined) {
			return `links.${i}.traceId: ${traceIssue}`;
		}

		const spanIssue = idIssue(link.spanId, 'span', linkIds);
		if (spanIssue !== undefined) {
			return `links.${i}.spanId: ${spanIssue}`;
		}
	}

	const values: Array<[string, unknown]> = [['attributes', attributes.span], ['status.message', span.status?.message], ...attributes.events.map((value, i): [string, unknown] => [`events.${i}.attributes`, value]), ...attributes.links.map((value, i): [string, unknown] => [`links.${i}.attributes`, value])];
	for (const [where, value] of values) {
		const issue = plainlyFine(value) ? undefined : jsonValueProblem(value, where);
		if (issue !== undefined) {
			return issue;
		}
	}

	for (const key of JSON_TEXT_ATTRIBUTES) {
		const issue = jsonTextIssue(key, attributes.span[key]);
		if (issue !== undefined) {
			return issue;
		}
	}

	return identifiersProblem(attributes.span, 'attributes');
}

function identifiersProblem(record: Record<string, unknown>, where: string): string | undefined {
	for (const key of RUN_IDENTIFIER_ATTRIBUTES) {
		const value = record[key];
		const issue = typeof value === 'string' && value !== '' ? identifierProblem(value) : undefined;
		if (issue !== undefined) {
			return `${where}.${key}: ${issue}`;
		}
	}

	return undefined;
}

/** What is wrong with a resource's attributes (decoded), which every span of the resource shares. */
export function otlpResourceProblem(attributes: Record<string, unknown>): string | undefined {
	return jsonValueProblem(attributes, 'resource.attributes') ?? identifiersProblem(attributes, 'resource.attributes');
}

/** Whether `text` has no UTF-16 surrogate at all (so none alone): most text, checked without the regular expression. */
function noSurrogates(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 0xd800 && c <= 0xdfff) {
			return false;
		}
	}

	return true;
}

function plainScalar(value: unknown): boolean {
	return typeof value === 'string' ? value.length <= MAX_STRING_LENGTH && noSurrogates(value) : value === null || typeof value !== 'object';
}

/**
 * Whether jsonValueProblem would surely find nothing, seen without its walk
 * (which builds a path per value): a scalar, or an object of scalars, with
 * short keys and no surrogates: what most spans' attributes are. Anything
 * else is left to jsonValueProblem, whose words the problems keep.
 */
function plainlyFine(value: unknown): boolean {
	if (value === null || typeof value !== 'object') {
		return plainScalar(value);
	}

	if (Array.isArray(value)) {
		return false;
	}

	for (const key in value) {
		if (!Object.hasOwn(value, key)) {
			continue;
		}

		if (key.length > MAX_KEY_LENGTH || !noSurrogates(key) || !plainScalar((value as Record<string, unknown>)[key])) {
			return false;
		}
	}

	return true;
}
