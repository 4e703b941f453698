import type {JsonObject, JsonValue} from './json-value.js';
import {isCardDigits, isRedactedMarker, markerOf, redactLinesWith, redactWords, textRedaction} from './redact-text.js';
import type {TraceEvent} from './trace-event.js';

export {isRedactedMarker} from './redact-text.js';

/**
 * The one redaction: everything tracedeck stores, publishes or exports has
 * passed through here (the run index redacts each event before storing it,
 * the emitter and exec before handing events over, artifacts before writing
 * a plan). Two kinds of secret are found:
 *
 * - secret keys at any depth (password, token, api key, ...): the whole value goes;
 * - secrets inside values: bearer and basic credentials, URL passwords,
 *   private key blocks, JWTs, cloud and SaaS tokens, command-line passwords,
 *   `@env(NAME) → value` for a secret NAME, card numbers that pass Luhn.
 *
 * What is removed becomes `<redacted:NNchars>`, NN the length of what was
 * removed. Redaction is idempotent (a marker is never redacted again, so
 * redacted output passes through unchanged), never throws on a value
 * (throwing getters, toJSON and toString, cycles), and its work is linear in
 * the size of its input (no pattern backtracks over a long run; a value
 * holding millions of members is cut off). The patterns for text are in
 * redact-text.ts; import them from here.
 */

/** How secrets are found and how deep `data` may go. */
export interface RedactOptions {
	/**
	 * Key fragments to treat as secret besides the built-in ones (password,
	 * secret, token, ssn, creditCard, authorization, api key, ...). Matched like
	 * the built-ins: case and separators ignored, anywhere in the key, so
	 * "session" also hides "X-Session-Id". Also used for `name=value` inside text.
	 */
	extraKeys?: readonly string[];
	/**
	 * More secrets to find inside text. A match is redacted whole, or only its
	 * group named `secret`, else its first group, when the pattern has one
	 * (`/x-tenant-key: (\S+)/` keeps "x-tenant-key: "). Strings are compiled
	 * as regular expressions; a bad one is a TypeError when the options are used.
	 */
	extraPatterns?: ReadonlyArray<RegExp | string>;
	/**
	 * Nesting kept below `data` (default 100). Deeper objects and arrays become
	 * a marker: the stores serialize events with JSON.stringify, which overflows
	 * the stack a few thousand levels down, and no reader needs more.
	 */
	maxDepth?: number;
}

/** Default nesting kept below `data`. */
export const DEFAULT_MAX_DEPTH = 100;

/**
 * Nesting the run index keeps: above what the edges accept (ingest and serve
 * refuse JSON past 256 levels, the emitter cuts at 100), so stored events keep
 * all they came with, and below SQLite's JSON functions' limit (1,000), which
 * the search and metrics triggers run on stored bodies.
 */
export const STORED_MAX_DEPTH = 500;

/** Placed where a value sat on a reference cycle. */
export const CIRCULAR_MARKER = '[circular]';

// ---------------------------------------------------------------------------
// Secret keys

/**
 * Fragments of key names that hold secrets. Matched against the key lowercased
 * with separators removed, so "api_key", "apiKey", "X-Api-Key" and "API_KEY"
 * all match "apikey". Substring matching over-redacts now and then
 * ("tokenizer", "classname" has "ssn"): hiding a harmless value is the cheap mistake.
 */
const SECRET_FRAGMENTS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'ssn', 'creditcard', 'authorization', 'apikey', 'privatekey', 'credential', 'cookie'];

