/**
 * Secrets inside text, for core/redact.ts (the one redaction everyone
 * imports): bearer and basic credentials, URL passwords, private key blocks,
 * JWTs, cloud and SaaS tokens, command-line passwords, devcmd's
 * `@env(NAME) → value`, card numbers that pass Luhn, and user patterns.
 * Patterns are written so that their work is linear in the text: every
 * repeated part is anchored by a lookbehind or a literal, never free to
 * start anywhere and rescan.
 */

const MARKER_SOURCE = String.raw`<redacted:\d{1,15}chars>`;
const EXACT_MARKER = new RegExp(`^${MARKER_SOURCE}$`);
const MARKER_SPLIT = new RegExp(`(${MARKER_SOURCE})`);

/** Whether `text` is exactly one redaction marker. */
export function isRedactedMarker(text: unknown): boolean {
	return typeof text === 'string' && EXACT_MARKER.test(text);
}

/** `<redacted:NNchars>` for the text removed. */
export function markerOf(removed: string): string {
	return `<redacted:${removed.length}chars>`;
}

/** What a text rule knows besides the text: which names are secret. */
interface TextContext {
	isSecret(name: string): boolean;
}

interface TextRule {
	/** A cheap test that the rule may match, to skip its pattern on most text. */
	hint(text: string): boolean;
	apply(text: string, context: TextContext): string;
}

/** The parts of `text` between markers at even indexes, the markers at odd ones. */
function splitAtMarkers(text: string): string[] {
	return text.includes('<redacted:') ? text.split(MARKER_SPLIT) : [text];
}

const AUTH_SCHEMES = 'Bearer|Basic|Digest|Token|Negotiate|NTLM|Bot|OAuth|ApiKey|SharedKey|AWS4-HMAC-SHA256';
const SCHEME_ONLY = new RegExp(String.raw`^(?:${AUTH_SCHEMES})\s*$`, 'i');

/** `-----BEGIN RSA PRIVATE KEY-----` ... `-----END RSA PRIVATE KEY-----`: the body goes; a block cut short is redacted to the end. */
const PEM = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----([\s\S]+?)(?:(-----END \1-----)|$)/g;

/** scheme://user:password@host keeps the user and the host. */
const URL_USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s:/?#@"'<>\\]*):([^\s/?#"'<>\\]+)@/g;

/** Header lines whose whole value is a credential: `Authorization: Bearer x`, `Cookie: a=b; c=d`. */
const HEADER = new RegExp(String.raw`(?<![A-Za-z0-9_-])((?:Proxy-)?Authorization|(?:Set-)?Cookie)(\\?["']?[ \t]*[:=][ \t]*\\?["']?)(?:(${AUTH_SCHEMES})([ \t]+))?([^\s"'\\][^\r\n"'\\]*)`, 'gi');
const HEADER_NAMES = /^(?:(?:proxy-)?authorization|(?:set-)?cookie)$/i;

/** devcmd's resolved values: `@env(API_TOKEN) → value`. */
const RESOLVED_HEAD = /@([A-Za-z_]\w{0,31})\(([^()\n]{1,128})\)([ \t]*(?:→|->|=>)[ \t]*)/g;
const RESOLVED_VALUE = /[^\s"\\][^\n"\\]*/y;
const SECRET_SOURCES = new Set(['secret', 'secrets', 'vault', 'ssm', 'keychain', 'password', 'op', '1password']);

/**
 * `name=value`, `name: value`, `"name": "value"` (also inside escaped JSON),
 * `--name=value`, where name is a secret key. The head alone is matched, so
 * that a name that is no secret ("https:") never swallows the text after it.
 */
