import type {TerminalSize} from './hooks/use-terminal-size.js';

/**
 * The smallest terminal every screen still works in (its header, selected
 * row and footer on screen, the row readable), measured by rendering each
 * screen at decreasing sizes (test/tui/rough-edges.test.tsx checks each at
 * this size). Rows: the compensations tab needs 10 for one row under its
 * summary and header. Columns: the trace keeps 8 characters of a span's name
 * and the linked runs their link and name at 40. Below it, a note says so.
 */
export const MIN_SIZE: Readonly<TerminalSize> = {columns: 40, rows: 10};

export function fitsMinSize(size: TerminalSize): boolean {
	return size.columns >= MIN_SIZE.columns && size.rows >= MIN_SIZE.rows;
}

/** What the console shows instead of a screen in a smaller terminal. */
export function minSizeNote(size: TerminalSize): string {
	return `tracedeck needs at least ${MIN_SIZE.columns}x${MIN_SIZE.rows} (this is ${size.columns}x${size.rows}); make the window bigger, or q quits`;
}