function normalizeKey(key: string): string {
	return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether a key (plan arg, env var, data field, header) names a value that must never be shown raw. */
export function isSecretKey(key: string): boolean {
	const normalized = normalizeKey(key);
	return SECRET_FRAGMENTS.some(fragment => normalized.includes(fragment));
}

/** A predicate for secret keys: the built-in list plus `extraKeys`. */
export function secretKeyMatcher(extraKeys: readonly string[] = []): (key: string) => boolean {
	const extra = extraKeys.map(key => normalizeKey(String(key))).filter(fragment => fragment !== '');
	if (extra.length === 0) {
		return isSecretKey;
	}

	return key => {
		if (isSecretKey(key)) {
			return true;
		}

		const normalized = normalizeKey(key);
		return extra.some(fragment => normalized.includes(fragment));
	};
}

// ---------------------------------------------------------------------------
// The marker for a whole value

function safeString(value: unknown): string {
	try {
		return String(value);
	} catch {
		return '';
	}
}

/**
 * What a secret value is replaced with: `<redacted:NNchars>`, NN the length of
 * what was removed: a string's own length, a number's digits, an object's
 * JSON text. The length tells "empty" from "set" and nothing else.
 */
export function redactedMarker(value: unknown): string {
	if (typeof value === 'string') {
		return markerOf(value);
	}

	if (value !== null && typeof value === 'object') {
		const plain = walk(value, PLAIN, DEFAULT_MAX_DEPTH);
		return markerOf(plain === undefined ? '' : JSON.stringify(plain));
	}

	return markerOf(safeString(value));
}

// ---------------------------------------------------------------------------
// Values: a plain JSON copy, without recursion

type Container = JsonObject | JsonValue[];

/** One object or array being copied: its source, where its members go, and how far we got. */
interface Frame {
	source: object;
	target: Container;
	length: number;
	/** Members as [key, value]; key null for array items. */
	read(index: number): [string | null, unknown];
	index: number;
	depth: number;
	/** Array items already redacted as command-line words. */
	wordsDone: boolean;
}

/** What the copy does with keys and text: redact (a Redactor's) or keep (PLAIN, to measure a value). */
interface Policy {
	isSecretKey(key: string): boolean;
	text(text: string): string;
	words(words: readonly string[]): string[] | undefined;
	cards: boolean;
}

const PLAIN: Policy = {
	isSecretKey: () => false,
	text: text => text,
	words: () => undefined,
	cards: false,
};

/**
 * Values one copy visits at most: a value shared many times over (a DAG, each
 * level pointing twice at the next) is copied once per path, as JSON.stringify
 * would, and would otherwise take exponential time.
 */
const MAX_VALUES = 2_000_000;

/**
 * Keys holding ids and hashes the store and readers match on: secrets are not
 * looked for there, and a digit run in an id must never be taken for a card number.
 */
const IDENTITY_KEYS = new Set(['trace_id', 'span_id', 'parent_span_id', 'parent_trace_id', 'original_span_id', 'run_id', 'plan_hash', 'event_id', 'correlation_id', 'sha']);
const ID_LIKE = /^[\w.:/-]{1,256}$/;

function errorText(error: unknown): string {
	return error instanceof Error ? safeString(error.message) : safeString(error);
}

function readMember(source: object, key: string): unknown {
	try {
		return (source as Record<string, unknown>)[key];
	} catch (error) {
		// A throwing getter: say so rather than fail the whole event.
		return `[unreadable: ${errorText(error)}]`;
	}
}

function unreadable(error: unknown): Pick<Frame, 'length' | 'read' | 'wordsDone'> & {array: boolean} {
	const reason = `[unreadable: ${errorText(error)}]`;
	return {array: false, length: 1, read: () => ['error', reason], wordsDone: false};
}

function membersOf(source: object, policy: Policy): Pick<Frame, 'length' | 'read' | 'wordsDone'> & {array: boolean} {
	try {
		if (Array.isArray(source) || source instanceof Set) {
			const values = Array.isArray(source) ? Array.from({length: source.length}, (_, i) => readMember(source, String(i))) : [...(source as Set<unknown>)];
			// An argv: "--password" and its value are two items.
			const words = values.every(value => typeof value === 'string') ? policy.words(values as string[]) : undefined;
			const items = words ?? values;
			return {array: true, length: items.length, read: index => [null, items[index]], wordsDone: words !== undefined};
		}

		if (source instanceof Map) {
			const entries = [...(source as Map<unknown, unknown>)].map(([key, value]): [string, unknown] => [safeString(key), value]);
			return {array: false, length: entries.length, read: index => entries[index]!, wordsDone: false};
		}

		let keys = Object.keys(source);
		if (source instanceof Error) {
			// JSON.stringify(error) is "{}": keep what a reader needs to act on it.
			const hidden = ['name', 'message', 'stack'].filter(key => !keys.includes(key) && typeof readMember(source, key) === 'string');
			keys = [...hidden, ...keys];
		}

		return {array: false, length: keys.length, read: index => [keys[index]!, readMember(source, keys[index]!)], wordsDone: false};
	} catch (error) {
		// A Proxy whose traps throw, a revoked Proxy, a throwing Set iterator.
		return unreadable(error);
	}
}

function setMember(target: Container, key: string | null, value: JsonValue): void {
	if (key === null) {
		(target as JsonValue[]).push(value);
	} else if (key === '__proto__') {
		// A plain assignment would set the prototype instead of a member.
		Object.defineProperty(target, key, {value, enumerable: true, writable: true, configurable: true});
	} else {
		(target as JsonObject)[key] = value;
	}
}

function truncatedMarker(maxDepth: number): string {
	return `[truncated: nested deeper than ${maxDepth} levels]`;
}

const CONTAINER = Symbol('container');

/**
 * A card number sent as a number. 13 to 16 digits fit a double exactly;
 * longer ones (and a sign) are judged by the digits the number prints as,
 * since that text is what any later step (an error message, an export)
 * would show and the text rule would redact: a number and its own text
 * must get the same answer.
 */
function isCardNumber(value: number): boolean {
	const magnitude = Math.abs(value);
	return Number.isInteger(value) && magnitude >= 1e12 && isCardDigits(String(magnitude));
}

/** A member's plain form: a primitive, a marker, undefined (dropped), or CONTAINER for the walk to open. */
function convertPrimitive(key: string | null, value: unknown, policy: Policy, wordsDone: boolean): JsonValue | undefined | typeof CONTAINER {
	switch (typeof value) {
		case 'string': {
			if (wordsDone || (key !== null && IDENTITY_KEYS.has(key) && ID_LIKE.test(value))) {
				return value;
			}

			return policy.text(value);
		}

		case 'boolean': {
			return value;
		}

		case 'number': {
			if (!Number.isFinite(value)) {
				return null;
			}

			return policy.cards && isCardNumber(value) ? markerOf(String(value)) : value;
		}

		case 'bigint': {
			return policy.text(value.toString());
		}

		case 'object': {
			return value === null ? null : CONTAINER;
		}

		default: {
			// Undefined, function, symbol: JSON has no such value.
			return undefined;
		}
	}
}

function walk(value: unknown, policy: Policy, maxDepth: number): JsonValue | undefined {
	const onPath = new Set<object>();
	const stack: Frame[] = [];
	let visited = 0;

	const convert = (key: string | null, raw: unknown, depth: number, wordsDone: boolean): JsonValue | undefined => {
		if (key !== null && raw !== null && raw !== undefined && policy.isSecretKey(key)) {
			return isRedactedMarker(raw) ? (raw as string) : redactedMarker(raw);
		}

		let current = raw;
		if (current !== null && typeof current === 'object') {
			try {
				const toJson = (current as {toJSON?: unknown}).toJSON;
				if (typeof toJson === 'function') {
					current = (toJson as (key: string) => unknown).call(current, key ?? '');
				}
			} catch (error) {
				return policy.text(`[unserializable: ${errorText(error)}]`);
			}
		}

		const plain = convertPrimitive(key, current, policy, wordsDone);
		if (plain !== CONTAINER) {
			return plain;
		}

		const container = current as object;
		if (onPath.has(container)) {
			return CIRCULAR_MARKER;
		}

		if (depth > maxDepth) {
			return truncatedMarker(maxDepth);
		}

		const members = membersOf(container, policy);
		const target: Container = members.array ? [] : {};
		onPath.add(container);
		stack.push({source: container, target, length: members.length, read: members.read, index: 0, depth, wordsDone: members.wordsDone});
		return target;
	};

	const result = convert(null, value, 0, false);
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		if (frame.index >= frame.length) {
			stack.pop();
			onPath.delete(frame.source);
			continue;
		}

		if (++visited > MAX_VALUES) {
			setMember(frame.target, Array.isArray(frame.target) ? null : '…', `[truncated: more than ${MAX_VALUES} values]`);
			frame.index = frame.length;
			continue;
		}

		const [key, raw] = frame.read(frame.index++);
		const converted = convert(key, raw, frame.depth + 1, frame.wordsDone);
		if (converted !== undefined) {
			setMember(frame.target, key, converted);
		} else if (key === null) {
			setMember(frame.target, key, null);
		}
	}

	return result;
}

