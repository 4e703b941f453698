import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import type {OtlpTraces} from './otlp-to-events.js';

// The latest instant a Date can hold, in nanoseconds, as otlp-to-events.ts's `nanos` schema has it.
const MAX_NANOS = 8_640_000_000_000_000_000_000n;

/*
 * The schema's verdict without running it, for the documents it accepts:
 * most requests (every one the protobuf decoder builds) have exactly the
 * schema's shape, and walking them by hand costs a fraction of zod's pass
 * and of nestsDeeperThan's. True only when the schema would accept the
 * document as it is, with no default to fill in (names present) and no
 * level nested past MAX_JSON_DEPTH (counted as nestsDeeperThan counts, the
 * document being level 1); anything else, and every bad input, goes through
 * the schema, whose words the errors keep. Members the schema does not name
 * are dropped by zod and never read: only their depth counts.
 */
function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value`, at level `depth` of the document, nests no deeper than MAX_JSON_DEPTH. */
function shallowEnough(value: unknown, depth: number): boolean {
	return value === null || typeof value !== 'object' || !nestsDeeperThan(value, MAX_JSON_DEPTH - depth + 1);
}

// 22 digits would pass 8.64e21 (MAX_NANOS): those go to the schema's BigInt check.
const MAX_FAST_NANO_DIGITS = 21;
const MAX_NANOS_NUMBER = Number(MAX_NANOS);

function nanosOk(value: unknown): boolean {
	if (typeof value === 'string') {
		if (value.length === 0 || value.length > MAX_FAST_NANO_DIGITS) {
			return false;
		}

		for (let i = 0; i < value.length; i++) {
			const c = value.charCodeAt(i);
			if (c < 48 || c > 57) {
				return false;
			}
		}

		return true;
	}

	return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_NANOS_NUMBER;
}

function optionalString(value: unknown): boolean {
	return value === undefined || typeof value === 'string';
}

function optionalStringOrNumber(value: unknown): boolean {
	return value === undefined || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Members other than `known` of an object at level `depth`: only their depth matters. */
function othersShallow(object: Record<string, unknown>, known: readonly string[], depth: number): boolean {
	for (const key in object) {
		if (!Object.hasOwn(object, key) || known.includes(key)) {
			continue;
		}

		if (!shallowEnough(object[key], depth + 1)) {
			return false;
		}
	}

	return true;
}

const ANY_VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;

function anyValueOk(value: unknown, depth: number): boolean {
	if (!isObject(value) || depth > MAX_JSON_DEPTH) {
		return false;
	}

	if (!optionalString(value['stringValue']) || !optionalString(value['bytesValue']) || !optionalStringOrNumber(value['intValue']) || !optionalStringOrNumber(value['doubleValue'])) {
		return false;
	}

	const bool = value['boolValue'];
	if (bool !== undefined && typeof bool !== 'boolean') {
		return false;
	}

	const array = value['arrayValue'];
	if (array !== undefined && !(isObject(array) && depth + 1 <= MAX_JSON_DEPTH && listOk(array['values'], depth + 2, anyValueOk) && othersShallow(array, ['values'], depth + 1))) {
		return false;
	}

	const kvlist = value['kvlistValue'];
	if (kvlist !== undefined && !(isObject(kvlist) && depth + 1 <= MAX_JSON_DEPTH && listOk(kvlist['values'], depth + 2, keyValueOk) && othersShallow(kvlist, ['values'], depth + 1))) {
		return false;
	}

	return othersShallow(value, ANY_VALUE_KEYS, depth);
}

function keyValueOk(kv: unknown, depth: number): boolean {
	if (!isObject(kv) || depth > MAX_JSON_DEPTH || typeof kv['key'] !== 'string') {
		return false;
	}

	const value = kv['value'];
	return (value === undefined || anyValueOk(value, depth + 1)) && othersShallow(kv, ['key', 'value'], depth);
}

/** An optional list at level `depth` whose items (one level down) pass `item`. */
function listOk(list: unknown, depth: number, item: (value: unknown, depth: number) => boolean): boolean {
	if (list === undefined) {
		return true;
	}

	if (!Array.isArray(list) || depth > MAX_JSON_DEPTH) {
		return false;
	}

	for (let i = 0; i < list.length; i++) {
		if (!item(list[i], depth + 1)) {
			return false;
		}
	}

	return true;
}

const attributesOk = (list: unknown, depth: number): boolean => listOk(list, depth, keyValueOk);
const SPAN_EVENT_KEYS = ['timeUnixNano', 'name', 'attributes'] as const;
const SPAN_LINK_KEYS = ['traceId', 'spanId', 'attributes'] as const;
const STATUS_KEYS = ['code', 'message'] as const;
const SPAN_KEYS = ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'links', 'status'] as const;

function spanEventOk(event: unknown, depth: number): boolean {
	return isObject(event) && depth <= MAX_JSON_DEPTH && nanosOk(event['timeUnixNano']) && typeof event['name'] === 'string' && attributesOk(event['attributes'], depth + 1) && othersShallow(event, SPAN_EVENT_KEYS, depth);
}

function spanLinkOk(link: unknown, depth: number): boolean {
	return isObject(link) && depth <= MAX_JSON_DEPTH && typeof link['traceId'] === 'string' && link['traceId'] !== '' && typeof link['spanId'] === 'string' && link['spanId'] !== '' && attributesOk(link['attributes'], depth + 1) && othersShallow(link, SPAN_LINK_KEYS, depth);
}

function spanOk(span: unknown, depth: number): boolean {
	if (!isObject(span) || depth > MAX_JSON_DEPTH) {
		return false;
	}

	const {traceId, spanId, parentSpanId, name, status} = span;
	if (typeof traceId !== 'string' || traceId === '' || typeof spanId !== 'string' || spanId === '' || (parentSpanId !== undefined && parentSpanId !== null && typeof parentSpanId !== 'string') || typeof name !== 'string') {
		return false;
	}

	if (!optionalStringOrNumber(span['kind']) || !nanosOk(span['startTimeUnixNano']) || (span['endTimeUnixNano'] !== undefined && !nanosOk(span['endTimeUnixNano']))) {
		return false;
	}

	if (status !== undefined && !(isObject(status) && depth + 1 <= MAX_JSON_DEPTH && optionalStringOrNumber(status['code']) && optionalString(status['message']) && othersShallow(status, STATUS_KEYS, depth + 1))) {
		return false;
	}

	return attributesOk(span['attributes'], depth + 1) && listOk(span['events'], depth + 1, spanEventOk) && listOk(span['links'], depth + 1, spanLinkOk) && othersShallow(span, SPAN_KEYS, depth);
}

function scopeSpansOk(ss: unknown, depth: number): boolean {
	if (!isObject(ss) || depth > MAX_JSON_DEPTH) {
		return false;
	}

	const scope = ss['scope'];
	if (scope !== undefined && scope !== null && !(isObject(scope) && depth + 1 <= MAX_JSON_DEPTH && optionalString(scope['name']) && optionalString(scope['version']) && othersShallow(scope, ['name', 'version'], depth + 1))) {
		return false;
	}

	return listOk(ss['spans'], depth + 1, spanOk) && othersShallow(ss, ['scope', 'spans'], depth);
}

function resourceSpansOk(rs: unknown, depth: number): boolean {
	if (!isObject(rs) || depth > MAX_JSON_DEPTH) {
		return false;
	}

	const resource = rs['resource'];
	if (resource !== undefined && !(isObject(resource) && depth + 1 <= MAX_JSON_DEPTH && attributesOk(resource['attributes'], depth + 2) && othersShallow(resource, ['attributes'], depth + 1))) {
		return false;
	}

	return listOk(rs['scopeSpans'], depth + 1, scopeSpansOk) && othersShallow(rs, ['resource', 'scopeSpans'], depth);
}

/** Whether the schema (and the depth check before it) would take `document` as it is: see above. */
export function fitsOtlpTracesSchema(document: unknown): document is OtlpTraces {
	return isObject(document) && Array.isArray(document['resourceSpans']) && listOk(document['resourceSpans'], 2, resourceSpansOk) && othersShallow(document, ['resourceSpans'], 1);
}
