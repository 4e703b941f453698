/*
 * How the terminal wants text drawn, read from the environment the caller
 * passes (process.env at the edge): one reading of TRACEDECK_ASCII, the locale
 * and NO_COLOR for the console, text output and tail alike.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * ASCII when asked (TRACEDECK_ASCII=1) or when the locale is not UTF-8. The
 * first of LC_ALL, LC_CTYPE, LANG that is set decides, as setlocale does.
 */
export function wantsAscii(env: Env): boolean {
	const forced = env['TRACEDECK_ASCII'];
	if (forced !== undefined && forced !== '') {
		return forced !== '0';
	}

	const locale = [env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find(value => value !== undefined && value !== '') ?? '';
	return !/utf-?8/i.test(locale);
}

/** NO_COLOR (any non-empty value) turns colour off; text cues stay. */
export function wantsColor(env: Env): boolean {
	const noColor = env['NO_COLOR'];
	return noColor === undefined || noColor === '';
}

/** "3.4" or "3.4a" → [3, 4]; VTE's "7600" → [0, 76]. */
function versionOf(text: string | undefined): [number, number] {
	if (text === undefined) {
		return [0, 0];
	}

	if (/^\d{3,4}$/.test(text)) {
		return [0, Math.floor(Number(text) / 100)];
	}

	const [major = 0, minor = 0] = text.split('.').map(part => Number.parseInt(part, 10) || 0);
	return [major, minor];
}

function atLeast(text: string | undefined, major: number, minor: number): boolean {
	const [a, b] = versionOf(text);
	return a > major || (a === major && b >= minor);
}

/**
 * Whether to draw links as OSC 8 hyperlinks (a name you click) rather than
 * the URL in full. FORCE_HYPERLINK decides when set (0 is no), as in
 * supports-hyperlinks; otherwise only terminals known to show them: no
 * colour, a dumb terminal or CI mean plain text. Terminals that do not know
 * OSC 8 usually ignore it, but some print it, so unknown means no. tmux
 * passes hyperlinks on since 3.4 (TERM_PROGRAM is then tmux, not the outer
 * terminal), which supports-hyperlinks does not yet know.
 */
export function wantsHyperlinks(env: Env): boolean {
	const forced = env['FORCE_HYPERLINK'];
	if (forced !== undefined && forced !== '') {
		return Number.parseInt(forced, 10) !== 0;
	}

	const term = env['TERM'] ?? '';
	if (!wantsColor(env) || term === 'dumb' || (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false')) {
		return false;
	}

	if (env['WT_SESSION'] !== undefined) {
		return true;
	}

	const version = env['TERM_PROGRAM_VERSION'];
	switch (env['TERM_PROGRAM']) {
		case 'tmux': {
			return atLeast(version, 3, 4);
		}

		case 'iTerm.app': {
			return atLeast(version, 3, 1);
		}

		case 'vscode': {
			return atLeast(version, 1, 72);
		}

		case 'WezTerm':
		case 'ghostty':
		case 'zed': {
			return true;
		}

		default: {
			break;
		}
	}

	if (env['VTE_VERSION'] !== undefined && env['VTE_VERSION'] !== '0.50.0') {
		return atLeast(env['VTE_VERSION'], 0, 50);
	}

	return term === 'alacritty' || term === 'xterm-kitty' || term === 'xterm-ghostty';
}
