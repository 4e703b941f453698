import {isSecretKey} from '../core/secret-keys.js';
import type {JsonObject, JsonValue} from './json-value.js';

/** How sensitive fields are found and how deep `data` may go. */
export interface RedactOptions {
	/**
	 * Key fragments to treat as secret besides the built-in ones (password,
	 * secret, token, ssn, creditCard, authorization, api key, ...). Matched like
	 * the built-ins: case and separators ignored, anywhere in the key, so
	 * "session" also hides "X-Session-Id".
	 */
	extraKeys?: readonly string[];
	/**
	 * Nesting kept below `data` (default 100). Deeper objects and arrays become
	 * a marker: the stores serialize events with JSON.stringify, which overflows
	 * the stack a few thousand levels down, and no reader needs more.
	 */
	maxDepth?: number;
}

/** Default nesting kept below `data`. */
export const DEFAULT_MAX_DEPTH = 100;

/** Placed where a value sat on a reference cycle. */
export const CIRCULAR_MARKER = '[circular]';

function safeString(value: unknown): string {
	try {
		return String(value);
	} catch {
		return '';
	}
}

/**
 * What a secret value is replaced with: `<redacted:NNchars>`, NN the length of
 * the value's String() form. The length helps tell "empty" from "set" without
 * showing anything else.
 */
export function redactedMarker(value: unknown): string {
	return `<redacted:${safeString(value).length}chars>`;
}

function truncatedMarker(maxDepth: number): string {
	return `[truncated: nested deeper than ${maxDepth} levels]`;
}

function normalizeFragment(fragment: string): string {
	return fragment.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A predicate for secret keys: the built-in list plus `extraKeys`. */
export function secretKeyMatcher(extraKeys: readonly string[] = []): (key: string) => boolean {
	const extra = extraKeys.map(key => normalizeFragment(key)).filter(fragment => fragment !== '');
	if (extra.length === 0) {
		return isSecretKey;
	}

	return key => {
		if (isSecretKey(key)) {
			return true;
		}

		const normalized = normalizeFragment(key);
		return extra.some(fragment => normalized.includes(fragment));
	};
}

type Container = JsonObject | JsonValue[];

/** One object or array being copied: its source, where its members go, and how far we got. */
interface Frame {
	source: object;
	target: Container;
	/** Members as [key, value]; key null for array items. Read lazily through `read`. */
	length: number;
	read(index: number): [string | null, unknown];
	index: number;
	depth: number;
}

function readMember(source: Record<string, unknown>, key: string): unknown {
	try {
		return source[key];
	} catch (error) {
		// A throwing getter: say so rather than fail the whole event.
		return `[unreadable: ${error instanceof Error ? error.message : safeString(error)}]`;
	}
}

function membersOf(source: object): Pick<Frame, 'length' | 'read'> & {array: boolean} {
	if (Array.isArray(source)) {
		const array = source as unknown[];
		return {array: true, length: array.length, read: index => [null, readMember(array as unknown as Record<string, unknown>, String(index))]};
	}

	if (source instanceof Set) {
		const values = [...(source as Set<unknown>)];
		return {array: true, length: values.length, read: index => [null, values[index]]};
	}

	if (source instanceof Map) {
		const entries = [...(source as Map<unknown, unknown>)].map(([key, value]): [string, unknown] => [safeString(key), value]);
		return {array: false, length: entries.length, read: index => entries[index]!};
	}

	const record = source as Record<string, unknown>;
	let keys = Object.keys(record);
	if (source instanceof Error) {
		// JSON.stringify(error) is "{}": keep what a reader needs to act on it.
		const hidden = ['name', 'message', 'stack'].filter(key => !keys.includes(key) && typeof record[key] === 'string');
		keys = [...hidden, ...keys];
	}

	return {array: false, length: keys.length, read: index => [keys[index]!, readMember(record, keys[index]!)]};
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

/**
 * Copy a value into plain JSON, replacing the values of secret keys with
 * `<redacted:NNchars>`, without recursion: `data` may be nested 10,000 levels
 * deep, and a recursive walk would overflow the stack.
 *
 * The copy follows JSON.stringify (toJSON is honoured; undefined, functions and
 * symbols are dropped from objects and become null in arrays; NaN and
 * Infinity become null) and goes further where JSON would throw or lose the
 * point: BigInt becomes a string, a reference cycle becomes "[circular]", an
 * Error keeps its name, message and stack, a Map becomes an object and a Set
 * an array. Objects and arrays deeper than `maxDepth` become a marker.
 *
 * Returns undefined when the value itself has no JSON form (undefined, a function).
 */
export function toRedactedJson(value: unknown, options: RedactOptions = {}): JsonValue | undefined {
	const isSecret = secretKeyMatcher(options.extraKeys);
	const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
	const onPath = new Set<object>();
	const stack: Frame[] = [];

	/** A member's JSON form, or a new container (and frame) to fill in. */
	const convert = (key: string | null, raw: unknown, depth: number): JsonValue | undefined => {
		if (key !== null && raw !== null && raw !== undefined && isSecret(key)) {
			return redactedMarker(raw);
		}

		let current = raw;
		if (current !== null && typeof current === 'object' && typeof (current as {toJSON?: unknown}).toJSON === 'function') {
			try {
				current = (current as {toJSON(key: string): unknown}).toJSON(key ?? '');
			} catch (error) {
				return `[unserializable: ${error instanceof Error ? error.message : safeString(error)}]`;
			}
		}

		switch (typeof current) {
			case 'string':
			case 'boolean': {
				return current;
			}

			case 'number': {
				return Number.isFinite(current) ? current : null;
			}

			case 'bigint': {
				return current.toString();
			}

			case 'object': {
				break;
			}

			default: {
				// Undefined, function, symbol: JSON has no such value.
				return undefined;
			}
		}

		if (current === null) {
			return null;
		}

		if (onPath.has(current)) {
			return CIRCULAR_MARKER;
		}

		if (depth > maxDepth) {
			return truncatedMarker(maxDepth);
		}

		const members = membersOf(current);
		const target: Container = members.array ? [] : {};
		onPath.add(current);
		stack.push({source: current, target, length: members.length, read: members.read, index: 0, depth});
		return target;
	};

	const result = convert(null, value, 0);
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		if (frame.index >= frame.length) {
			stack.pop();
			onPath.delete(frame.source);
			continue;
		}

		const [key, raw] = frame.read(frame.index++);
		const converted = convert(key, raw, frame.depth + 1);
		if (converted !== undefined) {
			setMember(frame.target, key, converted);
		} else if (key === null) {
			setMember(frame.target, key, null);
		}
	}

	return result;
}

/**
 * An event's `data`, safe to store and publish: plain JSON with every secret
 * field (at any depth) replaced by `<redacted:NNchars>`. The input is left as is.
 */
export function redactData(data: Readonly<Record<string, unknown>>, options: RedactOptions = {}): JsonObject {
	const copy = toRedactedJson(data, options);
	if (copy !== null && typeof copy === 'object' && !Array.isArray(copy)) {
		return copy;
	}

	// A toJSON on the data object itself returned something that is not an object.
	return copy === undefined ? {} : {value: copy};
}
