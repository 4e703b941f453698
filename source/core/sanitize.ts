import {HIDDEN_FORMATTING_CLASS} from './input-limits.js';

// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and lone two-byte escapes.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]?/g;
// C0 and C1 controls other than tab and newline, and DEL.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Bidirectional embeddings, overrides and isolates: they reorder what follows them on the line
// (a span name could flip the columns after it). Marks (LRM, RLM) and joiners stay: emoji need ZWJ.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

function withoutEscapes(text: string, singleLine: boolean): string {
	const clean = text.replace(ESCAPES, '').replace(CONTROLS, '');
	return singleLine ? clean.replace(/[\r\n\t]+/g, ' ') : clean;
}

/**
 * Make untrusted text (span names, stderr, data) safe to draw: terminal escape
 * sequences, control characters and bidi overrides go, so a hostile producer
 * cannot move the cursor, retitle the window, hide text or reorder a row.
 * Newlines and tabs stay unless `singleLine`, which turns them into spaces.
 */
export function sanitize(text: string, singleLine = false): string {
	return withoutEscapes(text, singleLine).replace(BIDI_CONTROLS, '');
}

const HIDDEN_FORMATTING = new RegExp(`[${HIDDEN_FORMATTING_CLASS}]`, 'gu');

/**
 * A message line that quotes untrusted text (an error, a warning, an answer
 * to an OTLP client): sanitize()d to one line, and each bidirectional or
 * zero-width character shown as <U+202E>. Dropping them would not do: the
 * message is how one learns that "prod" was not the "prod" it looks like.
 */
export function sanitizeMessage(text: string): string {
	return withoutEscapes(text, true).replace(HIDDEN_FORMATTING, c => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}
