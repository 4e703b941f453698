/**
 * Every glyph the console draws, in a Unicode and an ASCII set. Each state has
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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * ASCII when asked (TRACEDECK_ASCII=1) or when the locale is not UTF-8. The
 * first of LC_ALL, LC_CTYPE, LANG that is set decides, as setlocale does.
 */
export function wantsAscii(env: Env = process.env): boolean {
	const forced = env['TRACEDECK_ASCII'];
	if (forced !== undefined && forced !== '') {
		return forced !== '0';
	}

	const locale = [env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find(value => value !== undefined && value !== '') ?? '';
	return !/utf-?8/i.test(locale);
}

/** NO_COLOR (any non-empty value) turns colour off; text cues stay. */
export function wantsColor(env: Env = process.env): boolean {
	const noColor = env['NO_COLOR'];
	return noColor === undefined || noColor === '';
}

export function symbolsFor(ascii: boolean): Symbols {
	return ascii ? ASCII : UNICODE;
}
