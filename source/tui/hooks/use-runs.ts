import {useEffect, useMemo, useRef, useState} from 'react';
import type {Run} from '../../core/run.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {DaySummary} from '../../store/run-day-summary.js';
import {firstRuns, readRunFigures, readRunPage, runsBetween, windowAround, type RunCounts, type RunListing} from '../../store/run-page.js';
import type {RunIndex} from '../../store/run-index.js';
import {DEFAULT_STUCK_AFTER_MS} from '../console-options.js';
import {EMPTY_SELECTION, type Selection, type SortKey} from '../state/console-state.js';
import {parseRunQuery} from '../state/run-filter.js';
import {coalesce} from './coalesce.js';

/** What the runs screen shows: its filter and sort, where its selection is, and the clock. */
export interface RunsQuery {
	filter: string;
	sort: SortKey;
	selection: Selection;
	nowMs: number;
	stuckAfterMs: number;
}

export interface RunsData {
	/** The runs held: a window of the list around the selection, never the whole index. */
	runs: Run[];
	/** The list position of runs[0]. */
	offset: number;
	/** Runs in the list (the filter applied) over the whole index; null until counted. */
	total: number | null;
	/** Runs in the index, whatever the filter; null until counted. */
	indexTotal: number | null;
	/** Running runs in the list, and how many of them are stuck; null until counted. */
	active: number | null;
	stuck: number | null;
	/** The last 24 hours of the list; null until counted. */
	day: DaySummary | null;
	/** The filter and sort these runs are listed by (a new filter shows once its reload is in). */
	filter: string;
	sort: SortKey;
	error: string | null;
	/** Bumps on every reload. */
	version: number;
}

export interface RunsPager extends RunsData {
	/** The run at a list position, when it is held. */
	at(index: number): Run | undefined;
	/** The run at a list position, reading a window around it first unless one is held with `margin` rows either side. */
	fetch(index: number, margin: number): Run | undefined;
	/** The list's length, counting it first when the first frame has not yet. */
	count(): number;
}

/** Enough runs to fill the first screen; counting the list follows once it is drawn. */
const FIRST_SCREEN_RUNS = 60;

/** Up to this many runs in the index, a filter is read as it is typed (a text filter scans every run). */
const READ_AS_TYPED_RUNS = 10_000;

/** Runs held around the selection: a few screens to move through without a query, the same whatever the index holds. */
export const WINDOW_ROWS = 300;

interface PageState extends RunsData {
	listing: RunListing;
	counts: RunCounts | null;
}

function resolveQuery(query: Partial<RunsQuery>): RunsQuery {
	return {filter: '', sort: 'started', selection: EMPTY_SELECTION, stuckAfterMs: DEFAULT_STUCK_AFTER_MS, ...query, nowMs: query.nowMs ?? Date.now()};
}

function listingOf(query: RunsQuery): RunListing {
	return {query: parseRunQuery(query.filter), order: query.sort, clock: {nowMs: query.nowMs, stuckAfterMs: query.stuckAfterMs}};
}

interface Anchor {
	traceId: string | null;
	index: number;
}

function fullPage(index: RunIndex, query: RunsQuery, anchor: Anchor, version: number): PageState {
	const listing = listingOf(query);
	const page = readRunPage(index.db, listing, anchor, WINDOW_ROWS);
	return {
		runs: page.runs,
		offset: page.offset,
		total: page.counts.total,
		indexTotal: page.indexTotal,
		active: page.counts.segments[0] ?? 0,
		stuck: page.stuck,
		day: page.day,
		filter: query.filter,
		sort: query.sort,
		error: null,
		version,
		listing,
		counts: page.counts,
	};
}

/** The first screenful, uncounted (the counts follow right after); a list that fits in it is counted at once. */
function firstPage(index: RunIndex, query: RunsQuery): PageState {
	const listing = listingOf(query);
	const runs = firstRuns(index.db, listing, FIRST_SCREEN_RUNS);
	if (runs.length < FIRST_SCREEN_RUNS) {
		return fullPage(index, query, {traceId: query.selection.key, index: query.selection.index}, 0);
	}

	return {runs, offset: 0, total: null, indexTotal: null, active: null, stuck: null, day: null, filter: query.filter, sort: query.sort, error: null, version: 0, listing, counts: null};
}

