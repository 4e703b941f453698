/**
 * What tracedeck accepts from producers, in one place: every edge (OTLP JSON,
 * protobuf and gRPC, ingest of any file format, the emitter, exec's flags)
 * checks against these numbers and these checks, so that a span refused by
 * one path is refused by all. Pure; each check says what is wrong, phrased to
 * follow "must be" or to stand after a field name, or undefined when all is well.
 */

/**
 * How deep untrusted JSON may nest. Deeper documents break things far from
 * the edge: zod's recursive OTLP schema overflows the stack near 1,500
 * levels, JSON.stringify near 4,000, and SQLite's JSON functions, which the
 * search and metrics triggers run on stored bodies, fail past 1,000.
 */
export const MAX_JSON_DEPTH = 256;
/** Longest id a TraceEvent may carry (trace, span, parent, link, event ids): a UUID or ULID fits several times over. */
export const MAX_ID_LENGTH = 128;
/** Longest span or span event name, and event type. */
export const MAX_NAME_LENGTH = 1024;
/** Longest TraceEvent event_type ("<kind>:<phase>"). */
export const MAX_EVENT_TYPE_LENGTH = 256;
/** Longest attribute (or data) key, at any depth. */
export const MAX_KEY_LENGTH = 256;
/**
 * Longest string value, in UTF-16 code units, at any depth: above a 10 MB
 * stderr line (which tracedeck keeps whole) and below OTLP/HTTP's 20 MB body.
 */
export const MAX_STRING_LENGTH = 16 * 1024 * 1024;
/** Longest identifier of a run (run id, env, target, user, step path). */
export const MAX_IDENTIFIER_LENGTH = 512;

/**
 * Bidirectional marks, overrides and isolates, and zero-width characters, as
 * the inside of a regular expression's character class: text that reorders
 * what is shown, or makes two different strings look the same.
 */
