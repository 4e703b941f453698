import {Box} from 'ink';
import type React from 'react';
import {formatDuration} from '../../core/format-duration.js';
import {formatRate} from '../../core/format-rate.js';
import {Line} from '../components/line.js';
import type {AnalyticsData} from '../hooks/use-analytics.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {AnalyticsScope} from '../state/analytics-scope.js';
import {ANALYTICS_WINDOWS, type AnalyticsView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {clean, fit, truncateStart, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {allocateRows, windowTop} from './analytics-layout.js';
import type {ScreenFrame} from './screen-frame.js';

export interface AnalyticsScreenProps extends ScreenFrame {
	view: AnalyticsView;
	scope: AnalyticsScope;
	data: AnalyticsData;
}

/** "24h env=prod target=api", the words `runs analyze` would be given. */
export function scopeText(scope: AnalyticsScope): string {
	return [scope.window, scope.env === undefined ? '' : `env=${clean(scope.env)}`, scope.target === undefined ? '' : `target=${clean(scope.target)}`].filter(w => w !== '').join(' ');
}

/** The top-level tabs and the window keys: the current ones in brackets, so they read without colour. */
function tabsLine(window: AnalyticsView['window'], dot: string): LineType {
	const line: LineType = [
		{text: '  runs  ', dim: true},
		{text: '[analytics]', bold: true, color: 'cyan'},
		{text: '   window ', dim: true},
	];
	ANALYTICS_WINDOWS.forEach((w, i) => {
		const current = w === window;
		line.push({text: `${i + 1}`, color: 'accent'}, {text: current ? `[${w}]` : ` ${w} `, bold: current, dim: !current});
		if (i < ANALYTICS_WINDOWS.length - 1) {
			line.push({text: ` ${dot} `, dim: true});
		}
	});
	return line;
}

/** A name cut from its start (a step path's leaf matters most) beside right-aligned figures. */
function row(name: string, figures: string, width: number, selected: boolean, marker: string): LineType {
	const room = Math.max(4, width - 4 - figures.length);
	return [{text: selected ? `${marker} ` : '  ', color: 'accent'}, {text: fit(truncateStart(clean(name), room), room), bold: selected}, {text: ` ${figures} `}];
}

function heading(title: string, shown: number, total: number, hint = ''): LineType {
	const more = shown < total ? ` (${shown} of ${total})` : ` (${total})`;
	return [{text: title, bold: true}, {text: more, dim: true}, ...(hint === '' ? [] : [{text: `  ${hint}`, dim: true}])];
}

/**
 * Question 5 on one screen: the window's runs, failures and rates (by
 * env/target too), where runs failed (each failed run once, at its root
 * cause), the slowest steps, compensations and how AI decisions fared.
 * The figures are `runs analyze`'s for the same window; enter on a failure
 * point lists its runs.
 */
export function AnalyticsScreen({view, scope, data, width, height, dispatch, active}: AnalyticsScreenProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const {analysis} = data;
	const points = analysis?.failure_points ?? [];
	const positions = new Map(points.map((p, i) => [p.path, i]));
	const selected = resolveIndex(view.selection, points.length, key => positions.get(key));
	const set = (w: AnalyticsView['window']) => () => dispatch({type: 'set-window', window: w});
	useKeymap(
		'analytics',
		{
			...motionHandlers(selected, points.length, 5, index => dispatch({type: 'select', selection: {index, key: points[index]?.path ?? null}})),
			open() {
				const point = points[selected];
				if (point) {
					dispatch({type: 'open-failure-runs', path: point.path});
				}
			},
			window1h: set('1h'),
			window24h: set('24h'),
			window7d: set('7d'),
			window30d: set('30d'),
		},
		active,
	);

	const lines: LineType[] = [tabsLine(view.window, symbols.dot)];
	const described = scopeText(scope);
	if (analysis === null) {
		lines.push([
			{text: `  ${symbols.ellipsis} `, dim: true},
			{text: data.error === null ? `loading… ${described}` : `cannot read the figures: ${clean(data.error)}`, dim: data.error === null},
		]);
	} else if (analysis.runs === 0) {
		lines.push([{text: `  no runs in the last ${described}; 1-4 picks another window`, dim: true}]);
	} else {
		const summary: LineType = [
			{text: `  ${described}: `},
			{text: `${analysis.runs} runs`, bold: true},
			{text: ', '},
			{text: `${analysis.failed} failed`, bold: analysis.failed > 0, color: analysis.failed > 0 ? 'red' : undefined},
			{text: ` (${formatRate(analysis.failure_rate)})`},
			{text: ` ${symbols.dot} compensated ${formatRate(analysis.compensation_rate)}`, dim: true},
		];
		lines.push(summary);
		if (scope.ignored !== null) {
			lines.push([{text: `  runs filter left out here: ${clean(scope.ignored)}`, dim: true}]);
		}

		const marker = ascii ? '>' : '›';
		const sections = [data.byGroup.length, points.length, analysis.slowest_steps.length, analysis.decisions.length];
		const [groups = 0, shownPoints = 0, slow = 0, decisions = 0] = allocateRows(sections, Math.max(0, height - lines.length));
		if (groups > 0) {
			lines.push(heading('BY ENV/TARGET', groups, data.byGroup.length));
			for (const g of data.byGroup.slice(0, groups)) {
				lines.push(row(`${g.env ?? '-'}/${g.target ?? '-'}`, `${fit(String(g.runs), 5, {align: 'right'})} runs ${fit(String(g.failed), 5, {align: 'right'})} failed ${fit(formatRate(g.failure_rate), 6, {align: 'right'})}`, width, false, marker));
			}
		}

		if (shownPoints > 0) {
			lines.push(heading('FAILURE POINTS', shownPoints, points.length, 'root cause of each failed run; enter: its runs'));
			const top = windowTop(selected, shownPoints, points.length);
			points.slice(top, top + shownPoints).forEach((p, i) => {
				lines.push(row(p.path, `${fit(String(p.failures), 5, {align: 'right'})} failed ${p.failures === 1 ? 'run ' : 'runs'}`, width, top + i === selected, marker));
			});
		}

		if (slow > 0) {
			lines.push(heading('SLOWEST STEPS', slow, analysis.slowest_steps.length, 'by p95'));
			for (const s of analysis.slowest_steps.slice(0, slow)) {
				lines.push(row(s.path, `${fit(String(s.count), 5, {align: 'right'})}x  p50 ${fit(formatDuration(s.p50_ms), 7, {align: 'right'})}  p95 ${fit(formatDuration(s.p95_ms), 7, {align: 'right'})}`, width, false, marker));
			}
		}

		if (decisions > 0) {
			lines.push(heading('DECISIONS', decisions, analysis.decisions.length, 'runs that failed after each choice'));
			for (const d of analysis.decisions.slice(0, decisions)) {
				lines.push(row(`${d.path} ${symbols.arrow} ${d.decision}`, `${fit(`${d.failed}/${d.runs}`, 9, {align: 'right'})} failed ${fit(formatRate(d.failure_rate), 6, {align: 'right'})}`, width, false, marker));
			}
		}
	}

	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(0, height).map((segments, i) => (
				<Line key={i} segments={segments} width={width} />
			))}
		</Box>
	);
}
