import {statusSymbol, type StatusLike, type Symbols} from '../core/symbols.js';

import {THEME_DEFAULTS, type ThemeRole} from '../core/theme-roles.js';
import type {Segment} from './text.js';

/** The default colour of each role; the config file's [colors] may change them (see palette.ts). */
export const COLORS = THEME_DEFAULTS;

/** A status's colour role (its name); the palette turns it into the configured or default colour. */
export function statusColor(status: StatusLike): ThemeRole {
	return status;
}

/** "✗ failed" as one coloured segment; the word stays for screen readers and NO_COLOR. */
export function statusSegment(status: StatusLike, symbols: Symbols, word = true): Segment {
	const label = status === 'success' ? 'ok' : status;
	const symbol = statusSymbol(status, symbols);
	// ASCII's success symbol is the word itself: say it once.
	return {text: word && symbol !== label ? `${symbol} ${label}` : symbol, color: statusColor(status)};
}
