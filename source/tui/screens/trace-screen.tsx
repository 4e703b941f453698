import {Box} from 'ink';
import type React from 'react';
import {useEffect, useMemo, useRef} from 'react';
import {displayName} from '../../core/span-name.js';
import {formatDuration} from '../../core/format-duration.js';
import type {Run} from '../../core/run.js';
import {pathTo, walk, type TraceTree} from '../../core/tree.js';
import {Line} from '../components/line.js';
import {defaultExpandDepth, rowIndexById, treeCell, visibleRows, type TreeRow} from '../components/tree-rows.js';
import {VirtualList} from '../components/virtual-list.js';
import {waterfallBar} from '../components/waterfall-bar.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {TraceModel} from '../hooks/use-trace-model.js';
import type {RunView} from '../state/console-state.js';
import {motionHandlers} from '../state/list-motion.js';
import {statusSegment} from '../theme.js';
import {clean, fit, fitLine, highlight, textWidth, type Line as LineType} from '../text.js';
import {MATCH_MARK, matchesSearch, matchPositions, searchPattern, stepMatch, wrapMessage} from '../search.js';
import {spanSearchText} from '../search-text.js';
import {useUi} from '../ui-context.js';
import {spanDetailLines} from './span-detail.js';
import type {TimedScreenFrame} from './screen-frame.js';

export interface TraceScreenProps extends TimedScreenFrame {
	view: RunView;
	run: Run | null;
	model: TraceModel;
	/** Live events folded in since the trace opened. */
	eventsSeen: number;
	version: number;
	loading: boolean;
}

/** Terminals this wide get the span detail as a right pane. */
export const WIDE_COLUMNS = 150;

/** The row of a span, or of its nearest visible ancestor when it sits under a collapsed span. */
function visibleIndexOf(spanId: string, positions: ReadonlyMap<string, number>, tree: TraceTree): number | undefined {
	let current: string | null | undefined = spanId;
	while (current !== null && current !== undefined) {
		const index = positions.get(current);
		if (index !== undefined) {
			return index;
		}

		current = tree.parent.get(current);
	}

	return undefined;
}

function pathIds(tree: TraceTree, spanId: string): string[] {
	return pathTo(tree, spanId).map(span => span.span_id);
}

/**
 * The trace: a collapsible tree beside a time waterfall scaled to the width,
 * critical path and root cause marked, following the newest span while the
 * run is live. Rows are flattened once per data or collapse change and only
 * the rows in view are drawn.
 */
