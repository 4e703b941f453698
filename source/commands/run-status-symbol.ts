import {symbolsFor, wantsAscii} from '../tui/symbols.js';

export type Symbolic = 'success' | 'failed' | 'running' | 'pending' | 'cancelled';

/** A status as a text cue that does not rely on colour: the console's glyphs, ASCII where the terminal is not UTF-8. */
export function statusSymbol(status: Symbolic, ascii = wantsAscii()): string {
	return symbolsFor(ascii)[status];
}