function sameDay(a: DaySummary | null, b: DaySummary | null): boolean {
	return a === b || (a !== null && b !== null && a.total === b.total && a.failed === b.failed && a.top?.step === b.top?.step && a.top?.count === b.top?.count);
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * The runs list over the whole index, held as a window of rows around the
 * selection: counts and the 24-hour figure come from SQL, rows page in as
 * the selection moves, and the feed's changes reload all of it (coalesced),
 * keeping the selected run selected wherever it moved.
 */
export function useRuns(index: RunIndex, feed: ChangeFeed, reloadMs = 150, query: Partial<RunsQuery> = {}): RunsPager {
	const latest = useRef(query);
	latest.current = query;
	// The selection a reload finds again: the screen's, or the run a key just paged in (its select
	// action may not have rendered yet when a reload comes in).
	const anchor = useRef<Anchor>({traceId: null, index: 0});
	const seen = useRef<Selection | undefined>(undefined);
	if (query.selection !== seen.current) {
		seen.current = query.selection;
		anchor.current = {traceId: query.selection?.key ?? null, index: query.selection?.index ?? 0};
	}
	const [page, setPage] = useState<PageState>(() => {
		const resolved = resolveQuery(query);
		try {
			return firstPage(index, resolved);
		} catch (error) {
			return {...firstPageError(resolved), error: errorText(error)};
		}
	});
	// The page as last committed: the key handlers read and page in synchronously, between renders.
	const current = useRef(page);
	const commit = (next: PageState): void => {
		current.current = next;
		setPage(next);
	};

	const cost = useRef(0);
	const reloadNow = (): void => {
		const started = performance.now();
		try {
			commit(fullPage(index, resolveQuery(latest.current), anchor.current, current.current.version + 1));
		} catch (error) {
			commit({...current.current, error: errorText(error)});
		}

		cost.current = performance.now() - started;
	};

	const reloader = useRef<{trigger: () => void} | null>(null);
	const lastWindow = useRef('');
	const tried = useRef('');
	// biome-ignore lint/correctness/useExhaustiveDependencies: set up once per index; reloadNow reads the latest query through refs
	useEffect(() => {
		// A reload that took long (a text filter or a duration sort over a million runs) waits twice as
		// long before the next: the keyboard keeps at least two thirds of the time under a busy feed.
		const reload = coalesce(reloadNow, () => Math.max(reloadMs, 2 * cost.current));
		reloader.current = reload;
		const off = feed.onChange(() => {
			reload.trigger();
		});
		// The first frame showed a screenful; counting the whole list follows once it is on screen.
		const rest = setTimeout(() => {
			reload.trigger();
		}, 0);
		return () => {
			off();
			clearTimeout(rest);
			reload.cancel();
			reloader.current = null;
		};
		// reloadNow reads the query and the page through refs: neither restarts the feed subscription.
	}, [index, feed, reloadMs]);

	const {filter = '', sort = 'started', nowMs} = query;
	// A new filter or sort: over a small index, read now, in this render, so that no frame shows the
	// new filter over the old rows; over a big one, the reload waits for typing to pause (and the
	// header names the filter its rows were read by until then).
	const asked = `${sort} ${filter}`;
	if ((page.filter !== filter || page.sort !== sort) && page.indexTotal !== null && page.indexTotal <= READ_AS_TYPED_RUNS && tried.current !== asked) {
		tried.current = asked;
		reloadNow();
	}

	useEffect(() => {
		if (current.current.filter !== filter || current.current.sort !== sort) {
			reloader.current?.trigger();
		}
	}, [filter, sort]);

	// biome-ignore lint/correctness/useExhaustiveDependencies: moves with the clock only; commit works on the state held in refs
	useEffect(() => {
		const held = current.current;
		if (nowMs === undefined || held.counts === null || held.listing.clock.nowMs === nowMs) {
			return;
		}

		if (held.listing.query.status.includes('stuck')) {
			// Which runs are stuck moves with the clock: the list itself changes.
			reloader.current?.trigger();
			return;
		}

		// The figures move with the clock (runs go quiet, the 24 hours slide); the list's order is as of its last reload.
		try {
			const figures = readRunFigures(index.db, {...held.listing, clock: {...held.listing.clock, nowMs}});
			if (figures.stuck !== held.stuck || !sameDay(figures.day, held.day)) {
				commit({...held, ...figures});
			}
		} catch (error) {
			commit({...held, error: errorText(error)});
		}
	}, [nowMs, index]);

	// biome-ignore lint/correctness/useExhaustiveDependencies: fetchAt and reloadNow read the latest state through refs; the pager is new when its page is
	return useMemo<RunsPager>(
		() => ({
			...page,
			at(position) {
				return page.runs[position - page.offset];
			},
			fetch(position, margin) {
				const run = fetchAt(position, margin);
				if (run) {
					anchor.current = {traceId: run.trace_id, index: position};
				}

				return run;
			},
			count() {
				if (current.current.counts === null) {
					reloadNow();
				}

				return current.current.total ?? current.current.runs.length;
			},
		}),
		[page],
	);

	function fetchAt(position: number, margin: number): Run | undefined {
		let held = current.current;
		if (held.counts === null) {
			reloadNow();
			held = current.current;
		}

		const total = held.counts?.total ?? held.runs.length;
		if (position < 0 || position >= total) {
			return undefined;
		}

		const end = held.offset + held.runs.length;
		const roomAbove = held.offset === 0 || position - margin >= held.offset;
		const roomBelow = end >= total || position + margin < end;
		if (position >= held.offset && position < end && roomAbove && roomBelow) {
			return held.runs[position - held.offset];
		}

		const {from, to} = windowAround(position, total, Math.max(WINDOW_ROWS, 4 * margin));
		const window = `${held.version} ${from} ${to}`;
		if (held.counts === null || window === lastWindow.current) {
			// Read already (rows went away since the count, say): the next reload recounts.
			return held.runs[position - held.offset];
		}

		lastWindow.current = window;
		try {
			commit({...held, runs: runsBetween(index.db, held.listing, held.counts, from, to), offset: from, error: null});
			return current.current.runs[position - from];
		} catch (error) {
			commit({...held, error: errorText(error)});
			return undefined;
		}
	}
}

function firstPageError(query: RunsQuery): PageState {
	return {runs: [], offset: 0, total: null, indexTotal: null, active: null, stuck: null, day: null, filter: query.filter, sort: query.sort, error: null, version: 0, listing: listingOf(query), counts: null};
}
