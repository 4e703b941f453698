// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and lone two-byte escapes.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]?/g;
// C0 and C1 controls other than tab and newline, and DEL.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Make untrusted text (span names, stderr, data) safe to draw: terminal escape
 * sequences and control characters go, so a hostile producer cannot move the
 * cursor, retitle the window or hide text. Newlines and tabs stay unless
 * `singleLine`, which turns them into spaces.
 */
export function sanitize(text: string, singleLine = false): string {
	const clean = text.replace(ESCAPES, '').replace(CONTROLS, '');
	return singleLine ? clean.replace(/[\r\n\t]+/g, ' ') : clean;
}
