import {isSecretKey} from '../core/secret-keys.js';

/**
 * Nesting kept when copying; deeper members become a marker. A plan or a
 * span's input is never this deep in practice, and the bound keeps a hostile
 * document from overflowing the stack.
 */
const MAX_DEPTH = 100;

const REDACTED = /^<redacted:\d+chars>$/;
const OPTION = /^(--?[A-Za-z0-9][\w.-]*)=([\s\S]*)$/;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
const BARE_OPTION = /^--?[A-Za-z0-9][\w.-]*$/;

/**
 * `<redacted:NNchars>`, NN the length of the value's text: it tells "empty"
 * from "set" and nothing else. Same rule as the emitter's redaction, so a
 * marker means the same wherever it was made.
 */
export function redactedMarker(value: unknown): string {
	return `<redacted:${String(value).length}chars>`;
}

/**
 * Redact words of a command line: `--token=abc`, `API_KEY=abc`, and the word
 * after a secret-named option (`--password abc`). A bare secret with no name
 * beside it cannot be recognised and stays.
 */
export function redactWords(words: readonly string[]): string[] {
	const out: string[] = [];
	let redactNext = false;
	for (const word of words) {
		if (redactNext) {
			redactNext = false;
			if (!word.startsWith('-') && !REDACTED.test(word)) {
				out.push(redactedMarker(word));
				continue;
			}
		}

		const named = OPTION.exec(word) ?? VARIABLE.exec(word);
		if (named && isSecretKey(named[1]!.replace(/^-+/, '')) && !REDACTED.test(named[2]!)) {
			out.push(`${named[1]}=${redactedMarker(named[2])}`);
			continue;
		}

		if (BARE_OPTION.test(word) && isSecretKey(word.replace(/^-+/, ''))) {
			redactNext = true;
		}

		out.push(word);
	}

	return out;
}

function redactString(text: string): string {
	if (!text.includes('=') && !text.includes('-')) {
		return text;
	}

	const parts = text.split(/(\s+)/);
	const words = redactWords(parts.filter((_, i) => i % 2 === 0));
	return parts.map((part, i) => (i % 2 === 0 ? words[i / 2]! : part)).join('');
}

function copy(value: unknown, depth: number): unknown {
	if (typeof value === 'string') {
		return redactString(value);
	}

	if (value === null || typeof value !== 'object') {
		return value;
	}

	if (depth >= MAX_DEPTH) {
		return `[truncated: nested deeper than ${MAX_DEPTH} levels]`;
	}

	if (Array.isArray(value)) {
		// An argv array: "--password" and its value are two items.
		const items = value.every(item => typeof item === 'string') ? redactWords(value as string[]) : value;
		return items.map(item => copy(item, depth + 1));
	}

	const out: Record<string, unknown> = {};
	for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
		const redacted = member !== null && member !== undefined && isSecretKey(key) && !(typeof member === 'string' && REDACTED.test(member))
			? redactedMarker(member)
			: copy(member, depth + 1);
		// A plain assignment of "__proto__" would set the prototype instead of a member.
		Object.defineProperty(out, key, {value: redacted, enumerable: true, writable: true, configurable: true});
	}

	return out;
}

/**
 * A copy of a plan (or any JSON: a span's input, its attributes) with secrets
 * replaced by `<redacted:NNchars>`: values of secret-named keys at any depth
 * (isSecretKey: password, token, api_key, ...), and secret-named options and
 * variables inside strings and argv arrays. Idempotent: redacting twice
 * changes nothing. The input is left as is.
 */
export function redactSecrets(value: unknown): unknown {
	return copy(value, 0);
}
