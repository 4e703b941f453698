import {Box} from 'ink';
import React, {useMemo} from 'react';
import {formatDuration} from '../../core/format-duration.js';
import type {Run} from '../../core/run.js';
import type {PlanEntryDiff, RunDiff, StepChange, StepDiff, StepSide} from '../../core/run-diff.js';
import {Line} from '../components/line.js';
import {VirtualList} from '../components/virtual-table.js';
import type {DiffData} from '../hooks/use-diff.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {refOf} from './runs-screen.js';
import type {DiffView} from '../state/console-state.js';
import {motionHandlers} from '../state/list-motion.js';
import {runDurationMs} from '../state/run-filter.js';
import type {Symbols} from '../symbols.js';
import {statusColor, statusSegment, statusSymbol} from '../theme.js';
import {clean, fit, fitLine, inlineValue, type Line as LineType, type Segment} from '../text.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export type DiffRow =
	| {kind: 'step'; step: StepDiff}
	| {kind: 'section'; title: string}
	| {kind: 'plan'; entry: PlanEntryDiff}
	| {kind: 'note'; text: string};

export function changeSymbol(change: StepChange, symbols: Symbols): string {
	return {added: symbols.added, removed: symbols.removed, status: symbols.changed, slower: symbols.slower, faster: symbols.faster, same: symbols.same}[change];
}

export function changeColor(change: StepChange): string | undefined {
	return {added: 'green', removed: 'red', status: 'yellow', slower: 'red', faster: 'green', same: undefined}[change];
}

/** The rows of a diff: the aligned steps, then the plan's changed args and env. */
export function diffRows(diff: RunDiff, plans: {a: boolean; b: boolean}): DiffRow[] {
	const rows: DiffRow[] = diff.steps.map(step => ({kind: 'step', step}));
	rows.push({kind: 'section', title: 'PLAN'});
	if (!plans.a || !plans.b) {
		rows.push({kind: 'note', text: `no plan.json for ${!plans.a && !plans.b ? 'either run' : !plans.a ? 'run A' : 'run B'} in the artifacts: args and env cannot be compared`});
	} else if (diff.plan.args.length === 0 && diff.plan.env.length === 0) {
		rows.push({kind: 'note', text: 'same args and env'});
	}

	for (const [title, entries] of [['args', diff.plan.args], ['env', diff.plan.env]] as const) {
		if (entries.length > 0) {
			rows.push({kind: 'section', title: `PLAN ${title.toUpperCase()}`});
			for (const entry of entries) {
				rows.push({kind: 'plan', entry});
			}
		}
	}

	return rows;
}

function sideText(side: StepSide | null, symbols: Symbols): Segment[] {
	if (side === null) {
		return [{text: '-', dim: true}];
	}

	return [{text: statusSymbol(side.status, symbols), color: statusColor(side.status)}, {text: ` ${formatDuration(side.duration_ms)}`}];
}

function delta(step: StepDiff): string {
	if (step.a?.duration_ms == null || step.b?.duration_ms == null) {
		return '';
	}

	const d = step.b.duration_ms - step.a.duration_ms;
	return d === 0 ? '0' : `${d > 0 ? '+' : ''}${formatDuration(d)}`;
}

function runLine(label: string, run: Run, nowMs: number, symbols: Symbols): LineType {
	const sep: Segment = {text: ` ${symbols.dot} `, dim: true};
	return [
		{text: `${label} `, bold: true, color: 'cyan'},
		{text: clean(run.run_id), bold: true},
		sep,
		statusSegment(run.status, symbols),
		sep,
		{text: formatDuration(runDurationMs(run, nowMs))},
		...(run.env || run.target ? [sep, {text: [run.env, run.target].filter(Boolean).map(v => clean(v!)).join('/')}] : []),
		...(run.git?.sha ? [sep, {text: clean(run.git.sha.slice(0, 8)), dim: true}] : []),
	];
}

export interface DiffScreenProps extends TimedScreenFrame {
	view: DiffView;
	data: DiffData;
}

