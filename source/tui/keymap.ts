import type {Key} from 'ink';

/**
 * The one keymap. Input handling (useKeymap) and the help overlay and footer
 * are all generated from BINDINGS, so a key cannot be handled without being
 * documented, nor documented without being handled.
 */
export type ScreenKind = 'runs' | 'trace' | 'compensations' | 'decisions' | 'span' | 'diff' | 'linked' | 'analytics' | 'failure-runs';

export type ActionName =
	| 'up'
	| 'down'
	| 'pageUp'
	| 'pageDown'
	| 'top'
	| 'bottom'
	| 'open'
	| 'expand'
	| 'collapse'
	| 'back'
	| 'quit'
	| 'help'
	| 'command'
	| 'filter'
	| 'clearFilter'
	| 'search'
	| 'nextMatch'
	| 'prevMatch'
	| 'copy'
	| 'pager'
	| 'pagerSpan'
	| 'sort'
	| 'mark'
	| 'diff'
	| 'failure'
	| 'critical'
	| 'pause'
	| 'trace'
	| 'compensations'
	| 'decisions'
	| 'nextTab'
	| 'linked'
	| 'expandData'
	| 'analytics'
	| 'window1h'
	| 'window24h'
	| 'window7d'
	| 'window30d'
	| 'level';

type SpecialKey = 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'tab';

export interface KeySpec {
	/** A printable key, matched exactly ("j", "G", " "). */
	input?: string;
	special?: SpecialKey;
	ctrl?: boolean;
}

export interface Binding {
	action: ActionName;
	keys: readonly KeySpec[];
	/** How the help overlay writes the keys. */
	label: string;
	help: string;
	/** Where the binding works; 'global' means every screen. */
	scope: 'global' | readonly ScreenKind[];
	/** Short text for the footer; absent: help overlay only. Lower `rank` shows first. */
	footer?: string;
	rank?: number;
}

// Kept as literal tuples (`as const`), so that the compiler knows which actions each screen binds.
const RUN_TABS = ['trace', 'compensations', 'decisions'] as const satisfies readonly ScreenKind[];
const LISTS = ['runs', 'trace', 'compensations', 'decisions', 'span', 'diff', 'linked', 'analytics', 'failure-runs'] as const satisfies readonly ScreenKind[];
const NOT_RUNS = ['trace', 'compensations', 'decisions', 'span', 'diff', 'linked', 'analytics', 'failure-runs'] as const satisfies readonly ScreenKind[];

