import {Box} from 'ink';
import type React from 'react';
import {isLogRecord} from '../../core/log-record.js';
import {severityLevel} from '../../core/log-severity.js';
import type {TraceEvent} from '../../core/trace-event.js';
import {matchesLevel} from '../../live/tail-events.js';
import type {LogLevelFilter} from '../state/console-state.js';
import {clean, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

/** The level filter's words as the console shows them. */
export function levelLabel(level: LogLevelFilter): string {
	return level === 'info' ? 'all' : level === 'warn' ? 'warn+' : 'error';
}

/** The lines a level filter lets through: `runs tail --level`'s rule (live/tail-events.ts matchesLevel), one home. */
export function visibleLines(events: readonly TraceEvent[], level: LogLevelFilter): TraceEvent[] {
	return events.filter(event => matchesLevel(event, level));
}

/** How a line says where it came from, without colour: "err", "out", a log record's level. */
function streamOf(event: TraceEvent): {tag: string; color?: string} {
	const data = event.data ?? {};
	if (isLogRecord(event)) {
		const level = severityLevel(typeof data['severity_number'] === 'number' ? data['severity_number'] : 0, typeof data['severity_text'] === 'string' ? data['severity_text'] : '');
		return level === 'error' ? {tag: 'ERR', color: 'red'} : level === 'warn' ? {tag: 'WRN', color: 'yellow'} : {tag: 'log'};
	}

	return data['stream'] === 'stdout' ? {tag: 'out'} : {tag: 'err', color: 'red'};
}

export interface LiveLinesProps {
	/** The running span's name, for the heading. */
	name: string;
	events: readonly TraceEvent[];
	total: number;
	level: LogLevelFilter;
	width: number;
	height: number;
}

/**
 * A running step's latest output, as it arrives: stderr marked "err" (and
 * red), stdout "out", log records by their level; the level filter (v)
 * hides what it does in `runs tail --level`.
 */
export function LiveLines({name, events, total, level, width, height}: LiveLinesProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const shown = visibleLines(events, level);
	const room = Math.max(0, height - 1);
	const last = shown.slice(-room);
	const hidden = events.length - shown.length;
	const heading: LineType = [
		{text: `${symbols.running} LIVE `, bold: true, color: 'cyan'},
		{text: clean(name), bold: true},
		{text: ` ${symbols.dot} last ${last.length} of ${total} line${total === 1 ? '' : 's'} ${symbols.dot} level ${levelLabel(level)}${hidden > 0 ? ` (${hidden} hidden)` : ''} (v)`, dim: true},
	];
	const rows: LineType[] = last.map(event => {
		const {tag, color} = streamOf(event);
		const line = event.data?.['line'];
		return [
			{text: ` ${tag} `, color, bold: color !== undefined},
			{text: ascii ? '| ' : '│ ', dim: true},
			{text: clean(typeof line === 'string' ? line : ''), color},
		];
	});
	if (rows.length === 0) {
		rows.push([{text: total === 0 ? '  no output yet' : '  no line at this level', dim: true}]);
	}

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={heading} width={width} />
			{rows.slice(0, room).map((segments, i) => (
				<Line key={i} segments={segments} width={width} />
			))}
		</Box>
	);
}
