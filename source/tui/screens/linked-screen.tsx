import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import type {Run} from '../../core/run.js';
import type {LinkedRuns} from '../hooks/use-linked-runs.js';
import {Line} from '../components/line.js';
import {VirtualTable, type Column} from '../components/virtual-table.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {ageText, progressText, runState} from '../run-labels.js';
import type {LinkedView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {statusSegment} from '../theme.js';
import {clean, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {refOf} from './runs-screen.js';
import type {TimedScreenFrame} from './screen-frame.js';

export type LinkRelation = 'parent' | 'child' | 'correlated';

export interface LinkedRow {
	relation: LinkRelation;
	run: Run;
}

/** Parent first, then the runs it started, then those of its correlation id; a run listed twice keeps its first relation. */
export function linkedRows(linked: LinkedRuns | null): LinkedRow[] {
	if (linked === null) {
		return [];
	}

	const rows: LinkedRow[] = [];
	const seen = new Set<string>();
	const add = (relation: LinkRelation, runs: readonly Run[]): void => {
		for (const run of runs) {
			if (!seen.has(run.trace_id)) {
				seen.add(run.trace_id);
				rows.push({relation, run});
			}
		}
	};
	add('parent', linked.parent === null ? [] : [linked.parent]);
	add('child', linked.children);
	add('correlated', linked.correlated);
	return rows;
}

/** What the run links by, in one line: its parent (stored or not) and its correlation id. */
function summaryLine(linked: LinkedRuns | null, rows: readonly LinkedRow[], dot: string): LineType {
	if (linked === null) {
		return [{text: 'loading…', dim: true}];
	}

	const {run} = linked;
	const line: LineType = [{text: clean(run.name), bold: true}];
	if (run.parent_trace_id !== null && linked.parent === null) {
		line.push({text: ` ${dot} parent trace ${clean(run.parent_trace_id)} is not in this index`, dim: true});
	}

	if (run.correlation_id !== null) {
		line.push({text: ` ${dot} correlation `, dim: true}, {text: clean(run.correlation_id), color: 'cyan'});
	}

	line.push({text: ` ${dot} ${rows.length} linked run${rows.length === 1 ? '' : 's'}`, dim: true});
	return line;
}

export interface LinkedScreenProps extends TimedScreenFrame {
	view: LinkedView;
	linked: LinkedRuns | null;
	stuckAfterMs: number;
}

/** A run's parent, the runs it started and the runs sharing its correlation id, each with its status; enter opens one. */
export function LinkedScreen({view, linked, nowMs, stuckAfterMs, width, height, dispatch, active}: LinkedScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const rows = useMemo(() => linkedRows(linked), [linked]);
	const positions = useMemo(() => new Map(rows.map((row, i) => [row.run.trace_id, i])), [rows]);
	const selected = resolveIndex(view.selection, rows.length, key => positions.get(key));
	const current = rows[selected];
	const tableHeight = Math.max(1, height - 1);
	useKeymap(
		'linked',
		{
			...motionHandlers(selected, rows.length, tableHeight - 2, index => dispatch({type: 'select', selection: {index, key: rows[index]?.run.trace_id ?? null}})),
			open() {
				if (current) {
					dispatch({type: 'open-run', run: refOf(current.run)});
				}
			},
		},
		active,
	);

	const columns: Array<Column<LinkedRow>> = [
		{id: 'relation', title: 'link', width: 10, priority: 0, cell: row => ({text: row.relation, color: row.relation === 'parent' ? 'cyan' : undefined})},
		{id: 'status', title: 'status', width: 11, priority: 0, cell: row => statusSegment(runState(row.run, nowMs, stuckAfterMs), symbols)},
		{id: 'name', title: 'run', width: 14, flex: 2, priority: 0, cell: row => clean(row.run.name)},
		{id: 'progress', title: 'progress', width: 12, priority: 2, cell: row => progressText(row.run, nowMs, symbols)},
		{id: 'started', title: 'started', width: 10, priority: 3, align: 'right', cell: row => ({text: ageText(row.run, nowMs), dim: true})},
		{id: 'id', title: 'run id', width: 27, priority: 1, cell: row => ({text: clean(row.run.run_id), dim: true})},
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={[{text: ' '}, ...summaryLine(linked, rows, symbols.dot)]} width={width} />
			<VirtualTable rows={rows} columns={columns} width={width} height={tableHeight} selected={selected} empty="no linked runs: no parent, children or runs of its correlation id (esc back)" />
		</Box>
	);
}
