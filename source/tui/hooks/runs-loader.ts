import type {Run} from '../../core/run.js';
import type {DaySummary} from '../../store/run-day-summary.js';
import {windowAround, type RunCounts, type RunListing, type RunPage} from '../../store/run-page.js';
import type {Store} from '../../store/store.js';
import type {SortKey} from '../state/console-state.js';
import {parseRunQuery} from '../state/run-filter.js';

/** What the runs screen asks the list for: its filter and sort, and the clock. */
export interface ListingQuery {
	filter: string;
	sort: SortKey;
	nowMs: number;
	stuckAfterMs: number;
}

/** The run a reload finds again: by trace id when it is still listed, else by position. */
export interface Anchor {
	traceId: string | null;
	index: number;
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
	/** False until the store's first answer is in: the screen says "loading", not "no runs". */
	loaded: boolean;
	error: string | null;
	/** Bumps on every reload. */
	version: number;
}

export interface PageState extends RunsData {
	listing: RunListing;
	counts: RunCounts | null;
}

/** Enough runs to fill the first screen; counting the list follows once it is drawn. */
export const FIRST_SCREEN_RUNS = 60;

/** Runs held around the selection: a few screens to move through without a query, the same whatever the index holds. */
export const WINDOW_ROWS = 300;

export function listingOf(query: ListingQuery): RunListing {
	return {query: parseRunQuery(query.filter), order: query.sort, clock: {nowMs: query.nowMs, stuckAfterMs: query.stuckAfterMs}};
}

export function emptyPage(query: ListingQuery): PageState {
	return {runs: [], offset: 0, total: null, indexTotal: null, active: null, stuck: null, day: null, filter: query.filter, sort: query.sort, loaded: false, error: null, version: 0, listing: listingOf(query), counts: null};
}

function pageOf(query: ListingQuery, listing: RunListing, page: RunPage, version: number): PageState {
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
		loaded: true,
		error: null,
		version,
		listing,
		counts: page.counts,
	};
}