function isPlainContainer(value: object): boolean {
	const prototype = Object.getPrototypeOf(value) as unknown;
	return Array.isArray(value) ? prototype === Array.prototype : prototype === Object.prototype || prototype === null;
}

/**
 * Whether redacting `value` would give back the same JSON text: plain objects
 * and arrays (no toJSON, no getters that throw, nothing shared or cyclic, not
 * too deep) whose keys and text hold no secret. Then the value can be stored
 * as it is, without a copy: the common case, checked without allocating.
 */
function isClean(value: unknown, policy: Policy, maxDepth: number): boolean {
	const seen = new Set<object>();
	const stack: Array<[key: string | null, value: unknown, depth: number, wordsDone: boolean]> = [[null, value, 0, false]];
	try {
		while (stack.length > 0) {
			const [key, current, depth, wordsDone] = stack.pop()!;
			if (key !== null && current !== null && current !== undefined && policy.isSecretKey(key)) {
				if (!isRedactedMarker(current)) {
					return false;
				}

				continue;
			}

			switch (typeof current) {
				case 'string': {
					if (!wordsDone && !(key !== null && IDENTITY_KEYS.has(key) && ID_LIKE.test(current)) && policy.text(current) !== current) {
						return false;
					}

					continue;
				}

				case 'number': {
					if (policy.cards && isCardNumber(current)) {
						return false;
					}

					continue;
				}

				case 'bigint': {
					return false;
				}

				case 'object': {
					break;
				}

				default: {
					// Booleans; undefined, functions and symbols, which JSON drops as the copy does.
					continue;
				}
			}

			if (current === null) {
				continue;
			}

			if (depth > maxDepth || seen.has(current) || seen.size >= MAX_VALUES || !isPlainContainer(current) || typeof (current as {toJSON?: unknown}).toJSON === 'function') {
				return false;
			}

			seen.add(current);
			if (Array.isArray(current)) {
				const items = current as unknown[];
				const words = items.every(item => typeof item === 'string') ? policy.words(items as string[]) : undefined;
				if (words?.some((word, i) => word !== items[i])) {
					return false;
				}

				for (const item of items) {
					stack.push([null, item, depth + 1, words !== undefined]);
				}
			} else {
				for (const member of Object.keys(current)) {
					stack.push([member, (current as Record<string, unknown>)[member], depth + 1, false]);
				}
			}
		}
	} catch {
		// A throwing getter or Proxy trap: the copy says what it could not read.
		return false;
	}

	return true;
}