/** Two runs side by side: steps aligned by path, each change coloured and marked (+ - ~ ▲ ▼ =), then the plan. */
export function DiffScreen({view, data, nowMs, width, height, dispatch, active}: DiffScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const {diff} = data;
	const rows = useMemo(() => (diff ? diffRows(diff, data.plans) : []), [diff, data.plans]);
	const selected = Math.min(view.selection.index, Math.max(0, rows.length - 1));
	const listHeight = Math.max(2, height - 3);
	useKeymap(
		'diff',
		{
			...motionHandlers(selected, rows.length, listHeight - 2, index => dispatch({type: 'select', selection: {index, key: null}})),
			open() {
				if (diff) {
					dispatch({type: 'open-run', run: refOf(diff.b)});
				}
			},
		},
		active,
	);

	if (!diff) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Line segments={[{text: `  ${data.error ? `${symbols.failed} ${clean(data.error)}` : 'loading…'}`, color: data.error ? 'red' : undefined}]} width={width} />
			</Box>
		);
	}

	const counts = new Map<StepChange, number>();
	for (const step of diff.steps) {
		counts.set(step.change, (counts.get(step.change) ?? 0) + 1);
	}

	const order: StepChange[] = ['status', 'slower', 'faster', 'added', 'removed', 'same'];
	const summary: LineType = [];
	for (const change of order) {
		const n = counts.get(change) ?? 0;
		if (n > 0) {
			summary.push({text: `${changeSymbol(change, symbols)} ${n} ${change}`, color: changeColor(change), bold: change !== 'same'}, {text: '  '});
		}
	}

	const planChanges = diff.plan.args.length + diff.plan.env.length;
	summary.push({text: `${symbols.dot} plan: ${planChanges === 0 ? 'no changes' : `${diff.plan.args.length} args, ${diff.plan.env.length} env changed`}`, dim: planChanges === 0});

	const inner = width - 2;
	const sideWidth = 12;
	const deltaWidth = 8;
	const changeWidth = inner >= 90 ? 8 : 0;
	const pathWidth = Math.max(8, inner - 2 - sideWidth * 2 - deltaWidth - changeWidth - (changeWidth > 0 ? 5 : 4));
	const header: LineType = [{
		text: `${fit('', 2)}${fit('step', pathWidth)} ${fit('A', sideWidth)} ${fit('B', sideWidth)} ${fit('delta', deltaWidth, {align: 'right'})}${changeWidth > 0 ? ` ${fit('change', changeWidth)}` : ''}`,
		bold: true,
	}];
	const renderRow = (index: number): LineType => {
		const row = rows[index]!;
		if (row.kind === 'section') {
			return [{text: row.title, bold: true, color: 'cyan'}];
		}

		if (row.kind === 'note') {
			return [{text: `  ${row.text}`, dim: true}];
		}

		if (row.kind === 'plan') {
			const {entry} = row;
			const a = entry.a === null ? '(absent)' : inlineValue(entry.a, 120);
			const b = entry.b === null ? '(absent)' : inlineValue(entry.b, 120);
			const sym = entry.a === null ? symbols.added : entry.b === null ? symbols.removed : symbols.changed;
			return [
				{text: `${sym} `, color: entry.a === null ? 'green' : entry.b === null ? 'red' : 'yellow', bold: true},
				{text: clean(entry.key), bold: true},
				{text: `  ${a}`, color: 'red'},
				{text: ` ${symbols.arrow} `, dim: true},
				{text: b, color: 'green'},
			];
		}

		const {step} = row;
		const color = changeColor(step.change);
		const line: LineType = [
			{text: `${changeSymbol(step.change, symbols)} `, color, bold: true},
			{text: fit(clean(step.path), pathWidth), color: step.change === 'same' ? undefined : color},
			{text: ' '},
			...fitLine(sideText(step.a, symbols), sideWidth),
			{text: ' '},
			...fitLine(sideText(step.b, symbols), sideWidth),
			{text: ' '},
			{text: fit(delta(step), deltaWidth, {align: 'right'}), color: step.change === 'slower' ? 'red' : step.change === 'faster' ? 'green' : undefined},
		];
		if (changeWidth > 0) {
			line.push({text: ` ${fit(step.change, changeWidth)}`, color, dim: step.change === 'same'});
		}

		return line;
	};

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={runLine('A', diff.a, nowMs, symbols)} width={width} />
			<Line segments={runLine('B', diff.b, nowMs, symbols)} width={width} />
			<Line segments={summary} width={width} />
			<VirtualList count={rows.length} height={listHeight} width={width} selected={selected} renderRow={renderRow} header={header} />
		</Box>
	);
}
