import {Box} from 'ink';
import React, {useMemo} from 'react';
import type {Run} from '../../core/run.js';
import {clean, type Line as LineType} from '../text.js';
import {Line} from '../components/line.js';
import {VirtualTable, type Column} from '../components/virtual-table.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {ageText, progressText, runState, whereText} from '../run-labels.js';
import type {RunRef, RunsView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {filterRuns, isStuck} from '../state/run-filter.js';
import {statusSegment} from '../theme.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export interface RunsScreenProps extends TimedScreenFrame {
	view: RunsView;
	runs: readonly Run[];
	stuckAfterMs: number;
	mark: RunRef | null;
}

export interface DaySummary {
	total: number;
	failed: number;
	/** The step most failed runs broke at, when any did. */
	top: {step: string; count: number} | null;
}

/** Question 5 at a glance: how many runs failed in the last 24 hours, and where most of them broke. */
export function lastDay(runs: readonly Run[], nowMs: number): DaySummary {
	const since = nowMs - 86_400_000;
	let total = 0;
	let failed = 0;
	const points = new Map<string, number>();
	for (const run of runs) {
		if (Date.parse(run.started_at) < since) {
			continue;
		}

		total++;
		if (run.status === 'failed') {
			failed++;
			if (run.failed_step) {
				points.set(run.failed_step, (points.get(run.failed_step) ?? 0) + 1);
			}
		}
	}

	let top: DaySummary['top'] = null;
	for (const [step, count] of points) {
		if (top === null || count > top.count || (count === top.count && step < top.step)) {
			top = {step, count};
		}
	}

	return {total, failed, top};
}

export function refOf(run: Run): RunRef {
	return {traceId: run.trace_id, runId: run.run_id, name: run.name};
}

/**
 * Runs: active first (step k/n and elapsed, stuck ones flagged), then recent
 * ones; filter, sort, mark and diff. Only the rows in view render.
 */
export function RunsScreen({view, runs, nowMs, stuckAfterMs, mark, width, height, dispatch, active}: RunsScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const rows = useMemo(() => filterRuns(runs, view.filter, view.sort, nowMs, stuckAfterMs), [runs, view.filter, view.sort, nowMs, stuckAfterMs]);
	const positions = useMemo(() => new Map(rows.map((run, i) => [run.trace_id, i])), [rows]);
	const selected = resolveIndex(view.selection, rows.length, key => positions.get(key));
	const current = rows[selected];
	const tableHeight = Math.max(1, height - 2);
	const select = (index: number): void => {
		dispatch({type: 'select', selection: {index, key: rows[index]?.trace_id ?? null}});
	};

	useKeymap(
		'runs',
		{
			...motionHandlers(selected, rows.length, tableHeight - 2, select),
			open() {
				if (current) {
					dispatch({type: 'open-run', run: refOf(current)});
				}
			},
			filter() {
				dispatch({type: 'prompt-open', kind: 'filter'});
			},
			clearFilter() {
				if (view.filter !== '') {
					dispatch({type: 'clear-filter'});
				}
			},
			sort() {
				dispatch({type: 'cycle-sort'});
			},
			mark() {
				if (current) {
					dispatch({type: 'mark', run: refOf(current)});
				}
			},
			diff() {
				if (current) {
					dispatch({type: 'diff-against-mark', run: refOf(current)});
				}
			},
		},
		active,
	);

	const sorted = (title: string, key: RunsView['sort']): string => (view.sort === key ? `${title} ${symbols.faster}` : title);
	const columns: Array<Column<Run>> = [
		{id: 'status', title: sorted('status', 'status'), width: 11, priority: 0, cell: run => statusSegment(runState(run, nowMs, stuckAfterMs), symbols)},
		{id: 'name', title: 'run', width: 18, flex: 2, priority: 0, cell: run => clean(run.name)},
		{id: 'progress', title: sorted('progress', 'duration'), width: 17, priority: 1, cell: run => ({text: progressText(run, nowMs, symbols), color: run.status === 'running' ? 'yellow' : undefined})},
		{id: 'started', title: sorted('started', 'started'), width: 10, priority: 2, align: 'right', cell: run => ({text: ageText(run, nowMs), dim: true})},
		{id: 'env', title: 'env', width: 7, priority: 3, cell: run => clean(run.env ?? '-')},
		{id: 'target', title: 'target', width: 10, priority: 4, cell: run => clean(run.target ?? '-')},
		{id: 'where', title: 'step / failed at', width: 16, flex: 1, priority: 5, cell: run => ({text: whereText(run, nowMs, stuckAfterMs), color: run.status === 'failed' ? 'red' : undefined})},
		{id: 'id', title: 'run id', width: 24, flex: 1, priority: 6, cell: run => ({text: clean(run.run_id), dim: true})},
	];

	const day = useMemo(() => lastDay(runs, nowMs), [runs, nowMs]);
	const activeCount = rows.filter(run => run.status === 'running').length;
	const stuckCount = rows.filter(run => isStuck(run, nowMs, stuckAfterMs)).length;
	const summary: LineType = [
		{text: `${activeCount} active`, bold: true, color: activeCount > 0 ? 'yellow' : undefined},
		...(stuckCount > 0 ? [{text: ` (${symbols.stuck} ${stuckCount} stuck)`, color: 'magenta', bold: true}] : []),
		{text: ` ${symbols.dot} ${rows.length - activeCount} recent`},
		...(day.total === 0
			? []
			: [{text: ` ${symbols.dot} 24h: ${day.failed}/${day.total} failed`, color: day.failed > 0 ? 'red' : undefined}, ...(day.top ? [{text: `, most at ${clean(day.top.step)} ×${day.top.count}`}] : [])]),
		...(view.filter === '' ? [] : [{text: ` ${symbols.dot} filter: ${clean(view.filter)}`, color: 'cyan'}, {text: ` (${rows.length} of ${runs.length})`, dim: true}]),
		{text: ` ${symbols.dot} sort: ${view.sort}`, dim: true},
		...(mark ? [{text: ` ${symbols.dot} marked: ${clean(mark.runId)}`, color: 'blue'}] : []),
	];
	const sep = {text: ` ${symbols.dot} `, dim: true};
	const details: LineType = current
		? [
			{text: clean(current.run_id), bold: true},
			sep,
			{text: `trace ${clean(current.trace_id)}`, dim: true},
			...(current.git ? [sep, {text: clean([current.git.branch, current.git.sha?.slice(0, 8)].filter(Boolean).join('@'))}] : []),
			...(current.user ? [sep, {text: clean(current.user)}] : []),
			...(current.runner ? [sep, {text: clean(current.runner), dim: true}] : []),
		]
		: [];
	const empty = runs.length === 0
		? 'no runs yet: tracedeck ingest <file.jsonl>, or tracedeck demo'
		: `no run matches "${clean(view.filter)}" (esc clears the filter)`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={summary} width={width} />
			<VirtualTable
				rows={rows}
				columns={columns}
				width={width}
				height={tableHeight}
				selected={selected}
				empty={empty}
				gutterMark={run => (mark?.traceId === run.trace_id ? {text: symbols.mark, color: 'blue'} : undefined)}
			/>
			<Line segments={[{text: ' '}, ...details]} width={width} />
		</Box>
	);
}
