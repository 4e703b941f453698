import {sanitize} from '../core/sanitize.js';

/** A plain aligned table for stdout; cells are sanitized and the last column is not padded. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
	const clean = rows.map(row => row.map(cell => sanitize(cell, true)));
	const widths = header.map((title, i) => Math.max(title.length, ...clean.map(row => row[i]?.length ?? 0)));
	const line = (cells: readonly string[]): string =>
		cells
			.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
			.join('  ')
			.trimEnd();
	return [line(header), ...clean.map(row => line(row))].join('\n');
}
