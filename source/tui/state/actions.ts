import type {AnalyticsWindow, DiffBase, LogLevelFilter, Message, PromptKind, RunRef, RunTab, Selection} from './console-state.js';

export type ConsoleAction =
	/** `fromHome`: start from the runs list (the : commands), not on top of where you are. */
	/** `spanId`: open at that span (a diff row's step) instead of the root. */
	| {type: 'open-run'; run: RunRef; tab?: RunTab; fromHome?: boolean; spanId?: string}
	| {type: 'open-span'; spanId: string; spanName: string}
	/** The linked runs of the run on screen. */
	| {type: 'open-linked'}
	| {type: 'open-diff'; a: DiffBase; b: RunRef; fromHome?: boolean}
	/** Diff `run` against the marked run, or against its last success when nothing is marked. */
	| {type: 'diff-against-mark'; run: RunRef}
	| {type: 'back'}
	| {type: 'home'}
	| {type: 'set-tab'; tab: RunTab}
	| {type: 'next-tab'}
	| {type: 'select'; selection: Selection}
	| {type: 'scroll'; to: number}
	| {type: 'toggle-help'}
	| {type: 'close-help'}
	| {type: 'help-scroll'; top: number}
	| {type: 'prompt-open'; kind: PromptKind}
	| {type: 'prompt-input'; text: string}
	| {type: 'prompt-backspace'}
	| {type: 'prompt-cancel'}
	/** ↑ (-1, older) or ↓ (1, newer) through the prompt's history. */
	| {type: 'prompt-history'; step: -1 | 1}
	/** Set (or, with '', clear) the runs list's search. */
	| {type: 'set-search'; text: string}
	/** Span detail: the selected line, and the first line in view. */
	| {type: 'span-cursor'; cursor: number; scroll: number}
	| {type: 'prompt-submit'}
	| {type: 'clear-filter'}
	/** Apply a saved filter (`:f name`) to the runs list. */
	| {type: 'set-filter'; filter: string}
	| {type: 'cycle-sort'}
	| {type: 'mark'; run: RunRef}
	| {type: 'expand'; ids: readonly string[]}
	| {type: 'collapse'; id: string}
	/** Select a span and make it visible: its ancestors expand. */
	| {type: 'reveal'; spanId: string; path: readonly string[]}
	| {type: 'toggle-critical'}
	| {type: 'toggle-pause'; eventsSeen: number}
	| {type: 'pause'; eventsSeen: number}
	/** The trace grew while following: select the newest span unless paused. */
	| {type: 'follow'; spanId: string; path: readonly string[]}
	| {type: 'toggle-data'}
	| {type: 'message'; message: Message | null}
	/** The analytics screen (`fromHome`: from the runs list, as `:analyze` does); on it, another window. */
	| {type: 'open-analytics'; fromHome?: boolean}
	| {type: 'set-window'; window: AnalyticsWindow}
	/** The runs of the analytics screen's selected failure point. */
	| {type: 'open-failure-runs'; path: string}
	/** The next level filter (all → warn → error → all), or the one named. */
	| {type: 'cycle-level'}
	| {type: 'set-level'; level: LogLevelFilter};