// ---------------------------------------------------------------------------
// The redactor

/** Redaction under one set of options, compiled once. */
export interface Redactor {
	isSecretKey(key: string): boolean;
	/** A text with the secrets inside it replaced. */
	text(text: string): string;
	/** Command-line words: secret options' values, `KEY=value`, mysql's `-p<password>`, and every word as text. */
	words(words: readonly string[]): string[];
	/** A plain JSON copy with secrets redacted (see toRedactedJson). */
	json(value: unknown): JsonValue | undefined;
	/** Whether json(value) would serialize exactly as the value does: nothing to redact, nothing to make plain. */
	isClean(value: unknown): boolean;
}

/**
 * Compile options into a Redactor.
 *
 * @throws TypeError when an extra pattern is not a regular expression.
 */
export function createRedactor(options: RedactOptions = {}): Redactor {
	const isSecret = remembered(secretKeyMatcher(options.extraKeys ?? []));
	const text = remembered(textRedaction(isSecret, options.extraPatterns ?? []));
	const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
	const words = (argv: readonly string[]): string[] => redactWords(argv, isSecret, text);
	const policy: Policy = {isSecretKey: isSecret, text, words, cards: true};
	return {
		isSecretKey: isSecret,
		text,
		words,
		json: value => walk(value, policy, maxDepth),
		isClean: value => isClean(value, policy, maxDepth),
	};
}

