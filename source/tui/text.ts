import stringWidth from 'string-width';
import {sanitize} from '../core/sanitize.js';

/** A run of text with one style. Colours are names Ink understands. */
export interface Segment {
	text: string;
	/** A theme role (tui/palette.ts) or a chalk colour name. */
	color?: string;
	/** Where the text links to, drawn as an OSC 8 hyperlink where the terminal shows them. */
	link?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
	/** A search match: drawn reversed (underlined on a reversed row), so it shows without colour. */
	match?: boolean;
}

export type Line = Segment[];

/*
 * Widths come from string-width, the measure Ink itself lays rows out with:
 * a hand-written table disagreed with it on hundreds of characters (a row
 * holding ✅ lost its last column; a family emoji shifted the columns after it).
 * Text is cut on grapheme clusters, so an emoji sequence or a letter with its
 * combining marks is kept whole or dropped whole.
 */
const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
// Printable ASCII is one column a character; most text in a run is that.
const PLAIN = /^[\x20-\x7e]*$/;

/** The grapheme clusters of text, in order. */
function clusters(text: string): string[] {
	if (PLAIN.test(text)) {
		return [...text];
	}

	return Array.from(graphemes.segment(text), part => part.segment);
}

/** Columns text takes on a terminal, as Ink measures it. */
export function textWidth(text: string): number {
	return PLAIN.test(text) ? text.length : stringWidth(text);
}

/** Cut text to at most `width` columns, ending in `ellipsis` when cut. */
export function truncate(text: string, width: number, ellipsis = '…'): string {
	if (width <= 0) {
		return '';
	}

	if (textWidth(text) <= width) {
		return text;
	}

	const room = width - textWidth(ellipsis);
	if (room <= 0) {
		return ellipsis.slice(0, width);
	}

	let out = '';
	let used = 0;
	for (const cluster of clusters(text)) {
		const w = textWidth(cluster);
		if (used + w > room) {
			break;
		}

		out += cluster;
		used += w;
	}

	return out + ellipsis;
}

/** Keep the end of text (breadcrumbs, ids): "…/deploy/migrate". */
export function truncateStart(text: string, width: number, ellipsis = '…'): string {
	if (textWidth(text) <= width) {
		return text;
	}

	const room = width - textWidth(ellipsis);
	if (room <= 0) {
		return ellipsis.slice(0, Math.max(0, width));
	}

	const parts = clusters(text);
	let out = '';
	let used = 0;
	for (let i = parts.length - 1; i >= 0; i--) {
		const w = textWidth(parts[i]!);
		if (used + w > room) {
			break;
		}

		out = parts[i]! + out;
		used += w;
	}

	return ellipsis + out;
}

/** Exactly `width` columns: truncated, then padded on the right (or left when `right`). */
export function fit(text: string, width: number, options: {align?: 'left' | 'right'; ellipsis?: string} = {}): string {
	const cut = truncate(text, width, options.ellipsis);
	const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
	return options.align === 'right' ? pad + cut : cut + pad;
}

/** Segments cut to `width` columns in total; padded with spaces when `pad`. */
export function fitLine(line: Line, width: number, pad = true, ellipsis = '…'): Line {
	const out: Line = [];
	let used = 0;
	for (let i = 0; i < line.length; i++) {
		const segment = line[i]!;
		const w = textWidth(segment.text);
		if (used + w <= width) {
			out.push(segment);
			used += w;
			continue;
		}

		const rest = line.slice(i + 1).some(s => s.text !== '');
		const room = width - used;
		if (room > 0) {
			out.push({...segment, text: truncate(segment.text, room, rest || w > room ? ellipsis : '')});
			used += textWidth(out.at(-1)!.text);
		}

		break;
	}

	if (pad && used < width) {
		out.push({text: ' '.repeat(width - used)});
	}

	return out;
}

/** Columns a line of segments takes. */
export function lineWidth(line: Line): number {
	return line.reduce((sum, segment) => sum + textWidth(segment.text), 0);
}

/** Untrusted text as one display line: escapes and controls gone, newlines folded. */
export function clean(text: string): string {
	return sanitize(text, true);
}

