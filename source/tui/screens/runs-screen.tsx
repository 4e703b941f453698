import {Box} from 'ink';
import type React from 'react';
import {useEffect, useLayoutEffect, useMemo, useRef} from 'react';
import type {Run} from '../../core/run.js';
import {clean, highlight, lineWidth, textWidth, truncateStart, type Line as LineType} from '../text.js';
import {Line} from '../components/line.js';
import {VirtualList} from '../components/virtual-list.js';
import {headerSegments, layoutColumns, rowSegments, type Column} from '../components/virtual-table.js';
import type {RunsPager} from '../hooks/use-runs.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {TerminalActions} from '../hooks/use-terminal-actions.js';
import {MATCH_MARK, matchesSearch, matchPositions, searchPattern, stepMatch, wrapMessage} from '../search.js';
import {runSearchText} from '../search-text.js';
import {ageText, progressText, runState, whereText} from '../run-labels.js';
import type {RunRef, RunsView} from '../state/console-state.js';
import {motionHandlers, resolveIndex} from '../state/list-motion.js';
import {statusSegment} from '../theme.js';
import {useUi} from '../ui-context.js';
import type {TimedScreenFrame} from './screen-frame.js';

export interface RunsScreenProps extends TimedScreenFrame {
	view: RunsView;
	/** The list over the whole index, a window of it held. */
	runs: RunsPager;
	stuckAfterMs: number;
	mark: RunRef | null;
	terminal: TerminalActions;
}

export function refOf(run: Run): RunRef {
	return {traceId: run.trace_id, runId: run.run_id, name: run.name};
}

/**
 * Runs: active first (step k/n and elapsed, stuck ones flagged), then recent
 * ones; filter, sort, mark and diff, over the whole index. The figures come
 * from SQL; the rows are a window that pages in as the selection moves, and
 * only the rows in view render.
 */