/** Short texts remembered per redactor; past this many, the memory starts again. */
const REMEMBERED_TEXTS = 8192;
const REMEMBERED_LENGTH = 512;

/**
 * A pure function of a short string, remembered: a store call judges the
 * same keys and attribute values (service names, HTTP methods, a query
 * text) on every event of every span, and running each text rule over them
 * again was a third of serve's redaction time. Bounded in entries and in
 * length, so a stream of unique values costs a clear now and then, not memory.
 */
function remembered<T>(compute: (text: string) => T): (text: string) => T {
	let memory = new Map<string, T>();
	return text => {
		if (text.length > REMEMBERED_LENGTH) {
			return compute(text);
		}

		const known = memory.get(text);
		if (known !== undefined) {
			return known;
		}

		const value = compute(text);
		if (memory.size >= REMEMBERED_TEXTS) {
			memory = new Map();
		}

		memory.set(text, value);
		return value;
	};
}

const DEFAULT_REDACTOR = createRedactor();
const STORED_REDACTOR = createRedactor({maxDepth: STORED_MAX_DEPTH});
const compiled = new WeakMap<RedactOptions, Redactor>();

function redactorFor(options: RedactOptions | Redactor | undefined): Redactor {
	if (options === undefined) {
		return DEFAULT_REDACTOR;
	}

	if ('json' in options && typeof options.json === 'function') {
		return options;
	}

	let redactor = compiled.get(options as RedactOptions);
	if (!redactor) {
		redactor = createRedactor(options as RedactOptions);
		compiled.set(options as RedactOptions, redactor);
	}

	return redactor;
}

/** A text with the secrets inside it replaced by `<redacted:NNchars>`. */
export function redactText(text: string, options?: RedactOptions | Redactor): string {
	return redactorFor(options).text(text);
}

/** A command line as words (argv), redacted: see Redactor.words. */
export function redactCommandWords(words: readonly string[], options?: RedactOptions | Redactor): string[] {
	return redactorFor(options).words(words);
}

/**
 * Lines of output (a stderr tail), each redacted as text, and every line of a
 * private key block too: a block split over lines has its body on lines that
 * look like nothing on their own.
 */
export function redactLines(lines: readonly string[], options?: RedactOptions | Redactor): string[] {
	return redactLinesWith(lines, redactorFor(options).text);
}

/**
 * Copy a value into plain JSON, with secrets redacted: values of secret keys
 * at any depth, and secrets inside strings (see the module comment). Without
 * recursion: `data` may be nested 10,000 levels deep.
 *
 * The copy follows JSON.stringify (toJSON is honoured; undefined, functions and
 * symbols are dropped from objects and become null in arrays; NaN and
 * Infinity become null) and goes further where JSON would throw or lose the
 * point: BigInt becomes a string, a reference cycle becomes "[circular]", an
 * Error keeps its name, message and stack, a Map becomes an object and a Set
 * an array, a throwing getter or toJSON becomes a note. Objects and arrays
 * deeper than `maxDepth` become a marker.
 *
 * Returns undefined when the value itself has no JSON form (undefined, a function).
 */
