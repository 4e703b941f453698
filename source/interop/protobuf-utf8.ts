import {isUtf8} from 'node:buffer';
import type * as Protobuf from 'protobufjs';
import {invalidUtf8Offset} from '../core/utf8.js';
import {protobufjs} from './protobufjs.js';

/** Below protobufjs's own decode recursion limit: a message that decoded is never deeper. */
const MAX_MESSAGE_DEPTH = 1000;

/** The wire type each declared field type travels with (proto3); repeated scalars may also come packed (2). */
const WIRE_TYPES: Record<string, number> = {
	double: 1,
	fixed64: 1,
	sfixed64: 1,
	float: 5,
	fixed32: 5,
	sfixed32: 5,
	int32: 0,
	int64: 0,
	uint32: 0,
	uint64: 0,
	sint32: 0,
	sint64: 0,
	bool: 0,
	string: 2,
	bytes: 2,
};

/** Field names in lowerCamelCase (the walk names every field it passes), each worked out once: there are few. */
const LOWER_CAMEL = new Map<string, string>();

function lowerCamel(name: string): string {
	let camel = LOWER_CAMEL.get(name);
	if (camel === undefined) {
		camel = name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
		LOWER_CAMEL.set(name, camel);
	}

	return camel;
}

/** What is wrong with a decoded message's strings, and where: not UTF-8, or not framed as its type says. */
type StringsProblem = {kind: 'utf8'; field: string; offset: number} | {kind: 'framing'; field: string; problem: string};

function expectedWireType(field: Protobuf.Field): number {
	const protobuf = protobufjs();
	return field.resolvedType instanceof protobuf.Type ? 2 : field.resolvedType instanceof protobuf.Enum ? 0 : (WIRE_TYPES[field.type] ?? 2);
}

/**
 * The first problem with a message's string fields, walking the wire format
 * with `type`'s reflection. protobufjs's decoder is lenient where a receiver
 * must not be: it reads a field by its declared type whatever wire type was
 * sent, cuts a string that runs past the end of its message short, and turns
 * bytes that are not UTF-8 into U+FFFD, all without a word. proto3 says a
 * string field holds UTF-8; tracedeck stores nothing other than what was sent.
 * Bytes fields (ids, bytesValue) may hold anything.
 *
 * `path` undefined walks without naming the fields (every request walks,
 * few have a problem): the problem then comes back with an empty field name,
 * and the caller walks again with names to tell it.
 */
function stringsProblem(type: Protobuf.Type, bytes: Uint8Array, path: string | undefined, depth: number): StringsProblem | undefined {
	if (depth > MAX_MESSAGE_DEPTH) {
		return undefined;
	}

	const protobuf = protobufjs();
	const reader = protobuf.Reader.create(bytes);
	const counts = path === undefined ? undefined : new Map<number, number>();
	while (reader.pos < reader.len) {
		const tag = reader.uint32();
		const id = tag >>> 3;
		const wireType = tag & 7;
		const field = type.fieldsById[id];
		if (field === undefined) {
			// Unknown fields are skipped by their wire type, as every decoder does (a newer sender).
			reader.skipType(wireType);
			continue;
		}

		let name: string | undefined;
		if (counts !== undefined) {
			const n = counts.get(id) ?? 0;
			counts.set(id, n + 1);
			name = `${path === '' ? '' : `${path}.`}${lowerCamel(field.name)}${field.repeated ? `[${n}]` : ''}`;
		}

		const expected = expectedWireType(field);
		if (wireType !== expected && !(field.repeated && expected !== 2 && wireType === 2)) {
			return {kind: 'framing', field: name ?? '', problem: `sent with wire type ${wireType}, where its type takes ${expected}`};
		}

		if (wireType !== 2) {
			reader.skipType(wireType);
			continue;
		}

		const length = reader.uint32();
		if (reader.pos + length > reader.len) {
			return {kind: 'framing', field: name ?? '', problem: `${length} bytes long, running past the end of its message`};
		}

		const value = bytes.subarray(reader.pos, reader.pos + length);
		reader.skip(length);
		if (field.type === 'string') {
			// isUtf8 checks in place, without decoding; the offset is looked for only in bad input.
			const offset = isUtf8(value) ? undefined : invalidUtf8Offset(value);
			if (offset !== undefined) {
				return {kind: 'utf8', field: name ?? '', offset};
			}
		} else if (field.resolvedType instanceof protobuf.Type) {
			const inner = stringsProblem(field.resolvedType, value, name, depth + 1);
			if (inner !== undefined) {
				return inner;
			}
		}
	}

	return undefined;
}

/**
 * Why a request that protobufjs decoded is refused all the same, or
 * undefined: a string field that is not UTF-8 or is framed otherwise than
 * its type says (see stringsProblem). One wording for every OTLP signal.
 * Call it on a message that has decoded: the walk trusts the rest of its framing.
 */
export function protobufStringsProblem(type: Protobuf.Type, bytes: Uint8Array): string | undefined {
	let found: StringsProblem | undefined;
	try {
		found = stringsProblem(type, bytes, undefined, 0);
		// The same walk again, naming the fields this time, to tell where.
		found &&= stringsProblem(type, bytes, '', 0);
	} catch (error) {
		// The decode read these bytes already; a walk that cannot is a framing the decoder let pass.
		return `not an OTLP ${type.name} (${(error as Error).message})`;
	}

	if (found === undefined) {
		return undefined;
	}

	return found.kind === 'utf8' ? `not valid UTF-8 in the string field ${found.field} (byte ${found.offset} of the string); protobuf strings are UTF-8, so nothing of the request was stored` : `not an OTLP ${type.name}: the field ${found.field} is ${found.problem}`;
}
