import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import {formatDuration} from '../../core/format-duration.js';
import type {Run} from '../../core/run.js';
import {differsOnlyInSecret, planSummary, planVerdict, splitResolved, type PlanEntryDiff, type PlanStepDiff} from '../../core/plan-diff.js';
import type {RunDiff, StepChange, StepDiff, StepSide} from '../../core/run-diff.js';
import {scopeLabel} from '../../store/baseline-run.js';
import {Line} from '../components/line.js';
import {VirtualList} from '../components/virtual-list.js';
import type {DiffData} from '../hooks/use-diff.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {refOf} from './runs-screen.js';
import type {DiffView} from '../state/console-state.js';
import {motionHandlers} from '../state/list-motion.js';
import {runDurationMs} from '../../core/run-duration.js';
import {statusSymbol, type Symbols} from '../../core/symbols.js';
import {statusColor, statusSegment} from '../theme.js';
import {clean, fit, fitLine, inlineValue, wrap, type Line as LineType, type Segment} from '../text.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export type DiffRow =
	| {kind: 'step'; step: StepDiff}
	| {kind: 'section'; title: string}
	/** `resolved`: a devcmd resolved value ("@env(X) → value"). */
	| {kind: 'plan'; entry: PlanEntryDiff; resolved?: boolean}
	/** A plan step added, removed or changed; its fields follow as `field` rows. */
	| {kind: 'plan-step'; step: PlanStepDiff}
	/** A field of a plan step: both sides when it changed, else the side the step is on. */
	| {kind: 'field'; entry: PlanEntryDiff; only: 'a' | 'b' | null}
	| {kind: 'note'; text: string};

export function changeSymbol(change: StepChange, symbols: Symbols): string {
	return {added: symbols.added, removed: symbols.removed, status: symbols.changed, slower: symbols.slower, faster: symbols.faster, same: symbols.same}[change];
}

export function changeColor(change: StepChange): string | undefined {
	return {added: 'green', removed: 'red', status: 'yellow', slower: 'red', faster: 'green', same: undefined}[change];
}

/** The rows of a diff: the aligned steps, then the plan's changed steps, resolved values, args and env. */
export function diffRows(diff: RunDiff): DiffRow[] {
	const rows: DiffRow[] = diff.steps.map(step => ({kind: 'step', step}));
	const {plan} = diff;
	// The summary line above cuts it at 80 columns; here it is whole.
	rows.push({kind: 'section', title: 'PLAN'}, {kind: 'note', text: planSummary(plan)});
	if (planVerdict(plan) !== 'changed') {
		return rows;
	}

	if (plan.steps.length > 0) {
		rows.push({kind: 'section', title: 'PLAN STEPS'});
		for (const step of plan.steps) {
			rows.push({kind: 'plan-step', step});
			for (const entry of step.fields) {
				rows.push({kind: 'field', entry, only: step.change === 'added' ? 'b' : step.change === 'removed' ? 'a' : null});
			}
		}
	}

	for (const [title, entries, resolved] of [
		['RESOLVED VALUES', plan.resolved_values, true],
		['ARGS', plan.args, false],
		['ENV', plan.env, false],
	] as const) {
		if (entries.length > 0) {
			rows.push({kind: 'section', title: `PLAN ${title}`});
			for (const entry of entries) {
				rows.push({kind: 'plan', entry, resolved});
			}
		}
	}

	return rows;
}

function entrySymbol(entry: PlanEntryDiff, symbols: Symbols): {text: string; color: string} {
	return entry.a === null ? {text: symbols.added, color: 'green'} : entry.b === null ? {text: symbols.removed, color: 'red'} : {text: symbols.changed, color: 'yellow'};
}

/**
 * "a → b" for a changed entry; "(absent)" for a missing side; a note when only
 * a redacted part differs. A resolved value from the same source on both sides
 * shows the source once ("@env(X)  3 → 5"): its own arrow would read as the change.
 */