const BINDING_TABLE = [
	{action: 'down', keys: [{input: 'j'}, {special: 'downArrow'}], label: 'j ↓', help: 'move down', scope: LISTS},
	{action: 'up', keys: [{input: 'k'}, {special: 'upArrow'}], label: 'k ↑', help: 'move up', scope: LISTS},
	{action: 'top', keys: [{input: 'g'}, {special: 'home'}], label: 'g', help: 'go to the top', scope: LISTS},
	{action: 'bottom', keys: [{input: 'G'}, {special: 'end'}], label: 'G', help: 'go to the bottom', scope: LISTS},
	{action: 'pageDown', keys: [{special: 'pageDown'}, {input: 'd', ctrl: true}], label: 'PgDn ^d', help: 'page down', scope: LISTS},
	{action: 'pageUp', keys: [{special: 'pageUp'}, {input: 'u', ctrl: true}], label: 'PgUp ^u', help: 'page up', scope: LISTS},
	{action: 'open', keys: [{special: 'return'}], label: 'enter', help: 'open the run', scope: ['runs', 'linked', 'failure-runs'], footer: 'open', rank: 1},
	{action: 'open', keys: [{special: 'return'}], label: 'enter', help: "list the failure point's runs", scope: ['analytics'], footer: 'its runs', rank: 1},
	// Question 5 one key from launch: A (or tab) from the runs list; digits pick the window, as `runs analyze --since` would.
	{action: 'analytics', keys: [{input: 'A'}, {special: 'tab'}], label: 'A tab', help: 'analytics: what failed, where', scope: ['runs'], footer: 'analytics', rank: 2},
	{action: 'back', keys: [{special: 'tab'}], label: 'tab', help: 'back to the runs tab', scope: ['analytics']},
	{action: 'window1h', keys: [{input: '1'}], label: '1', help: 'window: last hour', scope: ['analytics'], footer: '1h', rank: 2},
	{action: 'window24h', keys: [{input: '2'}], label: '2', help: 'window: last 24 hours', scope: ['analytics'], footer: '24h', rank: 2},
	{action: 'window7d', keys: [{input: '3'}], label: '3', help: 'window: last 7 days', scope: ['analytics'], footer: '7d', rank: 2},
	{action: 'window30d', keys: [{input: '4'}], label: '4', help: 'window: last 30 days', scope: ['analytics'], footer: '30d', rank: 2},
	{action: 'level', keys: [{input: 'v'}], label: 'v', help: 'log lines shown: all, warn+, error', scope: ['trace', 'span'], footer: 'level', rank: 8},
	{action: 'open', keys: [{special: 'return'}], label: 'enter', help: 'open the step in its run (B, else A)', scope: ['diff'], footer: 'open', rank: 1},
	{action: 'open', keys: [{special: 'return'}], label: 'enter', help: 'expand, or open span detail', scope: ['trace'], footer: 'open', rank: 6},
	{action: 'open', keys: [{special: 'return'}], label: 'enter', help: 'open the span detail', scope: ['compensations', 'decisions'], footer: 'detail', rank: 4},
	{action: 'expand', keys: [{special: 'rightArrow'}, {input: 'l'}], label: '→ l', help: 'expand (again: first child)', scope: ['trace'], footer: 'expand', rank: 7},
	{action: 'collapse', keys: [{special: 'leftArrow'}, {input: 'h'}], label: '← h', help: 'collapse (again: parent)', scope: ['trace'], footer: 'collapse', rank: 7},
	{action: 'failure', keys: [{input: 'f'}], label: 'f', help: 'jump to the root cause', scope: ['trace'], footer: 'failure', rank: 1},
	{action: 'critical', keys: [{input: 'c'}], label: 'c', help: 'critical path on/off', scope: ['trace'], footer: 'critical', rank: 2},
	{action: 'pause', keys: [{input: ' '}], label: 'space', help: 'pause/resume following', scope: ['trace'], footer: 'pause', rank: 4},
	{action: 'search', keys: [{input: '/'}], label: '/', help: 'search span names', scope: ['trace'], footer: 'search', rank: 8},
	{action: 'search', keys: [{input: '/'}], label: '/', help: 'search the rows read', scope: ['runs'], footer: 'search', rank: 2},
	{action: 'nextMatch', keys: [{input: 'n'}], label: 'n', help: 'next match (wraps)', scope: ['trace', 'runs']},
	{action: 'prevMatch', keys: [{input: 'N'}], label: 'N', help: 'previous match (wraps)', scope: ['trace', 'runs']},
	{action: 'trace', keys: [{input: 't'}], label: 't', help: 'trace tab', scope: ['compensations', 'decisions'], footer: 'trace', rank: 3},
	{action: 'compensations', keys: [{input: 'C'}], label: 'C', help: 'compensations tab (saga)', scope: RUN_TABS, footer: 'comp', rank: 3},
	{action: 'decisions', keys: [{input: 'a'}], label: 'a', help: 'AI decisions tab', scope: RUN_TABS, footer: 'ai', rank: 3},
	{action: 'nextTab', keys: [{special: 'tab'}], label: 'tab', help: 'next tab', scope: RUN_TABS},
	{action: 'linked', keys: [{input: 'L'}], label: 'L', help: 'linked runs: parent, children, correlated', scope: RUN_TABS, footer: 'linked', rank: 7},
	{action: 'expandData', keys: [{input: 'e'}], label: 'e', help: 'all data / shortened', scope: ['span'], footer: 'expand data', rank: 1},
	{action: 'copy', keys: [{input: 'y'}], label: 'y', help: 'copy the value (OSC 52)', scope: ['span'], footer: 'copy', rank: 2},
	{action: 'pager', keys: [{input: 'o'}], label: 'o', help: 'value (else span) in $PAGER', scope: ['span'], footer: 'pager', rank: 2},
	{action: 'pagerSpan', keys: [{input: 'O'}], label: 'O', help: 'the span as JSON in $PAGER', scope: ['span']},
	{action: 'copy', keys: [{input: 'y'}], label: 'y', help: 'copy the run id (OSC 52)', scope: ['runs'], footer: 'copy', rank: 7},
	// `/` searches here as on every screen (less, vim); the filter, which asks the whole index, is `f`.
	{action: 'filter', keys: [{input: 'f'}], label: 'f', help: 'filter the whole index (below)', scope: ['runs'], footer: 'filter', rank: 2},
	{action: 'clearFilter', keys: [{special: 'escape'}], label: 'esc', help: 'clear search, then filter', scope: ['runs']},
	{action: 'sort', keys: [{input: 's'}], label: 's', help: 'sort: started/duration/status', scope: ['runs'], footer: 'sort', rank: 3},
	{action: 'mark', keys: [{input: 'm'}], label: 'm', help: 'mark this run for a diff', scope: ['runs', 'trace'], footer: 'mark', rank: 6},
	{action: 'diff', keys: [{input: 'd'}], label: 'd', help: 'diff: mark or last success', scope: ['runs', 'trace'], footer: 'diff', rank: 6},
	// DESIGN: `esc` goes back, `q` quits, on every screen alike.
	{action: 'quit', keys: [{input: 'q'}], label: 'q', help: 'quit', scope: 'global', footer: 'quit', rank: 9},
	{action: 'back', keys: [{special: 'escape'}], label: 'esc', help: 'go back', scope: NOT_RUNS, footer: 'back', rank: 5},
	{action: 'help', keys: [{input: '?'}], label: '?', help: 'this help', scope: 'global', footer: 'help', rank: 8},
	{action: 'command', keys: [{input: ':'}], label: ':', help: 'command line (below)', scope: 'global'},
	{action: 'quit', keys: [{input: 'c', ctrl: true}], label: '^c', help: 'quit from anywhere', scope: 'global'},
] as const satisfies readonly Binding[];