export function RunsScreen({view, runs: page, nowMs, stuckAfterMs, mark, width, height, dispatch, active, terminal}: RunsScreenProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const count = page.total ?? page.runs.length;
	const positions = useMemo(() => new Map(page.runs.map((run, i) => [run.trace_id, page.offset + i])), [page.runs, page.offset]);
	const selected = resolveIndex(view.selection, count, key => positions.get(key));
	const current = page.at(selected);
	const tableHeight = Math.max(1, height - 2);
	const unread = useRef<number | null>(null);
	const select = (index: number): void => {
		const run = page.fetch(index, tableHeight);
		unread.current = run === undefined ? index : null;
		dispatch({type: 'select', selection: {index, key: run?.trace_id ?? null}});
	};

	// The rows in view must be held, also after a resize or a reload that moved the selection
	// (fetch reads nothing when they are; the first frame's screenful waits for its count). A layout
	// effect: it runs with the commit, before the next key can move the selection elsewhere.
	useLayoutEffect(() => {
		if (page.total !== null && page.total > 0) {
			page.fetch(selected, tableHeight);
		}
	}, [page, selected, tableHeight]);

	// A key moved to a row not yet read (the store answers later): once it is in, the selection names
	// its run, as it would have had the row been held, so that a reload keeps that run selected
	// wherever it moves. (A selection left at the top with no run named follows the top, as before.)
	useLayoutEffect(() => {
		if (unread.current === null || view.selection.key !== null || view.selection.index !== unread.current || selected !== unread.current) {
			return;
		}

		if (current !== undefined && page.filter === view.filter && page.sort === view.sort) {
			unread.current = null;
			dispatch({type: 'select', selection: {index: selected, key: current.trace_id}});
		}
	}, [current, selected, view, page.filter, page.sort, dispatch]);

	// Search looks through the rows read (the whole list up to a few hundred runs; f asks the index).
	const pattern = useMemo(() => searchPattern(view.search), [view.search]);
	const matches = useMemo(() => matchPositions(page.runs, runSearchText, pattern, page.offset), [page.runs, page.offset, pattern]);
	const searchFrom = (direction: 1 | -1, inclusive: boolean): void => {
		const step = stepMatch(matches, selected, direction, inclusive);
		if (step === null) {
			dispatch({type: 'message', message: {level: 'error', text: view.search === '' ? 'nothing to search: press / and type' : `no match for "${clean(view.search)}"`}});
			return;
		}

		select(step.position);
		if (step.wrapped && !inclusive) {
			dispatch({type: 'message', message: {level: 'info', text: wrapMessage(direction)}});
		}
	};

	// Find as you type, forward from the selection (it stays put while it still matches).
	// biome-ignore lint/correctness/useExhaustiveDependencies: runs when the search text changes; that render's matches are the ones to search
	useEffect(() => {
		if (view.search !== '' && matches.length > 0) {
			const step = stepMatch(matches, selected, 1, true);
			if (step && step.position !== selected) {
				select(step.position);
			}
		}
	}, [view.search]);

	useKeymap(
		'runs',
		{
			...motionHandlers(selected, () => page.count(), tableHeight - 2, select),
			open() {
				if (current) {
					dispatch({type: 'open-run', run: refOf(current)});
				}
			},
			filter() {
				dispatch({type: 'prompt-open', kind: 'filter'});
			},
			search() {
				dispatch({type: 'prompt-open', kind: 'search'});
			},
			nextMatch: () => searchFrom(1, false),
			prevMatch: () => searchFrom(-1, false),
			copy() {
				if (current) {
					terminal.copy({what: 'run id', text: current.run_id});
				}
			},
			clearFilter() {
				if (view.search !== '') {
					dispatch({type: 'set-search', text: ''});
				} else if (view.filter !== '') {
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

	const sorted = (title: string, key: RunsView['sort']): string => (page.sort === key ? `${title} ${symbols.faster}` : title);
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
	const laid = layoutColumns(columns, Math.max(0, width - 2));
	const ellipsis = ascii ? '~' : '…';

	const known = (value: number | null): string => (value === null ? symbols.ellipsis : String(value));
	const filtered = page.filter !== '';
	const {day} = page;
	// Most telling first: 80 columns cut the end. Under a filter "(n of N)" says what "recent" would.
	const head: LineType = [
		{text: `${known(page.active)} active`, bold: true, color: (page.active ?? 0) > 0 ? 'yellow' : undefined},
		...((page.stuck ?? 0) > 0 ? [{text: ` (${symbols.stuck} ${page.stuck} stuck)`, color: 'magenta', bold: true}] : []),
		...(filtered
			? [
					{text: ` ${symbols.dot} filter: ${clean(page.filter)}`, color: 'cyan'},
					{text: ` (${known(page.total)} of ${known(page.indexTotal)})`, dim: true},
				]
			: [{text: ` ${symbols.dot} ${page.total === null || page.active === null ? symbols.ellipsis : page.total - page.active} recent`}]),
		...(day === null || day.total === 0
			? []
			: // The figure covers the list below it: with a filter on, the filter's runs. On call, a filter is
				// the question being asked ("how is prod doing?"), and a figure over other runs beside a list of
				// these would answer a different one; "(filtered)" says so, the crumb and "of N" give the whole.
				[{text: ` ${symbols.dot} 24h${filtered ? ' (filtered)' : ''}: ${day.failed}/${day.total} failed`, color: day.failed > 0 ? 'red' : undefined}]),
	];
	if (day?.top && day.total > 0) {
		// A long step path gives way (from its start: the leaf says most) before its count does.
		const count = ` ${symbols.times}${day.top.count}`;
		const room = width - lineWidth(head) - textWidth(', most at ') - textWidth(count);
		const step = clean(day.top.step);
		head.push({text: `, most at ${textWidth(step) > room && room >= 8 ? truncateStart(step, room, ellipsis) : step}${count}`});
	}

	const summary: LineType = [...head, {text: ` ${symbols.dot} sort: ${page.sort}`, dim: true}, ...(mark ? [{text: ` ${symbols.dot} marked: ${clean(mark.runId)}`, color: 'blue'}] : [])];
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
	const empty = !page.loaded ? `${symbols.ellipsis} reading runs` : page.indexTotal === 0 ? 'no runs yet: tracedeck ingest <file.jsonl>, or tracedeck demo' : `no run matches "${clean(page.filter)}" (esc clears the filter)`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Line segments={summary} width={width} />
			<VirtualList
				count={count}
				height={tableHeight}
				width={width}
				selected={selected}
				header={headerSegments(laid)}
				renderRow={index => {
					const run = page.at(index);
					// Outside the window only until its rows are in (one render at most).
					return run ? highlight(rowSegments(laid, run, index, ellipsis), pattern) : [{text: symbols.ellipsis, dim: true}];
				}}
				gutterMark={index => {
					const run = page.at(index);
					if (run && mark?.traceId === run.trace_id) {
						return {text: symbols.mark, color: 'blue'};
					}

					return run && pattern !== null && matchesSearch(runSearchText(run), pattern) ? {text: MATCH_MARK, bold: true} : undefined;
				}}
				empty={empty}
			/>
			<Line segments={[{text: ' '}, ...details]} width={width} />
		</Box>
	);
}