/** Untrusted text as display lines: escapes gone, tabs expanded, split on newlines. */
export function cleanLines(text: string): string[] {
	return sanitize(text).replace(/\t/g, '  ').split(/\r?\n/);
}

/** Greedy word wrap to `width` columns; words longer than a line are cut hard. */
export function wrap(text: string, width: number): string[] {
	if (width <= 0) {
		return [];
	}

	const out: string[] = [];
	for (const paragraph of cleanLines(text)) {
		let line = '';
		for (const word of paragraph.split(/ +/)) {
			let rest = word;
			while (textWidth(rest) > width) {
				if (line !== '') {
					out.push(line);
					line = '';
				}

				let head = '';
				let used = 0;
				for (const cluster of clusters(rest)) {
					const w = textWidth(cluster);
					if (used + w > width && head !== '') {
						break;
					}

					head += cluster;
					used += w;
				}

				out.push(head);
				rest = rest.slice(head.length);
			}

			if (line === '') {
				line = rest;
			} else if (textWidth(line) + 1 + textWidth(rest) <= width) {
				line += ` ${rest}`;
			} else {
				out.push(line);
				line = rest;
			}
		}

		out.push(line);
	}

	return out;
}

/** A value as single-line text for attribute tables; strings stay unquoted. */
export function inlineValue(value: unknown, max = 400): string {
	let text: string;
	if (typeof value === 'string') {
		text = value;
	} else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}

	return clean(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * A value as pretty JSON lines, sanitized. Stops after `maxLines` and says how
 * many it left out; `maxChars` bounds the work on enormous values.
 */
export function prettyLines(value: unknown, maxLines: number, maxChars = 2_000_000): {lines: string[]; hidden: number} {
	let text: string;
	try {
		text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
	} catch {
		text = String(value);
	}

	if (text.length > maxChars) {
		text = `${text.slice(0, maxChars)}\n<cut at ${maxChars} characters>`;
	}

	const lines = cleanLines(text);
	return lines.length <= maxLines ? {lines, hidden: 0} : {lines: lines.slice(0, maxLines), hidden: lines.length - maxLines};
}

/**
 * The line with every match of `pattern` (a global RegExp, see tui/search.ts)
 * marked: segments are split where a match starts and ends, so the text and
 * its width stay exactly as they were. A match across two segments is not marked.
 */
export function highlight(line: Line, pattern: RegExp | null): Line {
	if (pattern === null) {
		return line;
	}

	const out: Line = [];
	for (const segment of line) {
		let at = 0;
		for (const found of segment.text.matchAll(pattern)) {
			if (found[0] === '') {
				continue;
			}

			if (found.index > at) {
				out.push({...segment, text: segment.text.slice(at, found.index)});
			}

			out.push({...segment, text: found[0], match: true});
			at = found.index + found[0].length;
		}

		if (at === 0) {
			out.push(segment);
		} else if (at < segment.text.length) {
			out.push({...segment, text: segment.text.slice(at)});
		}
	}

	return out;
}

/**
 * A line cut into rows of at most `width` columns, on grapheme clusters (a
 * wide character is never split), the rows after the first indented by
 * `hang` columns: long values wrap instead of ending in "…".
 */
export function wrapLine(line: Line, width: number, hang = 0): Line[] {
	if (width <= 0) {
		return [];
	}

	const indent = Math.max(0, Math.min(hang, Math.floor(width / 2)));
	const rows: Line[] = [];
	let row: Line = [];
	let used = 0;
	const breakRow = (): void => {
		rows.push(row);
		row = indent > 0 ? [{text: ' '.repeat(indent)}] : [];
		used = indent;
	};

	for (const segment of line) {
		if (used + textWidth(segment.text) <= width) {
			row.push(segment);
			used += textWidth(segment.text);
			continue;
		}

		let piece = '';
		for (const cluster of clusters(segment.text)) {
			const w = textWidth(cluster);
			if (used + w > width) {
				if (piece !== '') {
					row.push({...segment, text: piece});
					piece = '';
				}

				breakRow();
				if (cluster === ' ') {
					continue;
				}
			}

			piece += cluster;
			used += w;
		}

		if (piece !== '') {
			row.push({...segment, text: piece});
		}
	}

	rows.push(row);
	return rows;
}