export const BINDINGS: readonly Binding[] = BINDING_TABLE;

// analytics and level change what the App reads and shows, whichever screen asks: the App handles them too.
const GLOBAL_ACTION_NAMES = ['help', 'command', 'quit', 'back', 'analytics', 'level'] as const satisfies readonly ActionName[];

/** Actions the App handles itself, whatever the screen. */
export type GlobalAction = (typeof GLOBAL_ACTION_NAMES)[number];
const GLOBAL_ACTIONS: ReadonlySet<ActionName> = new Set(GLOBAL_ACTION_NAMES);

export function isGlobalAction(action: ActionName): action is GlobalAction {
	return GLOBAL_ACTIONS.has(action);
}

/** The actions a binding in BINDINGS gives screen S ('global' ones give every screen). */
type BoundOn<B, S extends ScreenKind> = B extends {action: infer A; scope: infer Scope} ? (Scope extends 'global' ? A : Scope extends readonly ScreenKind[] ? (S extends Scope[number] ? A : never) : never) : never;

/**
 * The actions screen S must handle: every one BINDINGS binds on it, less
 * those the App handles itself. useKeymap asks for a handler for each, so a
 * binding added without its handler does not compile.
 */
export type ScreenAction<S extends ScreenKind> = Exclude<BoundOn<(typeof BINDING_TABLE)[number], S>, GlobalAction>;

