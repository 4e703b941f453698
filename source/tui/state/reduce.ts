import type {ConsoleAction} from './actions.js';
import {currentView, EMPTY_SELECTION, runView, RUN_TABS, SORT_KEYS, type ConsoleState, type RunView, type View} from './console-state.js';

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

			return push(state, {screen: 'span', run: view.run, spanId: action.spanId, spanName: action.spanName, scroll: 0, expandData: false});
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

			if (view.screen === 'runs' || view.screen === 'diff' || view.screen === 'linked') {
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
			const previous = action.kind === 'filter' && view.screen === 'runs' ? view.filter : action.kind === 'search' && view.screen === 'run' ? view.search : '';
			// The filter and find edit what is there; the command line starts empty.
			return {...state, help: false, message: null, prompt: {kind: action.kind, text: action.kind === 'command' ? '' : previous, previous}};
		}

		case 'prompt-input':
		case 'prompt-backspace': {
			if (state.prompt === null) {
				return state;
			}

			const text = action.type === 'prompt-input' ? state.prompt.text + action.text.replace(/[\u0000-\u001f\u007f]/g, '') : [...state.prompt.text].slice(0, -1).join('');
			const next = {...state, prompt: {...state.prompt, text}};
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
			return {...state, prompt: null};
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
	}
}

/** The filter and the find apply as they are typed. */
function liveApply(state: ConsoleState, text: string): ConsoleState {
	const view = currentView(state);
	if (state.prompt?.kind === 'filter' && view.screen === 'runs') {
		return replaceTop(state, {...view, filter: text, selection: {index: 0, key: null}});
	}

	if (state.prompt?.kind === 'search' && view.screen === 'run') {
		return replaceTop(state, {...view, search: text});
	}

	return state;
}
