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
