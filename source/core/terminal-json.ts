/**
 * Characters JSON.stringify writes raw that a terminal or a line reader may
 * obey: DEL and the C1 controls (U+009B is CSI on some terminals), and the
 * line and paragraph separators U+2028/U+2029, which some JSON-lines readers
 * take for line breaks. JSON.stringify already escapes C0 (ESC among them).
 */
const UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * JSON text with the characters above written as \u escapes. Character by
 * character, so a document escaped in chunks (core/json-chunks.ts) reads as
 * the document escaped whole.
 */
export function escapeTerminalUnsafe(json: string): string {
	return json.replace(UNSAFE, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON that is as safe to `cat` as to parse: the same value, the characters above written as \u escapes. */
export function terminalSafeJson(value: unknown, indent?: number): string {
	return escapeTerminalUnsafe(JSON.stringify(value, null, indent) ?? 'null');
}
