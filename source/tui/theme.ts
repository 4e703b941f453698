import {statusSymbol, type StatusLike, type Symbols} from '../core/symbols.js';

import type {Segment} from './text.js';

export const COLORS = {
	success: 'green',
	failed: 'red',
	running: 'yellow',
	pending: 'yellow',
	cancelled: 'gray',
	stuck: 'magenta',
	critical: 'magenta',
	accent: 'cyan',
	muted: 'gray',
	mark: 'blue',
} as const;

export function statusColor(status: StatusLike): string {
	return COLORS[status];
}

/** "✗ failed" as one coloured segment; the word stays for screen readers and NO_COLOR. */
export function statusSegment(status: StatusLike, symbols: Symbols, word = true): Segment {
	const label = status === 'success' ? 'ok' : status;
	const symbol = statusSymbol(status, symbols);
	// ASCII's success symbol is the word itself: say it once.
	return {text: word && symbol !== label ? `${symbol} ${label}` : symbol, color: statusColor(status)};
}