const NAMED_HEAD = /(?<![\w.-])(-{0,2}[A-Za-z_][\w.-]{0,63})(\\?["']?)([ \t]*[:=][ \t]*)/g;
/** The value after a secret name: quoted, or up to whitespace or a delimiter of query strings, connection strings and JSON. */
const NAMED_VALUE = /(?:(\\?")((?:[^"\\\n]|\\[^"\n])*)(\\?")|'([^'\n]*)'|(?!\\?["'])((?:(?:[Bb]earer|[Bb]asic|[Tt]oken)[ \t]+)?[^\s"'&,;)\]}]+))/y;

/** `--password secret`, `-token secret`: a secret-named option and the word after it. */
const OPTION_VALUE = /(?<![\w.-])(--?[A-Za-z][\w.-]{0,63})([ \t]+)(?!-)("[^"\n]*"|'[^'\n]*'|[^\s"']+)/g;

/** mysql's `-p<password>` (attached: `-p` alone prompts). */
const MYSQL_NAMES = 'mysql(?:dump|admin|import|sh|check|binlog|pump)?|mariadb(?:-dump|-admin|-import|-check)?';
const MYSQL_FAMILY = new RegExp(String.raw`(?<![\w-])(?:${MYSQL_NAMES})(?![\w-])`);
const MYSQL_PROGRAM = new RegExp(`^(?:${MYSQL_NAMES})$`);
const ATTACHED_P = /(?<=^|[\s"'=])-p('[^'\n]*'|"[^"\n]*"|[^\s"']+)/g;
/** sshpass's `-p <password>` and `-p<password>`. */
const SSHPASS = /(?<![\w-])sshpass(?![\w-])/;
const SSHPASS_P = /(?<=^|[\s"'=])-p([ \t]*)('[^'\n]*'|"[^"\n]*"|[^\s"'-][^\s"']*)/g;

const BEARER = /(?<![\w-])(Bearer)([ \t]+)([A-Za-z0-9\-._~+/]+=*)/gi;
const BASIC = /(?<![\w-])(Basic)([ \t]+)([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])/g;

const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** Tokens known by their prefix: the prefix stays (it says what leaked), the rest goes. */
const TOKEN = /(?<![A-Za-z0-9_-])(gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_(?:live|test)_|glpat-|npm_|AKIA|ASIA|AIza|ya29\.|sk-(?:ant-|proj-)?|hf_)([A-Za-z0-9_-]{10,})/g;
const TOKEN_HINT = /gh[pousr]_|github_pat_|xox[abposr]-|k_(?:live|test)_|glpat-|npm_|AKIA|ASIA|AIza|ya29\.|sk-|hf_/;
const TOKEN_BODIES: ReadonlyArray<[prefix: RegExp, body: RegExp, exact?: number]> = [
	[/^gh[pousr]_$/, /^[A-Za-z0-9]{30,}/],
	[/^github_pat_$/, /^[A-Za-z0-9_]{22,}/],
	[/^xox[abposr]-$/, /^[A-Za-z0-9-]{10,}/],
	[/^[sr]k_(?:live|test)_$/, /^[A-Za-z0-9]{10,}/],
	[/^glpat-$/, /^[A-Za-z0-9_-]{20,}/],
	[/^npm_$/, /^[A-Za-z0-9]{36,}/],
	[/^(?:AKIA|ASIA)$/, /^[A-Z0-9]{16}/, 16],
	[/^AIza$/, /^[A-Za-z0-9_-]{35,}/],
	[/^ya29\.$/, /^[A-Za-z0-9_-]{20,}/],
	[/^sk-/, /^[A-Za-z0-9_-]{32,}/],
	[/^hf_$/, /^[A-Za-z0-9]{30,}/],
];

/** A run of digits with single spaces or dashes between them, where a card number may sit. */
const DIGIT_RUN = /(?<![A-Za-z0-9_.])\d(?:[ -]?\d){12,79}(?![A-Za-z0-9_]|\.\d)/g;

function luhn(digits: string): boolean {
	let sum = 0;
	for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
		let d = digits.charCodeAt(i) - 48;
		if (double) {
			d *= 2;
			if (d > 9) {
				d -= 9;
			}
		}

		sum += d;
	}

	return sum % 10 === 0;
}

/** 13 to 19 digits, a card network's first digit (2 to 6: no epoch milliseconds), passing Luhn. */
export function isCardDigits(digits: string): boolean {
	return digits.length >= 13 && digits.length <= 19 && digits[0]! >= '2' && digits[0]! <= '6' && luhn(digits);
}

/**
 * The card numbers in one digit run: whole groups joined by one kind of
 * separator, as cards are printed: a first group of 4, then groups of 3 to 6
 * (4-4-4-4, 4-6-5, 4-6-4), or one group that is a whole card. A date and time
 * such as 20260101-120000 (a run id's) is not a card, whatever Luhn says of it.
 */
function redactCards(run: string): string {
	const groups = run.split(/([ -])/);
	if (groups.length === 1) {
		return isCardDigits(run) ? markerOf(run) : run;
	}

	// groups: digits at even indexes, separators at odd ones.
	const out: string[] = [];
	let i = 0;
	while (i < groups.length) {
		let found = -1;
		let digits = '';
		for (let j = i; j < groups.length && digits.length < 19; j += 2) {
			const size = groups[j]!.length;
			// A group that is a whole card number by itself stands alone: "4111111111111111 2026".
			const alone = j === i && isCardDigits(groups[j]!);
			if (!alone && ((j === i ? size !== 4 : size < 3 || size > 6) || (j > i && groups[j - 1] !== groups[i + 1]))) {
				break;
			}

			digits += groups[j]!;
			if (isCardDigits(digits)) {
				found = j;
			}
		}

		if (found === -1) {
			out.push(groups[i]!, groups[i + 1] ?? '');
			i += 2;
		} else {
			out.push(markerOf(groups.slice(i, found + 1).join('')), groups[found + 1] ?? '');
			i = found + 2;
		}
	}

	return out.join('');
}

function basicCredential(encoded: string): boolean {
	try {
		const decoded = atob(encoded);
		return decoded.includes(':') && /^[\x20-\x7E]+$/.test(decoded);
	} catch {
		return false;
	}
}

function quotedMarker(value: string): string {
	const quote = value[0];
	return (quote === '"' || quote === "'") && value.length >= 2 && value.at(-1) === quote ? `${quote}${markerOf(value.slice(1, -1))}${quote}` : markerOf(value);
}

/**
 * Replace where `head` matches and `onHead` says so; elsewhere the scan goes
 * on right after the head, so a head that is no secret consumes nothing.
 */
function scanHeads(text: string, head: RegExp, onHead: (match: RegExpExecArray, end: number) => [end: number, replacement: string] | undefined): string {
	let out = '';
	let last = 0;
	head.lastIndex = 0;
	for (let match = head.exec(text); match !== null; match = head.exec(text)) {
		const found = onHead(match, match.index + match[0].length);
		if (found === undefined) {
			if (match[0] === '') {
				head.lastIndex++;
			}

			continue;
		}

		out += text.slice(last, match.index) + found[1];
		last = found[0];
		head.lastIndex = found[0];
	}

	return last === 0 ? text : out + text.slice(last);
}

/** The sticky `pattern` matched at `at`, or null. */
function stickyAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
	pattern.lastIndex = at;
	return pattern.exec(text);
}

const includes =
	(...needles: string[]) =>
	(text: string): boolean =>
		needles.every(needle => text.includes(needle));

const TEXT_RULES: readonly TextRule[] = [
	{
		hint: includes('PRIVATE KEY'),
		apply: text => text.replace(PEM, (_m, label: string, body: string, end: string | undefined) => `-----BEGIN ${label}-----${markerOf(body)}${end ?? ''}`),
	},
	{
		hint: includes('://', '@'),
		apply: text => text.replace(URL_USERINFO, (_m, scheme: string, user: string, password: string) => `${scheme}${user}:${markerOf(password)}@`),
	},
	{
		hint: text => /authoriz|cookie/i.test(text),
		apply: text =>
			text.replace(HEADER, (match, name: string, separator: string, scheme: string | undefined, space: string | undefined, value: string) => {
				if (scheme === undefined && SCHEME_ONLY.test(value)) {
					// Already redacted after its scheme ("Bearer " then a marker).
					return match;
				}

				return `${name}${separator}${scheme === undefined ? '' : `${scheme}${space!}`}${markerOf(value)}`;
			}),
	},
	{
		hint: includes('@', '('),
		apply: (text, context) =>
			scanHeads(text, RESOLVED_HEAD, (head, end) => {
				const [, source, name] = head as unknown as [string, string, string];
				const value = SECRET_SOURCES.has(source.toLowerCase()) || context.isSecret(name) ? stickyAt(RESOLVED_VALUE, text, end) : null;
				return value === null ? undefined : [end + value[0].length, `${head[0]}${markerOf(value[0])}`];
			}),
	},
	{
		hint: text => text.includes('=') || text.includes(':'),
		apply: (text, context) =>
			scanHeads(text, NAMED_HEAD, (head, end) => {
				const name = head[1]!.replace(/^-+/, '');
				if (HEADER_NAMES.test(name) || !context.isSecret(name)) {
					return undefined;
				}

				const value = stickyAt(NAMED_VALUE, text, end);
				if (value === null) {
					return undefined;
				}

				const [whole, open, doubleQuoted, close, singleQuoted, bare] = value as unknown as [string, string?, string?, string?, string?, string?];
				const redacted = open === undefined ? (singleQuoted === undefined ? markerOf(bare!) : `'${markerOf(singleQuoted)}'`) : `${open}${markerOf(doubleQuoted!)}${close!}`;
				return [end + whole.length, `${head[0]}${redacted}`];
			}),
	},
	{
		hint: includes('-'),
		apply: (text, context) => text.replace(OPTION_VALUE, (match, option: string, space: string, value: string) => (context.isSecret(option.replace(/^-+/, '')) ? `${option}${space}${quotedMarker(value)}` : match)),
	},
	{
		hint: text => text.includes('-p') && MYSQL_FAMILY.test(text),
		apply: text => text.replace(ATTACHED_P, (_m, value: string) => `-p${markerOf(value)}`),
	},
	{
		hint: text => text.includes('-p') && SSHPASS.test(text),
		apply: text => text.replace(SSHPASS_P, (_m, space: string, value: string) => `-p${space}${markerOf(value)}`),
	},
	{
		hint: text => /bearer/i.test(text),
		apply: text => text.replace(BEARER, (_m, scheme: string, space: string, token: string) => `${scheme}${space}${markerOf(token)}`),
	},
	{
		hint: includes('Basic'),
		apply: text => text.replace(BASIC, (match, scheme: string, space: string, encoded: string) => (basicCredential(encoded) ? `${scheme}${space}${markerOf(encoded)}` : match)),
	},
	{
		hint: includes('eyJ'),
		apply: text => text.replace(JWT, token => markerOf(token)),
	},
	{
		hint: text => TOKEN_HINT.test(text),
		apply: text =>
			text.replace(TOKEN, (match, prefix: string, rest: string) => {
				for (const [kind, body, exact] of TOKEN_BODIES) {
					if (!kind.test(prefix)) {
						continue;
					}

					const secret = body.exec(rest)?.[0];
					// An AWS key id is exactly 16 characters after its prefix: a longer word is something else.
					if (secret === undefined || (exact !== undefined && /^[A-Za-z0-9]*/.exec(rest)![0].length !== exact)) {
						return match;
					}

					return `${prefix}${markerOf(secret)}${rest.slice(secret.length)}`;
				}

				return match;
			}),
	},
	{
		hint: text => /[2-6]\d{3}/.test(text),
		apply: text => text.replace(DIGIT_RUN, run => redactCards(run)),
	},
];

function compilePattern(pattern: RegExp | string, index: number): RegExp {
	try {
		const source = typeof pattern === 'string' ? pattern : pattern.source;
		const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gdy]/g, '');
		return new RegExp(source, `${flags}gd`);
	} catch (error) {
		throw new TypeError(`redact.extraPatterns[${index}] is not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
	}
}

/** A user pattern: the match, or its `secret` group, or its first group, becomes a marker. */
function patternRule(pattern: RegExp): TextRule {
	return {
		hint: () => true,
		apply(text) {
			let out = '';
			let last = 0;
			for (const match of text.matchAll(pattern)) {
				const indices = match.indices!;
				const span = indices.groups?.['secret'] ?? indices[1] ?? indices[0];
				if (span === undefined || span[1] <= span[0] || span[0] < last) {
					continue;
				}

				out += text.slice(last, span[0]) + markerOf(text.slice(span[0], span[1]));
				last = span[1];
			}

			return last === 0 ? text : out + text.slice(last);
		},
	};
}

/** Passes over one text at most; see textRedaction. */
const MAX_PASSES = 8;

/**
 * The text redaction for one set of options.
 *
 * @throws TypeError when an extra pattern is not a regular expression.
 */
export function textRedaction(isSecret: (name: string) => boolean, extraPatterns: ReadonlyArray<RegExp | string> = []): (text: string) => string {
	const extra = extraPatterns.map((pattern, i) => patternRule(compilePattern(pattern, i)));
	const rules = extra.length === 0 ? TEXT_RULES : [...TEXT_RULES, ...extra];
	const context: TextContext = {isSecret};
	// Rules see only the parts between markers: a marker is never redacted again, or nested.
	const pass = (input: string): string => {
		let parts = splitAtMarkers(input);
		for (const rule of rules) {
			let changed = false;
			for (let i = 0; i < parts.length; i += 2) {
				const part = parts[i]!;
				if (part !== '' && rule.hint(part)) {
					const out = rule.apply(part, context);
					if (out !== part) {
						parts[i] = out;
						changed = true;
					}
				}
			}

			if (changed) {
				parts = splitAtMarkers(parts.join(''));
			}
		}

		return parts.length === 1 ? parts[0]! : parts.join('');
	};

	// Until nothing changes: a marker can open a new context for a rule (text
	// after it starts afresh), and redacted output must pass through unchanged.
	// Every change turns text outside markers into a marker, so this ends (and
	// MAX_PASSES bounds it): one pass in practice, two when something was found.
	return input => {
		let before = input;
		let out = pass(before);
		for (let round = 1; round < MAX_PASSES && out !== before; round++) {
			before = out;
			out = pass(before);
		}

		return out;
	};
}

// ---------------------------------------------------------------------------
// Command lines as argv

const BARE_OPTION = /^--?[A-Za-z0-9][\w.-]*$/;
const PROGRAM_OF = (word: string): string => word.slice(word.lastIndexOf('/') + 1);

/** Command-line words: secret options' values, mysql's and sshpass's `-p<password>`, and every word as text. */
export function redactWords(words: readonly string[], isSecret: (name: string) => boolean, text: (text: string) => string): string[] {
	const mysql = words.some(word => MYSQL_PROGRAM.test(PROGRAM_OF(word)));
	const sshpass = words.some(word => PROGRAM_OF(word) === 'sshpass');
	const out: string[] = [];
	let redactNext = false;
	for (const word of words) {
		if (redactNext) {
			redactNext = false;
			if (!word.startsWith('-') && !EXACT_MARKER.test(word)) {
				out.push(markerOf(word));
				continue;
			}
		}

		if ((mysql || sshpass) && word.startsWith('-p') && word.length > 2 && !word.startsWith('-p<redacted:')) {
			out.push(`-p${markerOf(word.slice(2))}`);
			continue;
		}

		if ((sshpass && word === '-p') || (BARE_OPTION.test(word) && isSecret(word.replace(/^-+/, '')))) {
			redactNext = true;
		}

		out.push(text(word));
	}

	return out;
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/;

/**
 * Lines of output, each redacted as text, and every line inside a private key
 * block too: a block split over lines has its body on lines that look like
 * nothing on their own.
 */
export function redactLinesWith(lines: readonly string[], text: (text: string) => string): string[] {
	let inKey = false;
	return lines.map(line => {
		if (inKey) {
			if (PEM_END.test(line)) {
				inKey = false;
				return line.trim().startsWith('-----END') ? line : markerOf(line);
			}

			return isRedactedMarker(line) || line === '' ? line : markerOf(line);
		}

		const redacted = text(line);
		if (PEM_BEGIN.test(redacted) && !PEM_END.test(redacted)) {
			inKey = true;
		}

		return redacted;
	});
}
