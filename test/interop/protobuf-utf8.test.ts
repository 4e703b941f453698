import assert from 'node:assert/strict';
import {isUtf8} from 'node:buffer';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {invalidUtf8Offset} from '../../source/core/utf8.js';

/*
 * The protobuf string check (interop/protobuf-utf8.ts) asks node's isUtf8
 * first, which checks in place, and looks for the offset only when it says
 * no: the two must agree on every byte string, or a bad string would pass.
 */
describe('isUtf8 beside the strict decoder', () => {
	const tricky = [
		[0xed, 0xa0, 0x80], // a UTF-16 surrogate, encoded
		[0xc0, 0xaf], // overlong
		[0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
		[0xef, 0xbf, 0xbf], // a noncharacter: valid
		[0xe2, 0x82], // cut short
		[0xf0, 0x9f, 0x98, 0x80], // an emoji
		[],
	];

	it('agrees on the edge cases', () => {
		for (const bytes of tricky) {
			const value = Uint8Array.from(bytes);
			assert.equal(isUtf8(value), invalidUtf8Offset(value) === undefined, bytes.join(' '));
		}
	});

	it('property: agrees on random bytes and on text with bytes changed', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.uint8Array({maxLength: 40}),
					fc.tuple(fc.string({unit: 'binary', maxLength: 20}), fc.nat(60), fc.integer({min: 0, max: 255})).map(([text, at, byte]) => {
						const bytes = new TextEncoder().encode(text);
						if (bytes.length > 0) {
							bytes[at % bytes.length] = byte;
						}

						return bytes;
					}),
				),
				value => {
					assert.equal(isUtf8(value), invalidUtf8Offset(value) === undefined);
				},
			),
			{numRuns: 5000},
		);
	});
});
