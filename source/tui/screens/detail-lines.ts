import {formatDuration} from '../../core/format-duration.js';
import type {Symbols} from '../../core/symbols.js';
import type {Line} from '../text.js';
import type {SeverityLevel} from '../../core/log-severity.js';

/** What a detail page needs to lay out a span. */
export interface DetailOptions {
	symbols: Symbols;
	width: number;
	expandData: boolean;
	/** Where the trace starts: offsets read "+1m02s". */
	traceStartMs: number;
	nowMs: number;
	/** The config file's [links] templates, and the run they are filled from. */
	links?: Readonly<Record<string, string>>;
	run?: {run_id: string; env: string | null; target: string | null} | null;
	/** Draw a link's name as an OSC 8 hyperlink; otherwise the URL is printed in full. */
	hyperlinks?: boolean;
	/** The console's level filter (`v`): which log records the LOGS section lists (default every one). */
	level?: SeverityLevel;
}

/** How much of each list a detail page shows before "n more (e to expand)". */
export const SHORT = {data: 12, stack: 6, stderr: 10, path: 12, events: 8, links: 4, resource: 3, logs: 10} as const;
export const LONG = {data: 5000, stack: 500, stderr: 1000, path: 500, events: 1000, links: 1000, resource: 1000, logs: 1000} as const;

export function section(title: string, note = ''): Line {
	return [{text: title, bold: true, color: 'cyan'}, ...(note === '' ? [] : [{text: ` ${note}`, dim: true}])];
}

export function more(hidden: number, what: string, expandData: boolean): Line[] {
	return hidden > 0 ? [[{text: `  ${hidden} more ${what}${expandData ? '' : ' (e to expand)'}`, dim: true}]] : [];
}

/** A time after a start, "+1m02s" (never negative: clocks of two producers may disagree). */
export function offset(ms: number): string {
	return `+${formatDuration(Math.max(0, ms))}`;
}
