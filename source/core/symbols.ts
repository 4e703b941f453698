import type {RunStatus} from './run.js';
import type {SpanStatus} from './span.js';

/**
 * Every glyph tracedeck draws (the console, text output, report.html), in a Unicode and an ASCII set. Each state has
 * a symbol besides its colour, so NO_COLOR and monochrome terminals lose nothing.
 */
export interface Symbols {
	success: string;
	failed: string;
	running: string;
	pending: string;
	cancelled: string;
	stuck: string;
	orphan: string;
	compensated: string;
	critical: string;
	mark: string;
	cursor: string;
	expanded: string;
	collapsed: string;
	leaf: string;
	added: string;
	removed: string;
	changed: string;
	slower: string;
	faster: string;
	same: string;
	newBelow: string;
	following: string;
	chosen: string;
	arrow: string;
	undo: string;
	retry: string;
	crumb: string;
	dot: string;
	ellipsis: string;
	/** "×3": how many times. */
	times: string;
	bar: string;
	barCritical: string;
	barOther: string;
	barOpen: string;
	scoreBar: string;
	rule: string;
	live: string;
}

export const UNICODE: Symbols = {
	success: '✓',
	failed: '✗',
	running: '…',
	pending: '…',
	cancelled: '⊘',
	stuck: '⚠',
	orphan: '⚠',
	compensated: '↺',
	critical: '◆',
	mark: '●',
	cursor: '›',
	expanded: '▾',
	collapsed: '▸',
	leaf: ' ',
	added: '+',
	removed: '-',
	changed: '~',
	slower: '▲',
	faster: '▼',
	same: '=',
	newBelow: '▼',
	following: '▶',
	chosen: '▶',
	arrow: '→',
	undo: '←',
	retry: '↻',
	crumb: '›',
	dot: '·',
	ellipsis: '…',
	times: '×',
	bar: '█',
	barCritical: '█',
	barOther: '▒',
	barOpen: '░',
	scoreBar: '■',
	rule: '─',
	live: '●',
};

export const ASCII: Symbols = {
	success: 'ok',
	failed: 'x',
	running: '..',
	pending: '..',
	cancelled: '-',
	stuck: '!',
	orphan: '!',
	compensated: '<~',
	critical: '*',
	mark: '@',
	cursor: '>',
	expanded: '-',
	collapsed: '+',
	leaf: ' ',
	added: '+',
	removed: '-',
	changed: '~',
	slower: '^',
	faster: 'v',
	same: '=',
	newBelow: 'v',
	following: '>',
	chosen: '>',
	arrow: '->',
	undo: '<-',
	retry: 'r',
	crumb: '>',
	dot: '|',
	ellipsis: '...',
	times: 'x',
	bar: '#',
	barCritical: '#',
	barOther: '=',
	barOpen: ':',
	scoreBar: '#',
	rule: '-',
	live: '*',
};

export function symbolsFor(ascii: boolean): Symbols {
	return ascii ? ASCII : UNICODE;
}

/** What a status cue can be about: a span, a run, or a run gone silent. */
export type StatusLike = SpanStatus | RunStatus | 'stuck';

/** The one glyph of a status: every screen, every text output and report.html draw this. */
export function statusSymbol(status: StatusLike, symbols: Symbols): string {
	switch (status) {
		case 'success': {
			return symbols.success;
		}

		case 'failed': {
			return symbols.failed;
		}

		case 'cancelled': {
			return symbols.cancelled;
		}

		case 'stuck': {
			return symbols.stuck;
		}

		default: {
			return symbols.running;
		}
	}
}
