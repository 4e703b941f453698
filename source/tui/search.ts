/*
 * Search as less and vim do it, one rule for every screen that searches:
 * the text is literal (no regex to escape), "smart case" (lower case matches
 * either case; a capital letter makes it exact), n goes to the next match and
 * N to the previous one, both wrapping around the ends.
 */

/**
 * The gutter mark of a row that holds a match (less -J marks its lines so):
 * where the terminal draws no styles at all (NO_COLOR turns chalk off), the
 * reversed match is gone but this stays.
 */
export const MATCH_MARK = '*';

/** The matches of `needle` as a global RegExp, for highlight(); null for an empty needle. */
export function searchPattern(needle: string): RegExp | null {
	if (needle === '') {
		return null;
	}

	const literal = needle.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
	return new RegExp(literal, /\p{Lu}/u.test(needle) ? 'gu' : 'giu');
}

/** Whether `text` holds `needle` under the smart-case rule. */
export function matchesSearch(text: string, pattern: RegExp): boolean {
	pattern.lastIndex = 0;
	const found = pattern.test(text);
	pattern.lastIndex = 0;
	return found;
}

/** The positions of the items whose text matches, in order. */
export function matchPositions<T>(items: readonly T[], textOf: (item: T) => string, pattern: RegExp | null, offset = 0): number[] {
	if (pattern === null) {
		return [];
	}

	const positions: number[] = [];
	for (let i = 0; i < items.length; i++) {
		if (matchesSearch(textOf(items[i]!), pattern)) {
			positions.push(offset + i);
		}
	}

	return positions;
}

export interface SearchStep {
	position: number;
	/** The search went past an end and came round from the other. */
	wrapped: boolean;
}

/**
 * The match after (`direction` 1) or before (-1) position `from`, wrapping;
 * `inclusive` counts `from` itself (find as you type stays on a match that
 * still matches). Null when nothing matches.
 */
export function stepMatch(positions: readonly number[], from: number, direction: 1 | -1, inclusive = false): SearchStep | null {
	if (positions.length === 0) {
		return null;
	}

	if (direction === 1) {
		const next = positions.find(p => (inclusive ? p >= from : p > from));
		return next === undefined ? {position: positions[0]!, wrapped: true} : {position: next, wrapped: false};
	}

	const previous = positions.findLast(p => (inclusive ? p <= from : p < from));
	return previous === undefined ? {position: positions.at(-1)!, wrapped: true} : {position: previous, wrapped: false};
}

/** What the status line says of a search: "3/17" on a match, "17 matches" between them, "no match". */
export function searchCount(positions: readonly number[], current: number | undefined): string {
	if (positions.length === 0) {
		return 'no match';
	}

	const at = current === undefined ? -1 : positions.indexOf(current);
	return at >= 0 ? `${at + 1}/${positions.length}` : `${positions.length} ${positions.length === 1 ? 'match' : 'matches'}`;
}

/** The message n or N leaves when it came round an end, as vim says it. */
export function wrapMessage(direction: 1 | -1): string {
	return direction === 1 ? 'search hit the bottom, continued at the top' : 'search hit the top, continued at the bottom';
}
