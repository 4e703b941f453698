const STRICT = new TextDecoder('utf-8', {fatal: true});

/**
 * Where `bytes` stop being UTF-8 (the offset of the first byte of the first
 * bad sequence: a stray continuation byte, a cut-off sequence, an overlong
 * form, a surrogate, a code point past U+10FFFF), or undefined when all of it
 * is. Decoders elsewhere put U+FFFD in its place silently; input is refused
 * instead, so that nothing is stored other than as it was sent.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
	try {
		STRICT.decode(bytes);
		return undefined;
	} catch {
		// Found below: a second, slower pass only for bad input.
	}

	let i = 0;
	while (i < bytes.length) {
		const lead = bytes[i]!;
		const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
		if (length === 0 || i + length > bytes.length) {
			return i;
		}

		// The second byte's range is narrower after E0 (no overlong), ED (no surrogates), F0 (no overlong) and F4 (nothing past U+10FFFF).
		const second = bytes[i + 1] ?? 0;
		const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
		if (length > 1 && (second < low || second > high)) {
			return i;
		}

		for (let k = 2; k < length; k++) {
			const next = bytes[i + k]!;
			if (next < 0x80 || next > 0xbf) {
				return i;
			}
		}

		i += length;
	}

	return undefined;
}