export const HIDDEN_FORMATTING_CLASS = '\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff';
// Controls (C0, DEL, C1) too: text that moves the cursor.
const INVISIBLE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${HIDDEN_FORMATTING_CLASS}]`, 'u');
const WHITESPACE = /\s/u;
// A surrogate half without its other half: not text, and SQLite would store it as U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describeCharacter(text: string, at: number): string {
	return `U+${text.codePointAt(at)!.toString(16).toUpperCase().padStart(4, '0')} at character ${at + 1}`;
}

/**
 * What is wrong with an identifier of a run (run id, env, target, user, step
 * path): non-empty, at most MAX_IDENTIFIER_LENGTH characters, and no control,
 * bidirectional or zero-width character. Spaces and any script are fine.
 */
export function identifierProblem(value: string): string | undefined {
	if (value === '') {
		return 'empty';
	}

	if (value.length > MAX_IDENTIFIER_LENGTH) {
		return `longer than ${MAX_IDENTIFIER_LENGTH} characters (${value.length})`;
	}

	const at = value.search(INVISIBLE);
	if (at !== -1) {
		return `holds a control, bidirectional or zero-width character (${describeCharacter(value, at)})`;
	}

	return LONE_SURROGATE.test(value) ? 'holds a lone UTF-16 surrogate (not text)' : undefined;
}

/**
 * What is wrong with a TraceEvent id (trace, span, parent, link): 1 to
 * MAX_ID_LENGTH characters, no whitespace, and what identifierProblem refuses.
 */
export function idProblem(value: string): string | undefined {
	if (value.length > MAX_ID_LENGTH) {
		return `longer than ${MAX_ID_LENGTH} characters (${value.length})`;
	}

	const space = value.search(WHITESPACE);
	if (space !== -1) {
		return `holds whitespace (${describeCharacter(value, space)})`;
	}

	return identifierProblem(value);
}

/** The lengths of OTLP ids in hex digits: 16 bytes for a trace, 8 for a span. */
export const OTLP_ID_HEX_DIGITS = {trace: 32, span: 16} as const;

/** What is wrong with an OTLP trace or span id as hex text: exactly its size in hex digits, and not all zero (OTLP's "invalid"). */
export function otlpIdProblem(value: string, of: keyof typeof OTLP_ID_HEX_DIGITS): string | undefined {
	const digits = OTLP_ID_HEX_DIGITS[of];
	if (value.length !== digits || !/^[0-9a-fA-F]+$/.test(value)) {
		return `not a ${of} id: ${digits} hex digits (${digits / 2} bytes) expected, got ${value.length === 0 ? 'none' : `${value.length} characters`}`;
	}

	return /^0+$/.test(value) ? `an all-zero ${of} id, which OTLP calls invalid` : undefined;
}

/** What is wrong with a name (span, span event, event type): at most MAX_NAME_LENGTH characters, well-formed text. */
export function nameProblem(value: string): string | undefined {
	if (value.length > MAX_NAME_LENGTH) {
		return `longer than ${MAX_NAME_LENGTH} characters (${value.length})`;
	}

	return LONE_SURROGATE.test(value) ? 'holds a lone UTF-16 surrogate (not text)' : undefined;
}

function stringProblem(value: string): string | undefined {
	if (value.length > MAX_STRING_LENGTH) {
		return `a string longer than ${MAX_STRING_LENGTH} characters (${value.length})`;
	}

	return LONE_SURROGATE.test(value) ? 'a string with a lone UTF-16 surrogate (not text)' : undefined;
}

/** A member name in a path: plain names after a dot, anything else quoted (and cut short). */
function pathStep(key: string): string {
	return /^[A-Za-z_][\w.-]{0,63}$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}

/** A path one step further; a deep one is cut short, since the problem's own words say how deep. */
function deeper(path: string, step: string): string {
	return path.length <= 120 ? `${path}${step}` : path.endsWith('…') ? path : `${path}…`;
}

/**
 * What is wrong with a JSON value from a producer, and where: nested deeper
 * than `depthLimit` levels (objects and arrays), a key longer than
 * MAX_KEY_LENGTH, a string longer than MAX_STRING_LENGTH or not well-formed.
 * `where` names the value ("data", "attributes.tracedeck.input"); the
 * answer starts with it and the path inside. Iterative: safe at any depth.
 */
export function jsonValueProblem(value: unknown, where: string, depthLimit = MAX_JSON_DEPTH): string | undefined {
	const stack: Array<{value: unknown; depth: number; path: string}> = [{value, depth: 0, path: where}];
	while (stack.length > 0) {
		const {value: current, depth, path} = stack.pop()!;
		if (typeof current === 'string') {
			const problem = stringProblem(current);
			if (problem !== undefined) {
				return `${path}: ${problem}`;
			}

			continue;
		}

		if (current === null || typeof current !== 'object') {
			continue;
		}

		if (depth >= depthLimit) {
			return `${path}: nested deeper than ${depthLimit} levels`;
		}

		if (Array.isArray(current)) {
			for (let i = current.length - 1; i >= 0; i--) {
				stack.push({value: current[i] as unknown, depth: depth + 1, path: deeper(path, `[${i}]`)});
			}

			continue;
		}

		for (const [key, child] of Object.entries(current as Record<string, unknown>).reverse()) {
			if (key.length > MAX_KEY_LENGTH) {
				return `${path}: a key longer than ${MAX_KEY_LENGTH} characters (${key.length})`;
			}

			const problem = LONE_SURROGATE.test(key) ? 'a key with a lone UTF-16 surrogate (not text)' : undefined;
			if (problem !== undefined) {
				return `${path}: ${problem}`;
			}

			stack.push({value: child, depth: depth + 1, path: deeper(path, pathStep(key))});
		}
	}

	return undefined;
}

const ISO_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

function daysIn(year: number, month: number): number {
	return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * What is wrong with an ISO 8601 date and time whose form is right: a date
 * that does not exist (February 30, month 13), an hour past 23, a minute or
 * second past 59, an offset past ±23:59. Date.parse rolls February 30 over
 * to March 2 rather than refusing it.
 */
export function isoDateProblem(text: string): string | undefined {
	const match = ISO_PARTS.exec(text);
	if (!match) {
		return 'not an ISO 8601 date and time';
	}

	const [year, month, day, hour, minute, second] = match.slice(1, 7).map(part => Number(part ?? 0)) as [number, number, number, number, number, number];
	if (month < 1 || month > 12) {
		return `month ${match[2]!} does not exist`;
	}

	if (day < 1 || day > daysIn(year, month)) {
		return `day ${match[3]!} does not exist in ${year}-${match[2]!}`;
	}

	if (hour > 23 || minute > 59 || second > 59) {
		return `${match[4]!}:${match[5]!}${match[6] === undefined ? '' : `:${match[6]}`} is not a time of day`;
	}

	if (match[7] !== undefined && (Number(match[8]) > 23 || Number(match[9]) > 59)) {
		return `offset ${match[7]}${match[8]!}:${match[9]!} does not exist`;
	}

	return undefined;
}