export function toRedactedJson(value: unknown, options?: RedactOptions | Redactor): JsonValue | undefined {
	return redactorFor(options).json(value);
}

/**
 * An event's `data`, safe to store and publish: plain JSON with every secret
 * redacted. The input is left as is.
 */
export function redactData(data: Readonly<Record<string, unknown>>, options?: RedactOptions | Redactor): JsonObject {
	const copy = redactorFor(options).json(data);
	if (copy !== null && typeof copy === 'object' && !Array.isArray(copy)) {
		return copy;
	}

	// A toJSON on the data object itself returned something that is not an object.
	return copy === undefined ? {} : {value: copy};
}

/** Tags as text, redacted; a tag that is no string is made one (a throwing toString gives ""). */
export function redactTags(tags: readonly unknown[], options?: RedactOptions | Redactor): string[] {
	const redactor = redactorFor(options);
	return tags.map(tag => redactor.text(typeof tag === 'string' ? tag : safeString(tag)));
}

/**
 * An event with its data and tags redacted; ids, type and time as they were.
 * The input is left as is; it is returned itself when there is nothing to redact.
 */
export function redactEvent(event: TraceEvent, options?: RedactOptions | Redactor): TraceEvent {
	const redactor = redactorFor(options);
	const cleanData = event.data === undefined || redactor.isClean(event.data);
	const cleanTags = !Array.isArray(event.tags) || event.tags.every(tag => typeof tag !== 'string' || redactor.text(tag) === tag);
	// What OpenTelemetry producers send beside data (the status message, span, resource and link attributes) is user text too.
	const cleanStatus = typeof event.status_message !== 'string' || redactor.text(event.status_message) === event.status_message;
	const cleanResource = event.resource === undefined || redactor.isClean(event.resource);
	const cleanLinks = event.links === undefined || redactor.isClean(event.links);
	const cleanAttributes = event.attributes === undefined || redactor.isClean(event.attributes);
	if (cleanData && cleanTags && cleanStatus && cleanResource && cleanLinks && cleanAttributes) {
		return event;
	}

	const out: TraceEvent = {...event};
	if (!cleanData) {
		const data = redactor.json(event.data);
		if (data === undefined) {
			delete out.data;
		} else {
			out.data = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {value: data};
		}
	}

	if (!cleanTags) {
		out.tags = event.tags!.map(tag => (typeof tag === 'string' ? redactor.text(tag) : tag));
	}

	if (!cleanStatus) {
		out.status_message = redactor.text(event.status_message!);
	}

	if (!cleanResource) {
		out.resource = redactor.json(event.resource) as Record<string, unknown>;
	}

	if (!cleanLinks) {
		out.links = redactor.json(event.links) as TraceEvent['links'];
	}

	if (!cleanAttributes) {
		out.attributes = redactor.json(event.attributes) as Record<string, unknown>;
	}

	return out;
}

/**
 * Events as the run index stores them: redacted with the built-in rules,
 * nested up to STORED_MAX_DEPTH. An event with nothing to redact is itself.
 */
export function redactForStore(events: readonly TraceEvent[]): TraceEvent[] {
	// A batch's spans share their resource (and often their attributes' objects): each object is judged once per
	// call. Nothing changes them while the call runs, so the answer holds for all of it.
	const judged = new WeakMap<object, boolean>();
	const redactor: Redactor = {
		...STORED_REDACTOR,
		isClean(value) {
			if (value === null || typeof value !== 'object') {
				return STORED_REDACTOR.isClean(value);
			}

			let clean = judged.get(value);
			if (clean === undefined) {
				clean = STORED_REDACTOR.isClean(value);
				judged.set(value, clean);
			}

			return clean;
		},
	};
	return events.map(event => redactEvent(event, redactor));
}

/** A record the run index keeps beside events (a service's log record), redacted as events are: plain JSON, same rules, same depth. */
export function redactRecordForStore(record: Readonly<Record<string, unknown>>): JsonObject {
	return redactData(record, STORED_REDACTOR);
}
