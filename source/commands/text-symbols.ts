import {symbolsFor, type Symbols} from '../core/symbols.js';
import {wantsAscii} from '../core/terminal-env.js';

/** The glyphs text output draws: the console's own, ASCII where the terminal is not UTF-8. */
export function textSymbols(env: NodeJS.ProcessEnv = process.env): Symbols {
	return symbolsFor(wantsAscii(env));
}
