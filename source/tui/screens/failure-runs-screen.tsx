import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import {runsAtFailurePoint, type AnalyticsRun} from '../../core/analytics.js';
import {formatDuration} from '../../core/format-duration.js';
import {Line} from '../components/line.js';
import {VirtualTable, type Column} from '../components/virtual-table.js';
import type {AnalyticsData} from '../hooks/use-analytics.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {FailureRunsView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {statusSegment} from '../theme.js';
import {clean} from '../text.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export interface FailureRunsScreenProps extends TimedScreenFrame {
	view: FailureRunsView;
	data: AnalyticsData;
	/** Open a run by its trace id (the App resolves it, for its name). */
	openRun: (traceId: string) => void;
}

/** The runs a failure point counts, newest first; enter opens one. */
export function failureRuns(data: AnalyticsData, path: string): AnalyticsRun[] {
	return runsAtFailurePoint(data.input?.runs ?? [], path).sort((a, b) => (b.started_ms ?? 0) - (a.started_ms ?? 0) || (a.run_id < b.run_id ? -1 : 1));
}

/** Exactly the runs `runs analyze` counted at one failure point, in the same window. */
export function FailureRunsScreen({view, data, nowMs, width, height, active, dispatch, openRun}: FailureRunsScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const rows = useMemo(() => failureRuns(data, view.path), [data, view.path]);
	const positions = useMemo(() => new Map(rows.map((run, i) => [run.trace_id ?? run.run_id, i])), [rows]);
	const selected = resolveIndex(view.selection, rows.length, key => positions.get(key));
	const tableHeight = Math.max(1, height - 1);
	useKeymap(
		'failure-runs',
		{
			...motionHandlers(selected, rows.length, tableHeight - 2, index => dispatch({type: 'select', selection: {index, key: rows[index]?.trace_id ?? null}})),
			open() {
				const run = rows[selected];
				if (run?.trace_id !== undefined) {
					openRun(run.trace_id);
				}
			},
		},
		active,
	);
	const columns: Array<Column<AnalyticsRun>> = [
		{id: 'status', title: 'status', width: 9, priority: 0, cell: run => statusSegment(run.status, symbols)},
		{id: 'id', title: 'run id', width: 27, flex: 2, priority: 0, cell: run => clean(run.run_id)},
		{id: 'where', title: 'env/target', width: 16, flex: 1, priority: 1, cell: run => clean(`${run.env ?? '-'}/${run.target ?? '-'}`)},
		{id: 'started', title: 'started', width: 10, priority: 2, align: 'right', cell: run => ({text: run.started_ms === undefined ? '' : `${formatDuration(Math.max(0, nowMs - run.started_ms))} ago`, dim: true})},
	];
	const loading = data.input === null;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line
				segments={[
					{text: '  failed at ', dim: true},
					{text: clean(view.path), bold: true},
					{text: loading ? ` ${symbols.dot} loading…` : ` ${symbols.dot} ${rows.length} run${rows.length === 1 ? '' : 's'} in the last ${view.window}`, dim: true},
				]}
				width={width}
			/>
			<VirtualTable rows={rows} columns={columns} width={width} height={tableHeight} selected={selected} empty={loading ? '' : 'no runs failed here in this window (esc back)'} />
		</Box>
	);
}
