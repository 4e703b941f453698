/**
 * One JSON document on stdout. JSON.stringify escapes C0 controls (ESC among
 * them) but not DEL and the C1 range, whose CSI (U+009B) some terminals obey:
 * escape those too, so `cat`ing the output is as safe as parsing it.
 */
export function writeJson(value: unknown): void {
	const text = JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
	process.stdout.write(`${text}\n`);
}
