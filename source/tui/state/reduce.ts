import type {ConsoleAction} from './actions.js';
import {currentView, EMPTY_SELECTION, HISTORY_SIZE, LOG_LEVEL_FILTERS, runView, RUN_TABS, SORT_KEYS, type ConsoleState, type PromptKind, type RunView, type View} from './console-state.js';

function replaceTop(state: ConsoleState, view: View): ConsoleState {
	return {...state, stack: [...state.stack.slice(0, -1), view]};
}

function push(state: ConsoleState, view: View): ConsoleState {
	return {...state, stack: [...state.stack, view], help: false, message: null};
}

function home(state: ConsoleState): ConsoleState {
	return state.stack.length === 1 && !state.help ? state : {...state, stack: state.stack.slice(0, 1), help: false};
}

function updateRunView(state: ConsoleState, update: (view: RunView) => RunView): ConsoleState {
	const view = currentView(state);
	return view.screen === 'run' ? replaceTop(state, update(view)) : state;
}

function withExpanded(view: RunView, ids: readonly string[]): RunView {
	if (ids.length === 0) {
		return view;
	}

	const expanded = new Set(view.expanded);
	const collapsed = new Set(view.collapsed);
	for (const id of ids) {
		expanded.add(id);
		collapsed.delete(id);
	}

	return {...view, expanded, collapsed};
}

