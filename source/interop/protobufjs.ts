import {createRequire} from 'node:module';
import type * as Protobuf from 'protobufjs';

let loaded: typeof Protobuf | undefined;

/**
 * protobufjs, loaded on first use rather than at import: the file reader
 * imports the OTLP protobuf decoder for the files that need it, and a
 * JSON Lines ingest (the common case) would otherwise pay for protobufjs
 * and the parsed OTLP schema (~45 ms of start-up) without decoding a byte.
 * It is a CommonJS package, so require() loads it synchronously where a
 * decode first asks for it.
 */
export function protobufjs(): typeof Protobuf {
	loaded ??= createRequire(import.meta.url)('protobufjs') as typeof Protobuf;
	return loaded;
}
