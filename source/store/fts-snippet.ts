/*
 * SQLite's FTS5 phrase match and snippet() (unicode61 tokenizer with
 * remove_diacritics 2, as the span_search, log_search and
 * service_log_search tables use it), in JavaScript, for the engine that has
 * no FTS5: PostgreSQL narrows the rows in SQL (search.ts), this decides
 * each one and marks it as snippet() would. Written after fts5_aux.c
 * (fts5SnippetFunction, fts5SnippetScore, fts5HighlightCb) and
 * fts5_tokenize.c of SQLite 3.53, for one phrase in one column.
 *
 * What can differ on exotic input: unicode61 folds case and strips
 * diacritics with its own tables (Unicode 6.1 era, simple case folding,
 * diacritics of Latin letters only), this with String.prototype
 * toLowerCase() and NFD: they agree on Latin, Greek and Cyrillic text and
 * part on letters such as İ, ẞ, ø or ligatures, and on letters Unicode
 * added since (which unicode61 takes for separators).
 */

/** A token: where it is in the text and what it is once folded. */
interface Token {
	start: number;
	end: number;
	folded: string;
}

// unicode61's token characters: letters, numbers, private use; and diacritics, which it folds away.
const TOKEN = /[\p{L}\p{N}\p{Co}\p{Mn}]+/gu;
const MARKS = /\p{M}/gu;

/** A token as unicode61 with remove_diacritics 2 folds it: lower case, no diacritics. */
export function foldToken(text: string): string {
	return text.toLowerCase().normalize('NFD').replace(MARKS, '');
}

export function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	for (const match of text.matchAll(TOKEN)) {
		const folded = foldToken(match[0]);
		if (folded !== '') {
			tokens.push({start: match.index, end: match.index + match[0].length, folded});
		}
	}

	return tokens;
}

/** A phrase query: its folded tokens, the last one a prefix when the query ends in `*`. */
export interface Phrase {
	tokens: string[];
	prefix: boolean;
}

/** Where the phrase starts in the text's tokens, in order. */
export function phraseInstances(tokens: readonly Token[], phrase: Phrase): number[] {
	const found: number[] = [];
	const n = phrase.tokens.length;
	for (let i = 0; n > 0 && i + n <= tokens.length; i++) {
		let all = true;
		for (let k = 0; k < n && all; k++) {
			const doc = tokens[i + k]!.folded;
			const want = phrase.tokens[k]!;
			all = phrase.prefix && k === n - 1 ? doc.startsWith(want) : doc === want;
		}

		if (all) {
			found.push(i);
		}
	}

	return found;
}

/** Token positions that begin a sentence (fts5SentenceFinderCb): the first, and any after a '.' or ':' and whitespace. */
function sentenceStarts(text: string, tokens: readonly Token[]): number[] {
	const starts: number[] = [];
	for (const [pos, token] of tokens.entries()) {
		if (pos === 0) {
			starts.push(0);
			continue;
		}

		let i = token.start - 1;
		while (i >= 0 && ' \t\n\r'.includes(text[i]!)) {
			i--;
		}

		if (i !== token.start - 1 && i >= 0 && (text[i] === '.' || text[i] === ':')) {
			starts.push(pos);
		}
	}

	return starts;
}

/**
 * `text` around the phrase's best stretch of `size` tokens, with each match
 * between `open` and `close` and `ellipsis` where text is cut: what FTS5's
 * snippet(table, column, open, close, ellipsis, size) returns for the row.
 * Null when the phrase is not in the text.
 */
export function ftsSnippet(text: string, phrase: Phrase, marks: {open: string; close: string; ellipsis: string}, size: number): string | null {
	const tokens = tokenize(text);
	const instances = phraseInstances(tokens, phrase);
	if (instances.length === 0) {
		return null;
	}

	const phraseSize = phrase.tokens.length;
	const docSize = tokens.length;
	const score = (from: number): {score: number; adjusted: number} => {
		let total = 0;
		let first = -1;
		let last = 0;
		for (const at of instances) {
			if (at >= from && at < from + size) {
				total += first < 0 ? 1000 : 1;
				if (first < 0) {
					first = at;
				}

				last = at + phraseSize;
			}
		}

		let adjusted = first - Math.trunc((size - (last - first)) / 2);
		if (adjusted + size > docSize) {
			adjusted = docSize - size;
		}

		return {score: total, adjusted: Math.max(0, adjusted)};
	};

	const starts = sentenceStarts(text, tokens);
	let bestScore = 0;
	let bestStart = 0;
	for (const at of instances) {
		const here = score(at);
		if (here.score > bestScore) {
			bestScore = here.score;
			bestStart = here.adjusted;
		}

		if (starts.length > 0 && docSize > size) {
			let jj = 0;
			while (jj < starts.length - 1 && starts[jj + 1]! <= at) {
				jj++;
			}

			const sentence = starts[jj]!;
			if (sentence < at) {
				const there = score(sentence).score + (sentence === 0 ? 120 : 100);
				if (there > bestScore) {
					bestScore = there;
					bestStart = sentence;
				}
			}
		}
	}

	// Instances coalesced where they overlap (fts5CInstIterNext), from the first at or after the stretch.
	const spans: Array<{start: number; end: number}> = [];
	for (const at of instances) {
		const end = at + phraseSize - 1;
		const previous = spans.at(-1);
		if (previous !== undefined && at <= previous.end) {
			previous.end = Math.max(previous.end, end);
		} else {
			spans.push({start: at, end});
		}
	}

	let next = spans.findIndex(span => span.start >= bestStart);
	const current = (): {start: number; end: number} => (next >= 0 && next < spans.length ? spans[next]! : {start: -1, end: -1});
	const rangeStart = bestStart;
	const rangeEnd = bestStart + size - 1;
	let out = bestStart > 0 ? marks.ellipsis : '';
	let offset = 0;
	let open = false;
	for (const [pos, token] of tokens.entries()) {
		if (pos < rangeStart || pos > rangeEnd) {
			continue;
		}

		if (rangeStart > 0 && pos === rangeStart) {
			offset = token.start;
		}

		let iter = current();
		if (open && (pos <= iter.start || iter.start < 0) && token.start > offset) {
			out += marks.close;
			open = false;
		}

		if (pos === iter.start && !open) {
			out += text.slice(offset, token.start) + marks.open;
			offset = token.start;
			open = true;
		}

		if (pos === iter.end) {
			if (!open) {
				out += marks.open;
				open = true;
			}

			out += text.slice(offset, token.end);
			offset = token.end;
			next = next < 0 ? next : next + 1;
			iter = current();
		}

		if (pos === rangeEnd) {
			if (open) {
				if (iter.start >= 0 && pos >= iter.start) {
					out += text.slice(offset, token.end);
					offset = token.end;
				}

				out += marks.close;
				open = false;
			}

			out += text.slice(offset, token.end);
			offset = token.end;
		}
	}

	if (open) {
		out += marks.close;
	}

	return out + (rangeEnd >= docSize - 1 ? text.slice(offset) : marks.ellipsis);
}