function sameDay(a: DaySummary | null, b: DaySummary | null): boolean {
	return a === b || (a !== null && b !== null && a.total === b.total && a.failed === b.failed && a.top?.step === b.top?.step && a.top?.count === b.top?.count);
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Rows a window is fetched for: at most a quarter of the list's length, at least four screens. */
function windowSize(margin: number): number {
	return Math.max(WINDOW_ROWS, 4 * margin);
}

/**
 * How far either side of the selection the held rows must reach before a new
 * window is fetched: beyond the screen's `margin`, halfway to the window's
 * half, so the next window is asked for while the rows on screen are still
 * held (ahead of need), and a window centred on the selection always
 * satisfies it (no refetch loop).
 */
function reachOf(margin: number): number {
	return Math.floor((windowSize(margin) / 2 + margin) / 2);
}

/**
 * The runs list's reads from the store, one at a time: the first screenful,
 * reloads (the whole page: window, counts, figures from one snapshot),
 * windows of rows as the selection moves, and the clock's figures. Each is
 * asked for and answered later (the store may be across a network); asks
 * that pile up while one read is under way merge into the next read (the
 * newest position, the newest clock), and an answer for a list that changed
 * meanwhile (another filter or sort, a reload since) is dropped. What is held
 * is always a consistent window: a row is the right row or not there.
 */
export class RunsLoader {
	/** How long the last reload took: the feed's reloads wait longer after a slow one. */
	cost = 0;
	private page: PageState;
	private busy = false;
	private started = false;
	private closed = false;
	private wantReload = false;
	private wantWindow: {position: number; margin: number} | null = null;
	private wantFigures: number | null = null;
	/** The last window asked for, with the version it was for: asked once, even when rows went away since the count. */
	private lastWindow = '';

	constructor(
		private readonly store: Store,
		private readonly query: () => ListingQuery,
		private readonly anchor: () => Anchor,
		private readonly onCommit: (page: PageState) => void,
	) {
		this.page = emptyPage(query());
	}

	/** The page as last committed: key handlers read it between renders. */
	get current(): PageState {
		return this.page;
	}

	/** Read the first screenful; the counts follow once it is on screen. */
	start(): void {
		this.pump();
	}

	close(): void {
		this.closed = true;
	}

	reload(): void {
		this.wantReload = true;
		this.pump();
	}

	/**
	 * The run at a list position when held; asks for a window around it when
	 * the rows held reach less than far enough either side of it (answered
	 * later: the screen re-renders when it lands).
	 */
	fetch(position: number, margin: number): Run | undefined {
		const held = this.page;
		if (held.counts === null) {
			this.reload();
			return held.runs[position - held.offset];
		}

		if (position < 0 || position >= held.counts.total) {
			return undefined;
		}

		if (!this.holds(held, position, reachOf(margin))) {
			this.wantWindow = {position, margin};
			this.pump();
		}

		return held.runs[position - held.offset];
	}

	/** The list's length as counted, else the rows held (and the count is asked for). */
	count(): number {
		if (this.page.counts === null) {
			this.reload();
		}

		return this.page.total ?? this.page.runs.length;
	}

	/** The clock moved: the figures move with it (runs go quiet, the 24 hours slide). */
	tick(nowMs: number): void {
		const held = this.page;
		if (held.counts === null) {
			// Not counted yet, or the last read failed: the clock is the retry.
			if (held.error !== null) {
				this.reload();
			}

			return;
		}

		if (held.listing.clock.nowMs === nowMs) {
			return;
		}

		if (held.listing.query.status.includes('stuck')) {
			// Which runs are stuck moves with the clock: the list itself changes.
			this.reload();
			return;
		}

		this.wantFigures = nowMs;
		this.pump();
	}

	private holds(held: PageState, position: number, reach: number): boolean {
		const total = held.counts?.total ?? held.runs.length;
		const end = held.offset + held.runs.length;
		const roomAbove = held.offset === 0 || position - reach >= held.offset;
		const roomBelow = end >= total || position + reach < end;
		return position >= held.offset && position < end && roomAbove && roomBelow;
	}

	private commit(next: PageState): void {
		if (this.closed) {
			return;
		}

		this.page = next;
		this.onCommit(next);
	}

	private pump(): void {
		if (this.busy || this.closed) {
			return;
		}

		const read = this.nextRead();
		if (read === undefined) {
			return;
		}

		this.busy = true;
		read()
			.catch((error: unknown) => {
				this.commit({...this.page, error: errorText(error)});
			})
			.finally(() => {
				this.busy = false;
				this.pump();
			});
	}

	/** The read to make next: the first page, then a reload (it reads everything), a window, the figures. */
	private nextRead(): (() => Promise<void>) | undefined {
		if (!this.started) {
			this.started = true;
			return async () => this.readFirst();
		}

		if (this.wantReload) {
			this.wantReload = false;
			return async () => this.readPage();
		}

		const want = this.wantWindow;
		this.wantWindow = null;
		const {page} = this;
		const {counts} = page;
		if (want !== null && counts !== null && !this.holds(page, want.position, reachOf(want.margin))) {
			const {from, to} = windowAround(want.position, counts.total, windowSize(want.margin));
			const key = `${page.version} ${from} ${to}`;
			if (key !== this.lastWindow) {
				this.lastWindow = key;
				return async () => this.readWindow(page, counts, from, to);
			}
		}

		const nowMs = this.wantFigures;
		this.wantFigures = null;
		if (nowMs !== null && this.page.counts !== null) {
			return async () => this.readFigures(this.page, nowMs);
		}

		return undefined;
	}

	/** Whether the screen still asks for the filter and sort a read was made for. */
	private stillAsked(query: ListingQuery): boolean {
		const now = this.query();
		return now.filter === query.filter && now.sort === query.sort;
	}

	private async readFirst(): Promise<void> {
		const query = this.query();
		const listing = listingOf(query);
		const runs = await this.store.firstRuns(listing, FIRST_SCREEN_RUNS);
		if (!this.stillAsked(query)) {
			this.wantReload = true;
			return;
		}

		if (runs.length < FIRST_SCREEN_RUNS) {
			// A list that fits in a screenful is counted at once.
			const anchor = this.anchor();
			const page = await this.store.runPage(listing, anchor, WINDOW_ROWS);
			if (!this.stillAsked(query)) {
				this.wantReload = true;
				return;
			}

			this.commit(pageOf(query, listing, page, 0));
			return;
		}

		this.commit({...emptyPage(query), runs, loaded: true});
		// Counting the whole list follows once the first frame is on screen.
		setTimeout(() => this.reload(), 0);
	}

	private async readPage(): Promise<void> {
		const query = this.query();
		const listing = listingOf(query);
		const started = performance.now();
		const page = await this.store.runPage(listing, this.anchor(), WINDOW_ROWS);
		this.cost = performance.now() - started;
		if (!this.stillAsked(query)) {
			// Typed over: the filter now asked for gets its own read.
			this.wantReload = true;
			return;
		}

		this.commit(pageOf(query, listing, page, this.page.version + 1));
	}

	private async readWindow(page: PageState, counts: RunCounts, from: number, to: number): Promise<void> {
		const runs = await this.store.runsBetween(page.listing, counts, from, to);
		if (this.page.version !== page.version || this.page.listing !== page.listing) {
			// A reload landed meanwhile: its rows are newer, these positions may not be theirs.
			return;
		}

		this.commit({...this.page, runs, offset: from, error: null});
	}

	private async readFigures(page: PageState, nowMs: number): Promise<void> {
		const figures = await this.store.runFigures({...page.listing, clock: {...page.listing.clock, nowMs}});
		const held = this.page;
		if (held.version !== page.version) {
			return;
		}

		if (figures.stuck !== held.stuck || !sameDay(figures.day, held.day)) {
			this.commit({...held, ...figures});
		}
	}
}