function entryChange(entry: PlanEntryDiff, symbols: Symbols, resolved = false): LineType {
	const splitA = resolved ? splitResolved(entry.a) : null;
	const splitB = resolved ? splitResolved(entry.b) : null;
	const source = splitA !== null && splitB !== null && splitA.source === splitB.source ? splitA.source : null;
	const a = entry.a === null ? '(absent)' : inlineValue(source === null ? entry.a : splitA!.value, 120);
	const b = entry.b === null ? '(absent)' : inlineValue(source === null ? entry.b : splitB!.value, 120);
	return [...(source === null ? [] : [{text: ` ${clean(source)}`}]), {text: ` ${a}`, color: 'red'}, {text: ` ${symbols.arrow} `, dim: true}, {text: b, color: 'green'}, ...(differsOnlyInSecret(entry) ? [{text: '  (redacted; values differ)', dim: true}] : [])];
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
		...(run.env || run.target
			? [
					sep,
					{
						text: [run.env, run.target]
							.filter(Boolean)
							.map(v => clean(v!))
							.join('/'),
					},
				]
			: []),
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
	const rows = useMemo(() => (diff ? diffRows(diff) : []), [diff]);
	const selected = Math.min(view.selection.index, Math.max(0, rows.length - 1));
	const picked = data.baseline === null ? 0 : 1;
	const listHeight = Math.max(2, height - 3 - picked);
	useKeymap(
		'diff',
		{
			...motionHandlers(selected, rows.length, listHeight - 2, index => dispatch({type: 'select', selection: {index, key: null}})),
			open() {
				if (!diff) {
					return;
				}

				// A step row opens its step in the run it is in: B's when both have it, else A's; other rows open B.
				const row = rows[selected];
				const step = row?.kind === 'step' ? row.step : null;
				if (step !== null && step.b === null && step.a !== null) {
					dispatch({type: 'open-run', run: refOf(diff.a), spanId: step.a.span_id});
				} else {
					dispatch({type: 'open-run', run: refOf(diff.b), spanId: step?.b?.span_id});
				}
			},
		},
		active,
	);

	if (!diff) {
		const text = data.error ? wrap(`${symbols.failed} ${data.error}`, width - 2) : ['loading…'];
		return (
			<Box flexDirection="column" width={width} height={height}>
				{text.map((line, i) => (
					<Line key={i} segments={[{text: `  ${line}`, color: data.error ? 'red' : undefined}]} width={width} />
				))}
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

	const planChanged = planVerdict(diff.plan) === 'changed';
	summary.push({text: `${symbols.dot} ${planSummary(diff.plan)}`, dim: !planChanged});

	const inner = width - 2;
	const sideWidth = 12;
	const deltaWidth = 8;
	const changeWidth = inner >= 90 ? 8 : 0;
	const pathWidth = Math.max(8, inner - 2 - sideWidth * 2 - deltaWidth - changeWidth - (changeWidth > 0 ? 5 : 4));
	const header: LineType = [
		{
			text: `${fit('', 2)}${fit('step', pathWidth)} ${fit('A', sideWidth)} ${fit('B', sideWidth)} ${fit('delta', deltaWidth, {align: 'right'})}${changeWidth > 0 ? ` ${fit('change', changeWidth)}` : ''}`,
			bold: true,
		},
	];
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
			const sym = entrySymbol(entry, symbols);
			return [{text: `${sym.text} `, color: sym.color, bold: true}, {text: `${clean(entry.key)} `, bold: true}, ...entryChange(entry, symbols, row.resolved)];
		}

		if (row.kind === 'plan-step') {
			const {step} = row;
			const sym = step.change === 'added' ? {text: symbols.added, color: 'green'} : step.change === 'removed' ? {text: symbols.removed, color: 'red'} : {text: symbols.changed, color: 'yellow'};
			return [
				{text: `${sym.text} `, color: sym.color, bold: true},
				{text: clean(step.id), bold: true},
				{text: `  ${step.change}`, color: sym.color},
			];
		}

		if (row.kind === 'field') {
			const {entry, only} = row;
			const key: Segment = {text: `    ${clean(entry.key)}:`, dim: true};
			return only === null ? [key, ...entryChange(entry, symbols)] : [key, {text: ` ${inlineValue(only === 'a' ? entry.a : entry.b, 120)}`}];
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
			{data.baseline === null ? null : <Line segments={[{text: `A is the last successful ${scopeLabel(diff.b)} run before B`, dim: true}]} width={width} />}
			<Line segments={runLine('A', diff.a, nowMs, symbols)} width={width} />
			<Line segments={runLine('B', diff.b, nowMs, symbols)} width={width} />
			<Line segments={summary} width={width} />
			<VirtualList count={rows.length} height={listHeight} width={width} selected={selected} renderRow={renderRow} header={header} />
		</Box>
	);
}
