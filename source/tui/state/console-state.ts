import type {ScreenKind} from '../keymap.js';

/** Enough of a run to name it in a breadcrumb and open it again. */
export interface RunRef {
	traceId: string;
	runId: string;
	name: string;
}

/** A list's selection: `key` (a stable id) wins over `index` when the key is still in the list. */
export interface Selection {
	index: number;
	key: string | null;
}

export type SortKey = 'started' | 'duration' | 'status';
export const SORT_KEYS: readonly SortKey[] = ['started', 'duration', 'status'];

export type RunTab = 'trace' | 'compensations' | 'decisions';
export const RUN_TABS: readonly RunTab[] = ['trace', 'compensations', 'decisions'];

export interface RunsView {
	screen: 'runs';
	selection: Selection;
	filter: string;
	sort: SortKey;
	/** The `/` search over the rows read: highlighted, n/N move between its matches. */
	search: string;
}

/** One run: a trace tree with a compensation and a decision tab beside it. */
export interface RunView {
	screen: 'run';
	run: RunRef;
	tab: RunTab;
	/** Selected span (key = span id). */
	selection: Selection;
	compensationSelection: Selection;
	decisionSelection: Selection;
	/** Explicit expand/collapse choices; the rest follow the default depth. */
	expanded: ReadonlySet<string>;
	collapsed: ReadonlySet<string>;
	critical: boolean;
	/** Following a running trace: the selection sticks to the newest span. */
	paused: boolean;
	/** `eventsSeen` of the trace when following paused: the "▼ N new" marker counts from here. */
	pausedAt: number;
	search: string;
}

export interface SpanView {
	screen: 'span';
	run: RunRef;
	spanId: string;
	spanName: string;
	scroll: number;
	/** The selected line of the page (y copies, o pages its value). */
	cursor: number;
	expandData: boolean;
}

/**
 * What B is compared with: a named run, or the last successful run of B's env
 * and target that started before B (looked up when the diff loads, so the
 * screen can say which run it picked, or that there is none).
 */
export type DiffBase = RunRef | 'last-success';

export interface DiffView {
	screen: 'diff';
	a: DiffBase;
	b: RunRef;
	selection: Selection;
}

/** The runs one run links to: its parent, the runs it started, and those sharing its correlation id. */
export interface LinkedView {
	screen: 'linked';
	run: RunRef;
	/** key = the selected run's trace id. */
	selection: Selection;
}

/** How far back the analytics screen looks: `runs analyze --since` with these words. */
export type AnalyticsWindow = '1h' | '24h' | '7d' | '30d';
export const ANALYTICS_WINDOWS: readonly AnalyticsWindow[] = ['1h', '24h', '7d', '30d'];

/** Question 5 on screen: the window's figures (runs analyze), over the runs list's env/target filter. */
export interface AnalyticsView {
	screen: 'analytics';
	window: AnalyticsWindow;
	/** The selected failure point (key = its step path). */
	selection: Selection;
}

/** The runs one failure point counts, in the analytics window it was opened from. */
export interface FailureRunsView {
	screen: 'failure-runs';
	window: AnalyticsWindow;
	path: string;
	/** key = the selected run's trace id. */
	selection: Selection;
}

export type View = RunsView | RunView | SpanView | DiffView | LinkedView | AnalyticsView | FailureRunsView;

export type PromptKind = 'filter' | 'search' | 'command';

export interface Prompt {
	kind: PromptKind;
	text: string;
	/** What to restore on cancel (the filter as it was). */
	previous: string;
	/** Which history entry ↑/↓ shows (0 = the latest); null while typing. */
	recall: number | null;
	/** What was typed before ↑, given back by ↓ past the latest entry. */
	draft: string;
}

/** What was entered at each prompt, oldest first, for ↑/↓; kept for the session. */
export type PromptHistory = Readonly<Record<PromptKind, readonly string[]>>;
export const HISTORY_SIZE = 100;

export interface Message {
	text: string;
	level: 'info' | 'error';
}

export interface ConsoleState {
	/** Navigation stack; the last view is on screen. Never empty: the runs list is at the bottom. */
	stack: View[];
	help: boolean;
	/** The first help line shown: the help scrolls where the terminal is too short for it. */
	helpTop: number;
	prompt: Prompt | null;
	/** The run marked for a diff. */
	mark: RunRef | null;
	message: Message | null;
	/** Which log and output lines show (`v` cycles): every line, warnings and errors, errors only. */
	level: LogLevelFilter;
	history: PromptHistory;
}

/** The console's level filter, named as `runs tail --level` names it ('info' shows all). */
export type LogLevelFilter = 'info' | 'warn' | 'error';
export const LOG_LEVEL_FILTERS: readonly LogLevelFilter[] = ['info', 'warn', 'error'];

export const EMPTY_SELECTION: Selection = {index: 0, key: null};

export function runsView(): RunsView {
	return {screen: 'runs', selection: EMPTY_SELECTION, filter: '', sort: 'started', search: ''};
}

export function runView(run: RunRef, tab: RunTab = 'trace'): RunView {
	return {
		screen: 'run',
		run,
		tab,
		selection: EMPTY_SELECTION,
		compensationSelection: EMPTY_SELECTION,
		decisionSelection: EMPTY_SELECTION,
		expanded: new Set(),
		collapsed: new Set(),
		critical: true,
		paused: false,
		pausedAt: 0,
		search: '',
	};
}

export function initialState(): ConsoleState {
	return {stack: [runsView()], help: false, helpTop: 0, prompt: null, mark: null, message: null, level: 'info', history: {filter: [], search: [], command: []}};
}

export function currentView(state: ConsoleState): View {
	return state.stack.at(-1)!;
}

/** The keymap's name for what is on screen. */
export function screenOf(view: View): ScreenKind {
	return view.screen === 'run' ? view.tab : view.screen;
}

/** The trace the screen on top is about, if any. */
export function traceOf(view: View): string | null {
	return view.screen === 'run' || view.screen === 'span' ? view.run.traceId : null;
}
