import {useEffect, useMemo, useRef, useState} from 'react';
import type {Run} from '../../core/run.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {Store} from '../../store/store.js';
import {DEFAULT_STUCK_AFTER_MS} from '../console-options.js';
import {EMPTY_SELECTION, type Selection, type SortKey} from '../state/console-state.js';
import {coalesce} from './coalesce.js';
import {RunsLoader, type Anchor, type ListingQuery, type PageState, type RunsData} from './runs-loader.js';

export {WINDOW_ROWS, type RunsData} from './runs-loader.js';

/** What the runs screen shows: its filter and sort, where its selection is, and the clock. */
export interface RunsQuery {
	filter: string;
	sort: SortKey;
	selection: Selection;
	nowMs: number;
	stuckAfterMs: number;
}

export interface RunsPager extends RunsData {
	/** The run at a list position, when it is held. */
	at(index: number): Run | undefined;
	/**
	 * The run at a list position when it is held; when the rows held reach
	 * less than `margin` rows (and some) either side of it, a window around it
	 * is read, and the screen re-renders when it is in.
	 */
	fetch(index: number, margin: number): Run | undefined;
	/** The list's length, as counted, else the rows held (the count is asked for then). */
	count(): number;
}

/** Up to this many runs in the index, a filter is read as it is typed (a text filter scans every run). */
const READ_AS_TYPED_RUNS = 10_000;

function resolveQuery(query: Partial<RunsQuery>): ListingQuery {
	return {filter: query.filter ?? '', sort: query.sort ?? 'started', stuckAfterMs: query.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS, nowMs: query.nowMs ?? Date.now()};
}

/**
 * The runs list over the whole index, held as a window of rows around the
 * selection: counts and the 24-hour figure come from the store, rows page in
 * (RunsLoader, one read at a time) as the selection nears the window's edge,
 * and the feed's changes reload all of it (coalesced), keeping the selected
 * run selected wherever it moved.
 */
export function useRuns(store: Store, feed: ChangeFeed, reloadMs = 150, query: Partial<RunsQuery> = {}): RunsPager {
	const latest = useRef(query);
	latest.current = query;
	// The selection a reload finds again: the screen's, or the position a key just moved to (its
	// select action may not have rendered yet when a reload comes in).
	const anchor = useRef<Anchor>({traceId: null, index: 0});
	const seen = useRef<Selection | undefined>(undefined);
	if (query.selection !== seen.current) {
		seen.current = query.selection;
		const selection = query.selection ?? EMPTY_SELECTION;
		anchor.current = {traceId: selection.key, index: selection.index};
	}

	// Each page names the loader it came from: a new store's loader never shows the old one's rows.
	const [committed, setCommitted] = useState<{loader: RunsLoader; page: PageState} | null>(null);
	const loader = useMemo(() => {
		const made: RunsLoader = new RunsLoader(
			store,
			() => resolveQuery(latest.current),
			() => anchor.current,
			page => setCommitted({loader: made, page}),
		);
		return made;
	}, [store]);
	useEffect(() => {
		loader.start();
		return () => {
			loader.close();
		};
	}, [loader]);

	const reloader = useRef<{trigger: () => void} | null>(null);
	useEffect(() => {
		// A reload that took long (a text filter or a duration sort over a million runs) waits twice as
		// long before the next: the keyboard keeps at least two thirds of the time under a busy feed.
		const reload = coalesce(
			() => loader.reload(),
			() => Math.max(reloadMs, 2 * loader.cost),
		);
		reloader.current = reload;
		const off = feed.onChange(() => {
			reload.trigger();
		});
		return () => {
			off();
			reload.cancel();
			reloader.current = null;
		};
	}, [loader, feed, reloadMs]);

	const {filter = '', sort = 'started', nowMs} = query;
	useEffect(() => {
		const held = loader.current;
		if (held.filter === filter && held.sort === sort) {
			return;
		}

		// Over a small index a new filter is read at once, as it is typed; over a big one the reload
		// waits for typing to pause (the header names the filter its rows were read by until then).
		if (held.indexTotal !== null && held.indexTotal <= READ_AS_TYPED_RUNS) {
			loader.reload();
		} else {
			reloader.current?.trigger();
		}
	}, [loader, filter, sort]);

	useEffect(() => {
		if (nowMs !== undefined) {
			loader.tick(nowMs);
		}
	}, [loader, nowMs]);

	const shown = committed?.loader === loader ? committed.page : loader.current;
	return useMemo<RunsPager>(
		() => ({
			...shown,
			at(position) {
				return shown.runs[position - shown.offset];
			},
			fetch(position, margin) {
				const run = loader.fetch(position, margin);
				anchor.current = {traceId: run?.trace_id ?? null, index: position};
				return run;
			},
			count() {
				return loader.count();
			},
		}),
		[shown, loader],
	);
}