export function TraceScreen({view, run, model, eventsSeen, version, nowMs, width, height, dispatch, active, loading}: TraceScreenProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const {tree} = model;
	const defaultDepth = defaultExpandDepth(model.spanCount);
	const rows = useMemo(() => visibleRows(tree, {expanded: view.expanded, collapsed: view.collapsed, defaultDepth}), [tree, view.expanded, view.collapsed, defaultDepth]);
	const positions = useMemo(() => rowIndexById(rows), [rows]);
	const critical = view.critical ? model.critical() : null;
	const selected = view.selection.key === null ? Math.min(view.selection.index, Math.max(0, rows.length - 1)) : (visibleIndexOf(view.selection.key, positions, tree) ?? Math.min(view.selection.index, Math.max(0, rows.length - 1)));
	const row: TreeRow | undefined = rows[selected];
	const live = run?.status === 'running';
	const following = live && !view.paused;
	const newCount = view.paused ? Math.max(0, eventsSeen - view.pausedAt) : 0;

	// Following: each time the trace grows, the selection moves to the newest span.
	// biome-ignore lint/correctness/useExhaustiveDependencies: runs when the trace grows (version) or the newest span changes, not on every render
	useEffect(() => {
		if (following && model.newest) {
			dispatch({type: 'follow', spanId: model.newest.span_id, path: pathIds(tree, model.newest.span_id)});
		}
	}, [version, following, model.newest?.span_id]);

	// The spans in tree order, once per tree: what / searches and n/N step through.
	const order = useRef<{tree: TraceTree; spans: ReturnType<typeof walk>} | null>(null);
	const spansInOrder = () => {
		if (order.current?.tree !== tree) {
			order.current = {tree, spans: walk(tree)};
		}

		return order.current.spans;
	};

	const pattern = useMemo(() => searchPattern(view.search), [view.search]);
	/** The match after (1) or before (-1) the selected span in tree order; `inclusive`: the selected one counts. */
	const findFrom = (direction: 1 | -1, inclusive: boolean) => {
		const spans = spansInOrder();
		const at = row ? spans.indexOf(row.span) : -1;
		const step = stepMatch(matchPositions(spans, spanSearchText, pattern), Math.max(at, 0), direction, inclusive || at < 0);
		return step === null ? null : {spanId: spans[step.position]!.span_id, wrapped: step.wrapped};
	};

	// Find as you type, forward from the selected span (which stays while it still matches).
	// biome-ignore lint/correctness/useExhaustiveDependencies: runs when the search text changes; the tree and findFrom of that render are the ones to search
	useEffect(() => {
		if (view.search === '') {
			return;
		}

		const found = findFrom(1, true);
		// (Also when it is the row selected by position only: the selection then names it, and the count finds it.)
		if (found !== null && found.spanId !== view.selection.key) {
			dispatch({type: 'reveal', spanId: found.spanId, path: pathIds(tree, found.spanId)});
		}
	}, [view.search]);

	const stepSearch = (direction: 1 | -1): void => {
		if (view.search === '') {
			dispatch({type: 'message', message: {level: 'info', text: 'nothing to search: press / and type a span name'}});
			return;
		}

		const found = findFrom(direction, false);
		if (found === null) {
			dispatch({type: 'message', message: {level: 'error', text: `no match for "${clean(view.search)}"`}});
			return;
		}

		if (following) {
			dispatch({type: 'pause', eventsSeen});
		}

		dispatch({type: 'reveal', spanId: found.spanId, path: pathIds(tree, found.spanId)});
		if (found.wrapped) {
			dispatch({type: 'message', message: {level: 'info', text: wrapMessage(direction)}});
		}
	};

	const select = (index: number): void => {
		const target = rows[index];
		if (!target) {
			return;
		}

		if (following) {
			dispatch({type: 'pause', eventsSeen});
		}

		dispatch({type: 'select', selection: {index, key: target.span.span_id}});
	};

	const wide = width >= WIDE_COLUMNS;
	const listWidth = wide ? Math.floor(width * 0.58) : width;
	const paneSpan = wide ? row?.span : undefined;
	// biome-ignore lint/correctness/useExhaustiveDependencies: the clock only matters for open spans: finished ones do not redraw every tick
	const paneLines = useMemo(() => (paneSpan ? spanDetailLines(paneSpan, tree, {symbols, width: width - listWidth - 2, expandData: false, traceStartMs: model.range.start, nowMs}) : []), [paneSpan, tree, symbols, width, listWidth, model.range.start, paneSpan?.end_ms === null ? nowMs : 0]);
	const infoLines = 1;
	const listHeight = Math.max(2, height - infoLines);
	useKeymap(
		'trace',
		{
			...motionHandlers(selected, rows.length, listHeight - 2, select),
			open() {
				if (!row) {
					return;
				}

				if (row.hasChildren && !row.expanded) {
					dispatch({type: 'expand', ids: [row.span.span_id]});
				} else {
					dispatch({type: 'open-span', spanId: row.span.span_id, spanName: clean(displayName(row.span))});
				}
			},
			expand() {
				if (!row?.hasChildren) {
					return;
				}

				if (row.expanded) {
					select(selected + 1);
				} else {
					dispatch({type: 'expand', ids: [row.span.span_id]});
				}
			},
			collapse() {
				if (!row) {
					return;
				}

				if (row.expanded) {
					dispatch({type: 'collapse', id: row.span.span_id});
					return;
				}

				const parent = tree.parent.get(row.span.span_id);
				const parentIndex = parent ? positions.get(parent) : undefined;
				if (parentIndex !== undefined) {
					select(parentIndex);
				}
			},
			failure() {
				const failure = model.failure;
				if (!failure) {
					dispatch({type: 'message', message: {level: 'info', text: loading ? 'still loading' : 'nothing failed in this run'}});
					return;
				}

				if (following) {
					dispatch({type: 'pause', eventsSeen});
				}

				dispatch({type: 'reveal', spanId: failure.span.span_id, path: failure.path.map(span => span.span_id)});
				dispatch({type: 'message', message: {level: 'error', text: `root cause: ${clean(displayName(failure.span))}${failure.error ? `: ${clean(failure.error)}` : ''}`}});
			},
			critical() {
				dispatch({type: 'toggle-critical'});
			},
			pause() {
				if (!live) {
					dispatch({type: 'message', message: {level: 'info', text: 'this run has finished: nothing to follow'}});
					return;
				}

				dispatch({type: 'toggle-pause', eventsSeen});
				if (view.paused && model.newest) {
					dispatch({type: 'follow', spanId: model.newest.span_id, path: pathIds(tree, model.newest.span_id)});
				}
			},
			search() {
				dispatch({type: 'prompt-open', kind: 'search'});
			},
			nextMatch: () => stepSearch(1),
			prevMatch: () => stepSearch(-1),
			compensations: () => dispatch({type: 'set-tab', tab: 'compensations'}),
			decisions: () => dispatch({type: 'set-tab', tab: 'decisions'}),
			nextTab: () => dispatch({type: 'next-tab'}),
			linked: () => dispatch({type: 'open-linked'}),
			mark: () => dispatch({type: 'mark', run: view.run}),
			diff: () => dispatch({type: 'diff-against-mark', run: view.run}),
		},
		active,
	);

	// Columns: gutter(2) critical(1) tree(flex) took(7) bar.
	const inner = Math.max(0, listWidth - 2);
	const barWidth = Math.max(8, Math.min(160, Math.floor(inner * 0.38)));
	const tookWidth = 7;
	const treeWidth = Math.max(8, inner - barWidth - tookWidth - 4);
	const range = {start: model.range.start, end: model.hasOpenSpans ? Math.max(model.range.end, nowMs) : model.range.end};
	const causeId = model.failure?.span.span_id;
	const causeLabel = `${symbols.undo} root cause`;
	const ellipsis = ascii ? '~' : '…';
	const renderRow = (index: number): LineType => {
		const r = rows[index]!;
		const {span} = r;
		const spanCritical = critical?.get(span.span_id);
		const took = span.end_ms === null ? formatDuration(Math.max(0, nowMs - span.start_ms)) : formatDuration(span.end_ms - span.start_ms);
		return [
			{text: spanCritical ? symbols.critical.slice(0, 1) : ' ', color: 'magenta', bold: true},
			{text: ' '},
			...highlight(fitLine(treeCell(r, {symbols, isCause: span.span_id === causeId, causeLabel, isRecovered: model.recovered.has(span.span_id)}), treeWidth, true, ellipsis), pattern),
			{text: ' '},
			{text: fit(took, tookWidth, {align: 'right'}), color: span.end_ms === null ? 'yellow' : undefined},
			{text: ' '},
			...waterfallBar(span, range, barWidth, {symbols, nowMs, critical: spanCritical ?? [], showCritical: view.critical}),
		];
	};

	const total = formatDuration(range.end - range.start);
	const scale = `0${symbols.rule.repeat(Math.max(1, barWidth - 2 - textWidth(total)))} ${total}`;
	const header: LineType = [{text: '  '}, {text: fit(`span (${rows.length} shown of ${model.spanCount})`, treeWidth), bold: true}, {text: ' '}, {text: fit('took', tookWidth, {align: 'right'}), bold: true}, {text: ' '}, {text: fit(scale, barWidth), dim: true}];

	const info: LineType = [];
	if (row) {
		const s = row.span;
		info.push(statusSegment(s.status, symbols, false), {text: ` ${clean(displayName(s))}`, bold: true});
		if (s.error) {
			const recovered = model.recovered.has(s.span_id);
			info.push({text: ` ${symbols.dot} ${recovered ? 'recovered: ' : ''}${clean(s.error.message)}`, color: recovered ? 'yellow' : 'red'});
		} else if (critical?.has(s.span_id)) {
			info.push({text: ` ${symbols.dot} on the critical path`, color: 'magenta'});
		}
	}

	const followText: LineType = live ? (following ? [{text: `${symbols.following} following`, color: 'green'}] : [{text: `paused${newCount > 0 ? ` ${symbols.newBelow} ${newCount} new` : ''} (space resumes)`, color: 'yellow', bold: newCount > 0}]) : [];
	const infoRight: LineType = [...followText, {text: `  ${rows.length === 0 ? 0 : selected + 1}/${rows.length}`, dim: true}];
	const rightWidth = infoRight.reduce((sum, s) => sum + textWidth(s.text), 0);
	const infoLine: LineType = [{text: ' '}, ...fitLine(info, Math.max(0, listWidth - rightWidth - 2), true, ellipsis), {text: ' '}, ...infoRight];
	const empty = loading ? 'loading…' : 'no spans in this trace';
	const list = (
		<Box flexDirection="column" width={listWidth} height={height}>
			<VirtualList count={rows.length} height={listHeight} width={listWidth} selected={selected} renderRow={renderRow} gutterMark={index => (pattern !== null && matchesSearch(spanSearchText(rows[index]!.span), pattern) ? {text: MATCH_MARK, bold: true} : undefined)} header={header} empty={empty} />
			<Line segments={infoLine} width={listWidth} ellipsis={ascii ? '~' : '…'} />
		</Box>
	);
	if (!wide) {
		return list;
	}

	const paneWidth = width - listWidth - 1;
	const detail = paneLines;
	const pane: React.JSX.Element[] = [];
	for (let i = 0; i < height; i++) {
		pane.push(<Line key={i} segments={[{text: ascii ? '|' : '│', dim: true}, ...(detail[i] ?? [])]} width={paneWidth + 1} />);
	}

	return (
		<Box flexDirection="row" width={width} height={height}>
			{list}
			<Box flexDirection="column" width={paneWidth + 1} height={height}>
				{pane}
			</Box>
		</Box>
	);
}
