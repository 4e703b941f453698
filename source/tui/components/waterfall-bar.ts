import type {CriticalSegment} from '../../core/critical-path.js';
import type {Span} from '../../core/span.js';
import type {Symbols} from '../../core/symbols.js';
import {statusColor} from '../theme.js';
import type {Line} from '../text.js';

export interface TimeRange {
	start: number;
	end: number;
}

/** The cells [from, to) a time window covers in a bar `width` cells wide; at least one cell. */
export function cellsOf(start: number, end: number, range: TimeRange, width: number): [number, number] {
	const total = Math.max(1, range.end - range.start);
	const scale = width / total;
	let from = Math.floor((start - range.start) * scale);
	let to = Math.ceil((end - range.start) * scale);
	from = Math.max(0, Math.min(width - 1, from));
	to = Math.max(from + 1, Math.min(width, to));
	return [from, to];
}

export interface BarOptions {
	symbols: Symbols;
	/** Clock for open spans; they draw up to here. */
	nowMs: number;
	/** The span's critical segments, when the critical path is shown (empty: not on it). */
	critical?: readonly CriticalSegment[];
	showCritical: boolean;
}

/**
 * A span's bar on the trace's timeline, scaled to `width` cells. Open spans
 * draw to now in a lighter fill; with the critical path on, the cells on it
 * are solid and the rest shaded, so the path reads without colour.
 */
export function waterfallBar(span: Span, range: TimeRange, width: number, options: BarOptions): Line {
	if (width <= 0) {
		return [];
	}

	const {symbols} = options;
	const open = span.end_ms === null;
	const end = span.end_ms ?? Math.max(span.start_ms, Math.min(options.nowMs, range.end));
	const [from, to] = cellsOf(span.start_ms, end, range, width);
	const cells: Array<'bar' | 'crit' | 'other' | 'open'> = [];
	for (let i = from; i < to; i++) {
		cells.push(open ? 'open' : options.showCritical ? 'other' : 'bar');
	}

	if (options.showCritical && options.critical) {
		for (const segment of options.critical) {
			const [a, b] = cellsOf(segment.start_ms, segment.end_ms, range, width);
			for (let i = Math.max(a, from); i < Math.min(b, to); i++) {
				cells[i - from] = 'crit';
			}
		}
	}

	const line: Line = [{text: ' '.repeat(from)}];
	const glyph = {bar: symbols.bar, crit: symbols.barCritical, other: symbols.barOther, open: symbols.barOpen};
	const colorOf = (kind: string): string => (kind === 'crit' ? 'magenta' : kind === 'other' ? 'gray' : statusColor(span.status));
	let i = 0;
	while (i < cells.length) {
		const kind = cells[i]!;
		let j = i;
		while (j < cells.length && cells[j] === kind) {
			j++;
		}

		line.push({text: glyph[kind].repeat(j - i), color: colorOf(kind)});
		i = j;
	}

	line.push({text: ' '.repeat(width - to)});
	return line;
}
