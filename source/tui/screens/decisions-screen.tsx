import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import type {DecisionRate} from '../../core/analytics.js';
import type {DecisionOutcome, DecisionOutcomeKind} from '../../core/decisions.js';
import {displayName} from '../../core/span-name.js';
import type {Run} from '../../core/run.js';
import {stepPath, type TraceTree} from '../../core/tree.js';
import {Line} from '../components/line.js';
import {VirtualTable, type Column} from '../components/virtual-table.js';
import type {DecisionStats} from '../hooks/use-decision-stats.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {TraceModel} from '../hooks/use-trace-model.js';
import type {RunView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import type {Symbols} from '../../core/symbols.js';
import {clean, fit, textWidth, wrap, type Line as LineType, type Segment} from '../text.js';
import {useUi} from '../ui-context.js';
import type {ScreenFrame} from './screen-frame.js';

function outcomeSegment(outcome: DecisionOutcomeKind, symbols: Symbols): Segment {
	return outcome === 'failed' ? {text: `${symbols.failed} failed after`, color: 'red'} : outcome === 'pending' ? {text: `${symbols.running} pending`, color: 'yellow'} : {text: `${symbols.success} succeeded`, color: 'green'};
}

function percent(rate: number): string {
	return `${Math.round(rate * 100)}%`;
}

/** "3/4 runs chose it, 3 failed (75%)" for one option at one decision point. */
export function historyText(rate: DecisionRate | undefined, runs: number, reading = false): string {
	if (reading) {
		return 'reading earlier runs…';
	}

	if (runs === 0) {
		return 'no finished runs to compare';
	}

	if (!rate) {
		return `0/${runs} runs chose it`;
	}

	return `${rate.runs}/${runs} runs chose it, ${rate.failed} failed (${percent(rate.failure_rate)})`;
}

export interface DecisionDetailOptions {
	symbols: Symbols;
	width: number;
	stats: DecisionStats;
	runName: string;
}

/**
 * Question 3 for one decision: which option was chosen, how sure the agent
 * was and why, what followed in this run, and every option with its score
 * and how it has fared in earlier runs of the same workflow.
 */
export function decisionDetailLines(decision: DecisionOutcome, tree: TraceTree, options: DecisionDetailOptions): LineType[] {
	const {symbols, width, stats} = options;
	const sep: Segment = {text: ` ${symbols.dot} `, dim: true};
	const lines: LineType[] = [];
	lines.push([{text: clean(decision.path || decision.name), bold: true}, sep, {text: `chose ${decision.decision === null ? '?' : clean(decision.decision)}`, bold: true, color: 'cyan'}, sep, {text: `confidence ${decision.confidence === null ? '-' : decision.confidence.toFixed(2)}`}]);

	if (decision.outcome === 'failed' && decision.downstream_failed_span_id !== null) {
		const failed = tree.byId.get(decision.downstream_failed_span_id);
		const where = failed ? stepPath(tree, failed.span_id) || displayName(failed) : decision.downstream_failed_span_id;
		lines.push([{text: 'then ', dim: true}, {text: `${symbols.failed} ${clean(where)} failed`, color: 'red', bold: true}, ...(failed?.error ? [{text: `: ${clean(failed.error.message)}`, color: 'red'}] : [])]);
	} else if (decision.outcome === 'pending') {
		lines.push([
			{text: 'then ', dim: true},
			{text: `${symbols.running} still running; nothing after it has failed yet`, color: 'yellow'},
		]);
	} else {
		lines.push([
			{text: 'then ', dim: true},
			{text: `${symbols.success} everything after it succeeded`, color: 'green'},
		]);
	}

	const rates = stats.byPath.get(decision.path) ?? [];
	const runs = stats.runsByPath.get(decision.path) ?? 0;
	const alternatives = [...decision.alternatives];
	if (decision.decision !== null && !alternatives.some(a => a.option === decision.decision)) {
		alternatives.unshift({option: decision.decision});
	}

	// The chosen option first, then by score.
	alternatives.sort((a, b) => Number(b.option === decision.decision) - Number(a.option === decision.decision) || (b.score ?? -1) - (a.score ?? -1));
	const maxScore = Math.max(1, ...alternatives.map(a => a.score ?? 0));
	const optionWidth = Math.min(16, Math.max(6, ...alternatives.map(a => textWidth(clean(a.option)))));
	const barWidth = 6;
	lines.push([
		{text: 'OPTIONS', bold: true, color: 'cyan'},
		{text: `  score, and history over the last ${stats.lookback} finished "${clean(options.runName)}" runs`, dim: true},
	]);
	if (alternatives.length === 0) {
		lines.push([{text: '  the agent recorded no alternatives', dim: true}]);
	}

	for (const alternative of alternatives) {
		const chosen = alternative.option === decision.decision;
		const score = alternative.score;
		const filled = score === undefined ? 0 : Math.round((Math.max(0, score) / maxScore) * barWidth);
		const rate = rates.find(r => r.decision === alternative.option);
		lines.push([
			{text: chosen ? ` ${symbols.chosen.slice(0, 1)} ` : '   ', color: 'cyan', bold: true},
			{text: fit(clean(alternative.option), optionWidth), bold: chosen},
			{text: ` ${score === undefined ? '    -' : fit(score.toFixed(2), 5, {align: 'right'})} `},
			{text: symbols.scoreBar.repeat(filled), color: chosen ? 'cyan' : 'gray'},
			{text: ' '.repeat(barWidth - filled)},
			{text: chosen ? ' chosen  ' : '         ', color: 'cyan', bold: true},
			{text: historyText(rate, runs, stats.reading === true), color: rate && rate.failure_rate >= 0.5 ? 'red' : rate ? 'green' : undefined, dim: !rate},
		]);
		if (alternative.reason) {
			lines.push([{text: `     ${clean(alternative.reason)}`, dim: true}]);
		}
	}

	lines.push([{text: 'REASONING', bold: true, color: 'cyan'}]);
	if (decision.reasoning === null) {
		lines.push([{text: '  none recorded', dim: true}]);
	} else {
		for (const text of wrap(decision.reasoning, Math.max(10, width - 4))) {
			lines.push([{text: `  ${text}`}]);
		}
	}

	return lines;
}

export interface DecisionsScreenProps extends ScreenFrame {
	view: RunView;
	run: Run | null;
	model: TraceModel;
	decisions: readonly DecisionOutcome[];
	stats: DecisionStats;
}

/** AI decisions: the list, and the selected decision in full below it. */
export function DecisionsScreen({view, run, model, decisions, stats, width, height, dispatch, active}: DecisionsScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const positions = useMemo(() => new Map(decisions.map((d, i) => [d.span_id, i])), [decisions]);
	const selected = resolveIndex(view.decisionSelection, decisions.length, key => positions.get(key));
	const current = decisions[selected];
	const listHeight = Math.min(Math.max(3, Math.floor(height / 3)), decisions.length + 1);
	const detailWidth = width - 1;
	useKeymap(
		'decisions',
		{
			...motionHandlers(selected, decisions.length, listHeight - 1, index => dispatch({type: 'select', selection: {index, key: decisions[index]?.span_id ?? null}})),
			open() {
				if (current) {
					dispatch({type: 'open-span', spanId: current.span_id, spanName: clean(current.name)});
				}
			},
			trace: () => dispatch({type: 'set-tab', tab: 'trace'}),
			compensations: () => dispatch({type: 'set-tab', tab: 'compensations'}),
			// a is bound on every run tab (the tab keys read the same everywhere): here it stays.
			decisions: () => dispatch({type: 'set-tab', tab: 'decisions'}),
			nextTab: () => dispatch({type: 'next-tab'}),
			linked: () => dispatch({type: 'open-linked'}),
		},
		active,
	);

	const detail = useMemo(() => (current ? decisionDetailLines(current, model.tree, {symbols, width: detailWidth, stats, runName: run?.name ?? ''}) : []), [current, model.tree, symbols, detailWidth, stats, run?.name]);

	if (decisions.length === 0) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Line segments={[{text: '  no AI decisions in this run (ai:decision events); t goes back to the trace', dim: true}]} width={width} />
			</Box>
		);
	}

	const columns: Array<Column<DecisionOutcome>> = [
		{id: 'outcome', title: 'then', width: 14, priority: 0, cell: d => outcomeSegment(d.outcome, symbols)},
		{id: 'path', title: 'decision', width: 14, flex: 1, priority: 0, cell: d => clean(d.path || d.name)},
		{id: 'chosen', title: 'chose', width: 12, priority: 0, cell: d => ({text: d.decision === null ? '?' : clean(d.decision), bold: true})},
		{id: 'conf', title: 'conf', width: 5, priority: 1, align: 'right', cell: d => (d.confidence === null ? '-' : d.confidence.toFixed(2))},
		{id: 'alts', title: 'options', width: 7, priority: 2, align: 'right', cell: d => String(d.alternatives.length)},
	];
	const detailHeight = Math.max(0, height - listHeight - 1);
	const detailRows: React.JSX.Element[] = detail.slice(0, detailHeight).map((line, i) => <Line key={i} segments={[{text: ' '}, ...line]} width={width} />);
	if (detail.length > detailHeight && detailHeight > 0) {
		detailRows[detailHeight - 1] = <Line key="more" segments={[{text: `  ${symbols.ellipsis} ${detail.length - detailHeight + 1} more lines (enter: the decision span in full)`, dim: true}]} width={width} />;
	}

	for (let i = detailRows.length; i < detailHeight; i++) {
		detailRows.push(<Line key={`pad-${i}`} segments={[]} width={width} />);
	}

	return (
		<Box flexDirection="column" width={width} height={height}>
			<VirtualTable rows={decisions} columns={columns} width={width} height={listHeight} selected={selected} />
			<Line segments={[{text: symbols.rule.repeat(Math.max(0, width)), dim: true}]} width={width} />
			{detailRows}
		</Box>
	);
}