/** What a screen gives useKeymap: one handler for each of its actions, no more, no fewer. */
export type ScreenHandlers<S extends ScreenKind> = {readonly [A in ScreenAction<S>]: () => void};

/** ScreenAction<S> at run time, for tests and tools. */
export function screenActions(screen: ScreenKind): ActionName[] {
	return [...new Set(bindingsFor(screen).map(b => b.action))].filter(action => !isGlobalAction(action));
}

export interface CommandHelp {
	usage: string;
	help: string;
}

export const CONSOLE_COMMANDS: readonly CommandHelp[] = [
	{usage: ':run <id>', help: 'open a run by id/prefix'},
	{usage: ':diff <a> <b>', help: 'diff two runs'},
	{usage: ':runs', help: 'back to the runs list'},
	{usage: ':analyze 24h', help: 'analytics (1h 24h 7d 30d)'},
	{usage: ':level warn', help: 'log lines: all, warn, error'},
	{usage: ':save <name>', help: 'save the runs filter (config file)'},
	{usage: ':f [name]', help: 'apply a saved filter; alone, list them'},
	{usage: ':q', help: 'quit'},
];

/** Keys of the one-line editor (search, filter, command). */
export const PROMPT_KEYS: readonly CommandHelp[] = [
	{usage: 'enter', help: 'apply (empty /: the last)'},
	{usage: 'esc', help: 'cancel'},
	{usage: '↑ ↓', help: 'earlier entries'},
	{usage: 'backspace', help: 'delete a character'},
];

/** The runs filter's words, for the help. */
export const FILTER_SYNTAX: readonly CommandHelp[] = [
	{usage: 'status:', help: 'failed running stuck ok'},
	{usage: 'env: target:', help: 'e.g. env:prod target:api'},
	{usage: 'user: branch:', help: 'who ran it, git branch'},
	{usage: 'words', help: 'match id, name, step'},
];

function inScope(binding: Binding, screen: ScreenKind): boolean {
	return binding.scope === 'global' || binding.scope.includes(screen);
}

function matches(spec: KeySpec, input: string, key: Key): boolean {
	if (spec.special !== undefined) {
		return key[spec.special] && !(spec.ctrl === true && !key.ctrl);
	}

	if (spec.ctrl === true) {
		return key.ctrl && input === spec.input;
	}

	return !key.ctrl && !key.meta && input === spec.input;
}

/** The action a key means on a screen, screen bindings first. */
export function resolveAction(screen: ScreenKind, input: string, key: Key): ActionName | undefined {
	for (const binding of BINDINGS) {
		if (inScope(binding, screen) && binding.keys.some(spec => matches(spec, input, key))) {
			return binding.action;
		}
	}

	return undefined;
}

export function bindingsFor(screen: ScreenKind): Binding[] {
	return BINDINGS.filter(binding => inScope(binding, screen));
}

export interface FooterHint {
	key: string;
	text: string;
}

/** The keys that matter on this screen, most important first. */
export function footerHints(screen: ScreenKind): FooterHint[] {
	return bindingsFor(screen)
		.filter(binding => binding.footer !== undefined)
		.sort((a, b) => (a.rank ?? 5) - (b.rank ?? 5))
		.map(binding => ({key: binding.label.split(' ')[0]!, text: binding.footer!}));
}

/** A Key with nothing pressed, for building keys in tests and tools. */
export function noKey(overrides: Partial<Key> = {}): Key {
	return {
		upArrow: false,
		downArrow: false,
		leftArrow: false,
		rightArrow: false,
		pageDown: false,
		pageUp: false,
		home: false,
		end: false,
		return: false,
		escape: false,
		ctrl: false,
		shift: false,
		tab: false,
		backspace: false,
		delete: false,
		meta: false,
		super: false,
		hyper: false,
		capsLock: false,
		numLock: false,
		...overrides,
	};
}
