/**
 * Text in the order the index sorts it: SQLite's BINARY and PostgreSQL's
 * COLLATE "C" compare UTF-8 bytes, which is code point order. JavaScript's
 * `<` compares UTF-16 units, which differs past U+FFFF: a surrogate (half of
 * such a code point) sorts after every unit up to U+FFFF.
 */
export function compareByteOrder(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	for (let i = 0; i < length; i++) {
		const x = a.charCodeAt(i);
		const y = b.charCodeAt(i);
		if (x !== y) {
			const xSurrogate = x >= 0xd8_00 && x <= 0xdf_ff;
			const ySurrogate = y >= 0xd8_00 && y <= 0xdf_ff;
			return xSurrogate === ySurrogate ? x - y : xSurrogate ? 1 : -1;
		}
	}

	return a.length - b.length;
}
