import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import {compensationChains, SCOPE_KIND_WORDS, type CompensationLink, type CompensationScopeKind} from '../../core/compensations.js';
import {displayName} from '../../core/span-name.js';
import {formatDuration} from '../../core/format-duration.js';
import type {Span} from '../../core/span.js';
import {isCompensation, isStep} from '../../core/step-kind.js';
import {stepPath, walk, type TraceTree} from '../../core/tree.js';
import {Line} from '../components/line.js';
import {VirtualTable, type Column} from '../components/virtual-table.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {TraceModel} from '../hooks/use-trace-model.js';
import type {RunView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {statusSymbol, type Symbols} from '../../core/symbols.js';
import {statusColor} from '../theme.js';
import {clean, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export type CompensationNote = 'undone' | 'orphan-failed' | 'orphan-never' | 'compensating' | 'failed' | 'unfinished' | 'covered' | 'kept';

export interface CompensationRow {
	/** Null when the compensation names a step that is not in the trace. */
	step: Span | null;
	stepId: string;
	label: string;
	compensations: Array<{link: CompensationLink; span: Span | undefined}>;
	note: CompensationNote;
}

export interface CompensationView {
	rows: CompensationRow[];
	compensationCount: number;
	failedCompensations: number;
	pendingCompensations: number;
	orphans: number;
	/** What the compensations were, by saga scope: a rollback of a failed scope, or a local undo in one that succeeded. */
	scopes: CompensationScopeKind[];
}

function noteOf(step: Span | null, links: readonly CompensationLink[], orphan: boolean, covered: boolean): CompensationNote {
	if (orphan) {
		return links.length > 0 ? 'orphan-failed' : 'orphan-never';
	}

	if (links.some(l => l.status === 'success')) {
		return 'undone';
	}

	if (links.some(l => l.status === 'pending')) {
		return 'compensating';
	}

	if (step?.status === 'failed') {
		return 'failed';
	}

	if (step?.end_ms === null) {
		return 'unfinished';
	}

	return covered ? 'covered' : 'kept';
}

/** Forward steps in tree order, each beside its compensations, with orphans called out. */
export function compensationView(tree: TraceTree): CompensationView {
	const chains = compensationChains(tree);
	const byOriginal = new Map<string, CompensationLink[]>();
	for (const link of chains.compensations) {
		const list = byOriginal.get(link.original_span_id) ?? [];
		list.push(link);
		byOriginal.set(link.original_span_id, list);
	}

	const orphans = new Set(chains.orphans);
	const rows: CompensationRow[] = [];
	if (chains.compensations.length > 0) {
		// Covered by a nested undo: inside an undone step, or holding one. One pass each way, not a walk per row.
		const coveredIds = new Set<string>();
		for (const span of walk(tree)) {
			const parent = tree.parent.get(span.span_id);
			if (parent !== null && parent !== undefined && (byOriginal.has(parent) || coveredIds.has(parent))) {
				coveredIds.add(span.span_id);
			}
		}

		const holdsUndo = new Set<string>();
		for (const originalId of byOriginal.keys()) {
			for (let id = tree.parent.get(originalId); id !== null && id !== undefined && !holdsUndo.has(id); id = tree.parent.get(id)) {
				holdsUndo.add(id);
				coveredIds.add(id);
			}
		}

		for (const span of walk(tree)) {
			if (!isStep(span) || isCompensation(span)) {
				continue;
			}

			const links = byOriginal.get(span.span_id) ?? [];
			const covered = coveredIds.has(span.span_id);
			rows.push({
				step: span,
				stepId: span.span_id,
				label: stepPath(tree, span.span_id) || displayName(span),
				compensations: links.map(link => ({link, span: tree.byId.get(link.span_id)})),
				note: noteOf(span, links, orphans.has(span.span_id), covered),
			});
		}

		for (const [originalId, links] of byOriginal) {
			if (!tree.byId.has(originalId)) {
				rows.push({step: null, stepId: originalId, label: `unknown step ${originalId}`, compensations: links.map(link => ({link, span: tree.byId.get(link.span_id)})), note: noteOf(null, links, false, false)});
			}
		}
	}

	return {
		rows,
		compensationCount: chains.compensations.length,
		failedCompensations: chains.compensations.filter(l => l.status === 'failed').length,
		pendingCompensations: chains.compensations.filter(l => l.status === 'pending').length,
		orphans: chains.orphans.length,
		scopes: [...new Set(chains.compensations.map(link => link.scope))].sort(),
	};
}

function noteSegment(note: CompensationNote, symbols: Symbols): LineType[number] {
	switch (note) {
		case 'undone': {
			return {text: `${symbols.success} undone`, color: 'green'};
		}

		case 'orphan-failed': {
			return {text: `${symbols.orphan} ORPHAN: undo failed`, color: 'red', bold: true};
		}

		case 'orphan-never': {
			return {text: `${symbols.orphan} ORPHAN: never undone`, color: 'red', bold: true};
		}

		case 'compensating': {
			return {text: `${symbols.running} compensating`, color: 'yellow'};
		}

		case 'failed': {
			return {text: 'nothing to undo', dim: true};
		}

		case 'unfinished': {
			return {text: 'never finished', dim: true};
		}

		case 'kept': {
			return {text: 'no undo needed', dim: true};
		}

		default: {
			return {text: 'covered (nested undo)', dim: true};
		}
	}
}

/** Question 2 in one line: did the compensation work? */
export function compensationVerdict(view: CompensationView, symbols: Symbols): LineType {
	if (view.compensationCount === 0) {
		return [{text: 'no compensations: nothing was rolled back in this run', dim: true}];
	}

	const undone = view.rows.filter(r => r.note === 'undone').length;
	const kind = {text: ` ${symbols.dot} ${view.scopes.map(scope => SCOPE_KIND_WORDS[scope]).join(' and ')}`, dim: true};
	if (view.orphans > 0 || view.failedCompensations > 0) {
		return [{text: `${symbols.failed} compensation incomplete`, color: 'red', bold: true}, {text: `: ${view.orphans} orphan${view.orphans === 1 ? '' : 's'}, ${view.failedCompensations} undo${view.failedCompensations === 1 ? '' : 's'} failed, ${undone} of ${view.rows.length} steps undone`}, kind];
	}

	if (view.pendingCompensations > 0) {
		return [{text: `${symbols.running} compensating: ${view.compensationCount - view.pendingCompensations} of ${view.compensationCount} done`, color: 'yellow', bold: true}, kind];
	}

	const steps = `${undone} step${undone === 1 ? '' : 's'} undone`;
	if (view.scopes.length === 1 && view.scopes[0] === 'local_undo') {
		// Nothing was rolled back: a step was undone and its scope went on to succeed.
		return [{text: `${symbols.success} local undo`, color: 'green', bold: true}, {text: `: ${steps} and its scope went on to succeed (no rollback)`}];
	}

	return [{text: `${symbols.success} compensation worked`, color: 'green', bold: true}, {text: `: ${steps}, no orphans`}, kind];
}

const COMP_WORDS = {success: 'undone', failed: 'failed', pending: 'running'} as const;

function took(span: Span | undefined | null, nowMs: number): string {
	if (!span) {
		return '';
	}

	return span.end_ms === null ? formatDuration(Math.max(0, nowMs - span.start_ms)) : formatDuration(span.end_ms - span.start_ms);
}

export interface CompensationScreenProps extends TimedScreenFrame {
	view: RunView;
	model: TraceModel;
}

/** Saga compensations: each forward step beside the compensations that undo it, orphans flagged. */
export function CompensationScreen({view, model, nowMs, width, height, dispatch, active}: CompensationScreenProps): React.JSX.Element {
	const {symbols} = useUi();
	const data = useMemo(() => compensationView(model.tree), [model.tree]);
	const rows = data.rows;
	const positions = useMemo(() => new Map(rows.map((row, i) => [row.stepId, i])), [rows]);
	const selected = resolveIndex(view.compensationSelection, rows.length, key => positions.get(key));
	const current = rows[selected];
	const tableHeight = Math.max(1, height - 2);
	useKeymap(
		'compensations',
		{
			...motionHandlers(selected, rows.length, tableHeight - 2, index => dispatch({type: 'select', selection: {index, key: rows[index]?.stepId ?? null}})),
			open() {
				const target = current?.compensations[0]?.span ?? current?.step;
				if (target) {
					dispatch({type: 'open-span', spanId: target.span_id, spanName: clean(displayName(target))});
				}
			},
			trace: () => dispatch({type: 'set-tab', tab: 'trace'}),
			// C is bound on every run tab (the tab keys read the same everywhere): here it stays.
			compensations: () => dispatch({type: 'set-tab', tab: 'compensations'}),
			decisions: () => dispatch({type: 'set-tab', tab: 'decisions'}),
			nextTab: () => dispatch({type: 'next-tab'}),
			linked: () => dispatch({type: 'open-linked'}),
		},
		active,
	);

	const compCell = (row: CompensationRow): LineType => {
		if (row.compensations.length === 0) {
			return [{text: '-', dim: true}];
		}

		const line: LineType = [];
		row.compensations.forEach(({link, span}, i) => {
			const name = span ? displayName(span) : link.span_id;
			// "compensate create-account" says nothing the row does not: show the outcome instead.
			const named = row.step !== null && name.includes(displayName(row.step)) ? '' : ` ${clean(name)}`;
			line.push(...(i > 0 ? [{text: ', '}] : []), {text: `${statusSymbol(link.status, symbols)} ${COMP_WORDS[link.status]}`, color: statusColor(link.status)}, {text: named});
		});
		return line;
	};

	const info: LineType = [];
	if (current) {
		info.push({text: clean(current.label), bold: true});
		for (const {link, span} of current.compensations) {
			info.push({text: ` ${symbols.undo} `, dim: true}, {text: clean(span ? displayName(span) : link.span_id)});
			if (span?.error) {
				info.push({text: `: ${clean(span.error.message)}`, color: 'red'});
			}
		}

		if (current.compensations.length === 0 && current.step?.error) {
			info.push({text: `: ${clean(current.step.error.message)}`, color: 'red'});
		}
	}

	const columns: Array<Column<CompensationRow>> = [
		{
			id: 'step',
			title: 'forward step',
			width: 14,
			flex: 3,
			priority: 0,
			cell: row => [{text: row.step ? statusSymbol(row.step.status, symbols) : '?', color: row.step ? statusColor(row.step.status) : 'gray'}, {text: ` ${clean(row.label)}`}],
		},
		{id: 'took', title: 'took', width: 6, priority: 2, align: 'right', cell: row => took(row.step, nowMs)},
		{id: 'arrow', title: '', width: 2, priority: 1, cell: row => ({text: row.compensations.length > 0 ? symbols.undo : '', dim: true})},
		{id: 'comp', title: 'compensation', width: 10, flex: 1, priority: 0, cell: compCell},
		{id: 'ctook', title: 'took', width: 6, priority: 3, align: 'right', cell: row => took(row.compensations[0]?.span, nowMs)},
		{id: 'note', title: 'verdict', width: 21, priority: 0, cell: row => noteSegment(row.note, symbols)},
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={[{text: ' '}, ...compensationVerdict(data, symbols)]} width={width} />
			<VirtualTable
				rows={rows}
				columns={columns}
				width={width}
				height={tableHeight}
				selected={selected}
				empty={data.compensationCount === 0 ? 'this run has no saga compensations (t back to the trace)' : 'no forward steps'}
				gutterMark={row => (row.note === 'orphan-failed' || row.note === 'orphan-never' ? {text: symbols.orphan.slice(0, 1), color: 'red'} : undefined)}
			/>
			<Line segments={[{text: ' '}, ...info]} width={width} />
		</Box>
	);
}