/** The console's screen state as a pure function of actions: no I/O, no ink. */
export function reduce(state: ConsoleState, action: ConsoleAction): ConsoleState {
	const view = currentView(state);
	switch (action.type) {
		case 'open-run': {
			const opened = runView(action.run, action.tab);
			return push(action.fromHome ? home(state) : state, action.spanId === undefined ? opened : {...opened, selection: {index: 0, key: action.spanId}});
		}

		case 'open-span': {
			if (view.screen !== 'run') {
				return state;
			}

			return push(state, {screen: 'span', run: view.run, spanId: action.spanId, spanName: action.spanName, scroll: 0, cursor: 0, expandData: false});
		}

		case 'open-linked': {
			return view.screen === 'run' ? push(state, {screen: 'linked', run: view.run, selection: EMPTY_SELECTION}) : state;
		}

		case 'open-diff': {
			return push(action.fromHome ? home(state) : state, {screen: 'diff', a: action.a, b: action.b, selection: {index: 0, key: null}});
		}

		case 'diff-against-mark': {
			if (state.mark === null) {
				return push(state, {screen: 'diff', a: 'last-success', b: action.run, selection: {index: 0, key: null}});
			}

			if (state.mark.traceId === action.run.traceId) {
				return {...state, message: {level: 'error', text: 'this is the marked run: select another run to diff against it'}};
			}

			return push(state, {screen: 'diff', a: state.mark, b: action.run, selection: {index: 0, key: null}});
		}

		case 'back': {
			if (view.screen === 'run' && view.tab !== 'trace') {
				return replaceTop(state, {...view, tab: 'trace'});
			}

			return state.stack.length > 1 ? {...state, stack: state.stack.slice(0, -1), message: null} : state;
		}

		case 'home': {
			return home(state);
		}

		case 'set-tab': {
			return updateRunView(state, v => ({...v, tab: action.tab}));
		}

		case 'next-tab': {
			return updateRunView(state, v => ({...v, tab: RUN_TABS[(RUN_TABS.indexOf(v.tab) + 1) % RUN_TABS.length]!}));
		}

		case 'select': {
			if (view.screen === 'run') {
				const field = view.tab === 'trace' ? 'selection' : view.tab === 'compensations' ? 'compensationSelection' : 'decisionSelection';
				return replaceTop(state, {...view, [field]: action.selection});
			}

			if (view.screen === 'runs' || view.screen === 'diff' || view.screen === 'linked' || view.screen === 'analytics' || view.screen === 'failure-runs') {
				return replaceTop(state, {...view, selection: action.selection});
			}

			return state;
		}

		case 'scroll': {
			return view.screen === 'span' ? replaceTop(state, {...view, scroll: Math.max(0, action.to)}) : state;
		}

		case 'toggle-help': {
			return {...state, help: !state.help, helpTop: 0};
		}

		case 'close-help': {
			return {...state, help: false};
		}

		case 'help-scroll': {
			return state.help && state.helpTop !== action.top ? {...state, helpTop: action.top} : state;
		}

		case 'prompt-open': {
			const previous = action.kind === 'filter' && view.screen === 'runs' ? view.filter : action.kind === 'search' && (view.screen === 'run' || view.screen === 'runs') ? view.search : '';
			// Every prompt opens empty, as less and vim do (editing what was there appended to it unseen);
			// the filter in force is the latest entry of its history, so ↑ gives it back to edit.
			const history = action.kind === 'filter' && previous !== '' ? remember(state, 'filter', previous) : state.history;
			return {...state, help: false, message: null, history, prompt: {kind: action.kind, text: '', previous, recall: null, draft: ''}};
		}

		case 'prompt-input':
		case 'prompt-backspace': {
			if (state.prompt === null) {
				return state;
			}

			const text = action.type === 'prompt-input' ? state.prompt.text + action.text.replace(/[\u0000-\u001f\u007f]/g, '') : [...state.prompt.text].slice(0, -1).join('');
			const next = {...state, prompt: {...state.prompt, text, recall: null}};
			return liveApply(next, text);
		}

		case 'prompt-cancel': {
			if (state.prompt === null) {
				return state;
			}

			const restored = liveApply(state, state.prompt.previous);
			return {...restored, prompt: null};
		}

		case 'prompt-submit': {
			if (state.prompt === null) {
				return state;
			}

			const {kind, text} = state.prompt;
			if (text === '') {
				// An empty search repeats the last one (less and vim); otherwise what is shown stays.
				const last = kind === 'search' ? state.history.search.at(-1) : undefined;
				return {...(last === undefined ? state : liveApply(state, last)), prompt: null};
			}

			return {...state, prompt: null, history: remember(state, kind, text)};
		}

		case 'prompt-history': {
			const {prompt} = state;
			if (prompt === null) {
				return state;
			}

			const entries = state.history[prompt.kind];
			const recall = (prompt.recall ?? -1) - action.step;
			if (recall >= entries.length || (prompt.recall === null && action.step === 1)) {
				return state;
			}

			const text = recall < 0 ? prompt.draft : entries[entries.length - 1 - recall]!;
			const draft = prompt.recall === null ? prompt.text : prompt.draft;
			return liveApply({...state, prompt: {...prompt, text, draft, recall: recall < 0 ? null : recall}}, text);
		}

		case 'set-search': {
			return view.screen === 'runs' ? replaceTop(state, {...view, search: action.text}) : state;
		}

		case 'span-cursor': {
			return view.screen === 'span' ? replaceTop(state, {...view, cursor: Math.max(0, action.cursor), scroll: Math.max(0, action.scroll)}) : state;
		}

		case 'clear-filter': {
			return view.screen === 'runs' ? replaceTop(state, {...view, filter: ''}) : state;
		}

		case 'set-filter': {
			return view.screen === 'runs' ? replaceTop(state, {...view, filter: action.filter, selection: {index: 0, key: null}}) : state;
		}

		case 'cycle-sort': {
			if (view.screen !== 'runs') {
				return state;
			}

			const sort = SORT_KEYS[(SORT_KEYS.indexOf(view.sort) + 1) % SORT_KEYS.length]!;
			return replaceTop(state, {...view, sort});
		}

		case 'mark': {
			if (state.mark?.traceId === action.run.traceId) {
				return {...state, mark: null, message: {level: 'info', text: `unmarked ${action.run.runId}`}};
			}

			return {...state, mark: action.run, message: {level: 'info', text: `marked ${action.run.runId}: select another run and press d to diff`}};
		}

		case 'expand': {
			return updateRunView(state, v => withExpanded(v, action.ids));
		}

		case 'collapse': {
			return updateRunView(state, v => {
				const expanded = new Set(v.expanded);
				const collapsed = new Set(v.collapsed);
				expanded.delete(action.id);
				collapsed.add(action.id);
				return {...v, expanded, collapsed};
			});
		}

		case 'reveal': {
			return updateRunView(state, v => ({
				...withExpanded(
					v,
					action.path.filter(id => id !== action.spanId),
				),
				tab: 'trace',
				selection: {index: v.selection.index, key: action.spanId},
			}));
		}

		case 'toggle-critical': {
			return updateRunView(state, v => ({...v, critical: !v.critical}));
		}

		case 'toggle-pause': {
			return updateRunView(state, v => (v.paused ? {...v, paused: false} : {...v, paused: true, pausedAt: action.eventsSeen}));
		}

		case 'pause': {
			return updateRunView(state, v => (v.paused ? v : {...v, paused: true, pausedAt: action.eventsSeen}));
		}

		case 'follow': {
			return updateRunView(state, v => {
				if (v.paused || (v.selection.key === action.spanId && action.path.every(id => id === action.spanId || v.expanded.has(id)))) {
					return v;
				}

				return {
					...withExpanded(
						v,
						action.path.filter(id => id !== action.spanId),
					),
					selection: {index: v.selection.index, key: action.spanId},
				};
			});
		}

		case 'toggle-data': {
			return view.screen === 'span' ? replaceTop(state, {...view, expandData: !view.expandData}) : state;
		}

		case 'message': {
			return {...state, message: action.message};
		}

		case 'open-analytics': {
			const from = action.fromHome ? home(state) : state;
			const top = currentView(from);
			return top.screen === 'analytics' ? from : push(from, {screen: 'analytics', window: '24h', selection: EMPTY_SELECTION});
		}

		case 'set-window': {
			return view.screen === 'analytics' && view.window !== action.window ? replaceTop(state, {...view, window: action.window, selection: EMPTY_SELECTION}) : state;
		}

		case 'open-failure-runs': {
			return view.screen === 'analytics' ? push(state, {screen: 'failure-runs', window: view.window, path: action.path, selection: EMPTY_SELECTION}) : state;
		}

		case 'cycle-level': {
			const level = LOG_LEVEL_FILTERS[(LOG_LEVEL_FILTERS.indexOf(state.level) + 1) % LOG_LEVEL_FILTERS.length]!;
			return {...state, level, message: {level: 'info', text: level === 'info' ? 'showing every log line' : `showing ${level === 'warn' ? 'warnings and errors' : 'errors'} only (v: next level)`}};
		}

		case 'set-level': {
			return {...state, level: action.level};
		}
	}
}

/** The filter and the find apply as they are typed. */
function liveApply(state: ConsoleState, text: string): ConsoleState {
	const view = currentView(state);
	if (state.prompt?.kind === 'filter' && view.screen === 'runs') {
		return replaceTop(state, {...view, filter: text, selection: {index: 0, key: null}});
	}

	if (state.prompt?.kind === 'search' && (view.screen === 'run' || view.screen === 'runs')) {
		return replaceTop(state, {...view, search: text});
	}

	return state;
}

/** The history of a prompt with `text` as its latest entry (once: an earlier copy moves up). */
function remember(state: ConsoleState, kind: PromptKind, text: string): ConsoleState['history'] {
	const entries = state.history[kind];
	if (entries.at(-1) === text) {
		return state.history;
	}

	return {...state.history, [kind]: [...entries.filter(entry => entry !== text), text].slice(-HISTORY_SIZE)};
}
