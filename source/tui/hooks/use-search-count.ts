import {useMemo} from 'react';
import {walk, type TraceTree} from '../../core/tree.js';
import {matchPositions, searchCount, searchPattern} from '../search.js';
import {runSearchText, spanSearchText} from '../search-text.js';
import type {View} from '../state/console-state.js';
import type {RunsPager} from './use-runs.js';

/** The search on screen, counted: "/spot 3/17" for the status line, and whether anything matched. */
export interface SearchCount {
	text: string;
	matches: number;
}

/**
 * The count of the search of the screen on top (the runs list's, over the
 * rows read; the trace's, over every span), with where the selection sits
 * among the matches. Null when that screen has no search.
 */
export function useSearchCount(view: View, runs: RunsPager, tree: TraceTree): SearchCount | null {
	const search = view.screen === 'runs' || (view.screen === 'run' && view.tab === 'trace') ? view.search : '';
	const onRuns = view.screen === 'runs';
	const spans = useMemo(() => (search !== '' && !onRuns ? walk(tree) : []), [search, onRuns, tree]);
	const positions = useMemo(() => {
		const pattern = searchPattern(search);
		return onRuns ? matchPositions(runs.runs, runSearchText, pattern, runs.offset) : matchPositions(spans, spanSearchText, pattern);
	}, [search, onRuns, runs.runs, runs.offset, spans]);
	if (search === '') {
		return null;
	}

	let current: number | undefined;
	if (view.screen === 'runs') {
		const at = view.selection.key === null ? -1 : runs.runs.findIndex(run => run.trace_id === view.selection.key);
		current = at < 0 ? view.selection.index : runs.offset + at;
	} else if (view.screen === 'run') {
		const at = spans.findIndex(span => span.span_id === view.selection.key);
		current = at < 0 ? undefined : at;
	}

	// The runs list holds a window of a big index: its count is of the rows read (f filters them all).
	const partial = onRuns && runs.total !== null && runs.total > runs.runs.length;
	return {text: `/${search} ${searchCount(positions, current)}${partial ? ' in rows read' : ''}`, matches: positions.length};
}
