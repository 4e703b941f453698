import protobuf from 'protobufjs';
import {invalidUtf8Offset} from '../core/utf8.js';

/** Below protobufjs's own decode recursion limit: a message that decoded is never deeper. */
const MAX_MESSAGE_DEPTH = 1000;

function lowerCamel(name: string): string {
	return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * The first `string` field of a protobuf message whose bytes are not UTF-8,
 * named by its path ("resourceSpans[0].scopeSpans[0].spans[2].name"), or
 * undefined. protobufjs decodes such bytes to U+FFFD without a word; proto3
 * says a string field holds UTF-8, so a receiver refuses rather than store
 * something other than what was sent. Walks the wire format with `type`'s
 * reflection; bytes fields (ids, bytesValue) may hold anything. Call it on a
 * message that has decoded: the walk trusts its framing.
 */
export function invalidUtf8Field(type: protobuf.Type, bytes: Uint8Array, path = '', depth = 0): string | undefined {
	if (depth > MAX_MESSAGE_DEPTH) {
		return undefined;
	}

	const reader = protobuf.Reader.create(bytes);
	const counts = new Map<number, number>();
	while (reader.pos < reader.len) {
		const tag = reader.uint32();
		const id = tag >>> 3;
		const wireType = tag & 7;
		const field = type.fieldsById[id];
		// Length-delimited (2) is where strings and messages travel; anything else is skipped as it is.
		if (field === undefined || wireType !== 2 || (field.type !== 'string' && !(field.resolvedType instanceof protobuf.Type))) {
			reader.skipType(wireType);
			continue;
		}

		const n = counts.get(id) ?? 0;
		counts.set(id, n + 1);
		const name = `${path === '' ? '' : `${path}.`}${lowerCamel(field.name)}${field.repeated ? `[${n}]` : ''}`;
		const value = reader.bytes();
		if (field.type === 'string') {
			const offset = invalidUtf8Offset(value);
			if (offset !== undefined) {
				return `${name} (byte ${offset} of the string)`;
			}
		} else {
			const inner = invalidUtf8Field(field.resolvedType as protobuf.Type, value, name, depth + 1);
			if (inner !== undefined) {
				return inner;
			}
		}
	}

	return undefined;
}

/**
 * Why a decoded OTLP request must still be refused for its text, or
 * undefined: a string field that is not UTF-8, or framing the walk cannot
 * follow (protobufjs's decoder is more lenient than the walk, and a body the
 * walk cannot read is not one to trust). `what` names the request, as
 * "ExportTraceServiceRequest".
 */
export function textProblem(type: protobuf.Type, bytes: Uint8Array, what: string): string | undefined {
	let field: string | undefined;
	try {
		field = invalidUtf8Field(type, bytes);
	} catch (error) {
		return `not an OTLP ${what} (${(error as Error).message})`;
	}

	return field === undefined ? undefined : `not valid UTF-8 in the string field ${field}; protobuf strings are UTF-8, so nothing of the request was stored`;
}
