import {Box} from 'ink';
import type React from 'react';
import {BINDINGS, bindingsFor, CONSOLE_COMMANDS, FILTER_SYNTAX, PROMPT_KEYS, type Binding, type ScreenKind} from '../keymap.js';
import {keyLabel} from '../key-label.js';
import {Line} from '../components/line.js';
import {fit, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';

const SCREEN_TITLES: Record<ScreenKind, string> = {
	runs: 'runs',
	trace: 'trace',
	compensations: 'compensations',
	decisions: 'AI decisions',
	span: 'span detail',
	diff: 'diff',
	linked: 'linked runs',
	analytics: 'analytics',
	'failure-runs': 'runs of a failure point',
};

/** Help lines generated from the keymap: this screen's keys, the global ones, commands, the line editor. */
export function helpLines(screen: ScreenKind, ascii: boolean): LineType[] {
	const entry = (label: string, help: string, keyWidth = 9): LineType => [{text: `  ${fit(keyLabel(label, ascii), keyWidth)}`, bold: true, color: 'cyan'}, {text: help}];
	const screenBindings = bindingsFor(screen).filter(b => b.scope !== 'global');
	const seen = new Set<string>();
	const unique = (list: readonly Binding[]): Binding[] =>
		list.filter(b => {
			const key = `${b.label}\u0000${b.help}`;
			if (seen.has(key)) {
				return false;
			}

			seen.add(key);
			return true;
		});
	const lines: LineType[] = [[{text: `KEYS: ${SCREEN_TITLES[screen].toUpperCase()}`, bold: true}]];
	for (const b of unique(screenBindings)) {
		lines.push(entry(b.label, b.help));
	}

	lines.push([], [{text: 'EVERYWHERE', bold: true}]);
	for (const b of unique(BINDINGS.filter(b => b.scope === 'global'))) {
		lines.push(entry(b.label, b.help));
	}

	lines.push([], [{text: 'COMMANDS (after :)', bold: true}]);
	for (const c of CONSOLE_COMMANDS) {
		lines.push(entry(c.usage, c.help, 14));
	}

	lines.push([], [{text: 'LINE EDITOR (/, f and :)', bold: true}]);
	for (const k of PROMPT_KEYS) {
		lines.push(entry(k.usage, k.help, 11));
	}

	if (screen === 'runs') {
		lines.push([], [{text: 'FILTER (f)', bold: true}]);
		for (const f of FILTER_SYNTAX) {
			lines.push(entry(f.usage, f.help, 14));
		}
	}

	return lines;
}

/** How the help lays out in `width`x`height`: one column, two where that holds it all, else one that scrolls. */
export interface HelpLayout {
	columns: 1 | 2;
	/** Rows of help on screen (the last row of the overlay says how to close it). */
	body: number;
	/** The largest first line: 0 when all of it is on screen. */
	maxTop: number;
}

export function helpLayout(lineCount: number, width: number, height: number): HelpLayout {
	const body = Math.max(1, height - 1);
	if (lineCount <= body) {
		return {columns: 1, body, maxTop: 0};
	}

	if (width >= 80 && lineCount <= body * 2) {
		return {columns: 2, body, maxTop: 0};
	}

	return {columns: 1, body, maxTop: lineCount - body};
}

export interface HelpOverlayProps {
	screen: ScreenKind;
	width: number;
	height: number;
	/** The first line shown (clamped): j/k/PgUp/PgDn move it where the help does not fit. */
	top?: number;
}

/** The ? overlay: two columns when one does not fit, scrolling (and saying so) when two do not either. */
export function HelpOverlay({screen, width, height, top = 0}: HelpOverlayProps): React.JSX.Element {
	const {ascii} = useUi();
	const lines = helpLines(screen, ascii);
	const {columns, body, maxTop} = helpLayout(lines.length, width, height);
	const first = Math.max(0, Math.min(top, maxTop));
	const colWidth = Math.floor(width / columns);
	const rows: React.JSX.Element[] = [];
	for (let i = 0; i < body; i++) {
		const left = lines[first + i] ?? [];
		const right = columns === 2 ? (lines[i + body] ?? []) : [];
		rows.push(
			<Box key={i} flexDirection="row" width={width} height={1}>
				<Line segments={left} width={colWidth} />
				{columns === 2 ? <Line segments={right} width={width - colWidth} /> : null}
			</Box>,
		);
	}

	// Never cut without saying so: where it scrolls, the last row says which lines these are and what is left.
	const where: LineType = maxTop === 0 ? [] : [{text: `  ${keyLabel(first < maxTop ? 'more ↓' : 'end ↑', ascii)} ${first + 1}-${first + body}/${lines.length}`, bold: true, color: 'cyan'}];
	const footer: LineType = [...where, {text: maxTop === 0 ? '  esc, ? or q closes this help' : '  j/k scroll  esc close', dim: true}];
	return (
		<Box flexDirection="column" width={width} height={height}>
			{rows}
			<Line segments={footer} width={width} />
		</Box>
	);
}
