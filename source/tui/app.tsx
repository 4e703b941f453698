import {Box, useApp, type Key} from 'ink';
import type React from 'react';
import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {decisionOutcomes} from '../core/decisions.js';
import {isCompensation, isDecision} from '../core/step-kind.js';
import type {ChangeFeed} from '../live/change-feed.js';
import type {Store} from '../store/store.js';
import {PromptLine} from './components/prompt-line.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {Line} from './components/line.js';
import {LiveLines} from './components/live-lines.js';
import {RunBanner} from './components/run-banner.js';
import {StatusLine} from './components/status-line.js';
import {DEFAULT_STUCK_AFTER_MS, type InitialScreen} from './console-options.js';
import {useAnalytics} from './hooks/use-analytics.js';
import {useDecisionStats} from './hooks/use-decision-stats.js';
import {useDiff} from './hooks/use-diff.js';
import {KeymapContext, useLatestInput, type Registration} from './hooks/use-keymap.js';
import {useLinkedRuns} from './hooks/use-linked-runs.js';
import {useLiveStatus} from './hooks/use-live-status.js';
import {useNow} from './hooks/use-now.js';
import {useRuns} from './hooks/use-runs.js';
import {useStepLines} from './hooks/use-step-lines.js';
import {useSearchCount} from './hooks/use-search-count.js';
import {useTerminalActions, type TerminalIo} from './hooks/use-terminal-actions.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {readTraceHeadAhead, useTrace} from './hooks/use-trace.js';
import {useTraceModel, type TraceModel} from './hooks/use-trace-model.js';
import type {Span} from '../core/span.js';
import {isGlobalAction, resolveAction, type GlobalAction} from './keymap.js';
import {AnalyticsScreen} from './screens/analytics-screen.js';
import {CompensationScreen} from './screens/compensation-screen.js';
import {DecisionsScreen} from './screens/decisions-screen.js';
import {DiffScreen} from './screens/diff-screen.js';
import {FailureRunsScreen} from './screens/failure-runs-screen.js';
import {HelpOverlay, helpLayout, helpLines, type HelpLayout} from './screens/help-overlay.js';
import {LinkedScreen} from './screens/linked-screen.js';
import {refOf, RunsScreen} from './screens/runs-screen.js';
import {SpanDetail} from './screens/span-detail.js';
import {TraceScreen} from './screens/trace-screen.js';
import type {ConsoleAction} from './state/actions.js';
import {analyticsScope} from './state/analytics-scope.js';
import {parseConsoleCommand} from './state/console-command.js';
import {currentView, initialState, runsView, screenOf, traceOf, type ConsoleState, type RunsView, type View} from './state/console-state.js';
import {isMotion, moveIndex} from './state/list-motion.js';
import {reduce} from './state/reduce.js';
import {symbolsFor} from '../core/symbols.js';
import {wantsAscii, wantsColor, wantsHyperlinks} from '../core/terminal-env.js';
import type {ThemeRole} from '../core/theme-roles.js';
import {fitsMinSize, minSizeNote} from './min-size.js';
import {makePalette} from './palette.js';
import {clean, wrap, type Line as LineType} from './text.js';
import {UiContext, type Ui} from './ui-context.js';

export interface AppProps extends TerminalIo {
	/** The run index: the SQLite file or a shared PostgreSQL database; every read is awaited. */
	store: Store;
	feed: ChangeFeed;
	initial?: InitialScreen;
	/** Fix the size (tests); otherwise the terminal's, following resizes. */
	columns?: number;
	rows?: number;
	stuckAfterMs?: number;
	/** The tracedeck home: its artifacts hold the runs' plan.json for diffs. */
	home?: string;
	/** Default: from TRACEDECK_ASCII and the locale. */
	ascii?: boolean;
	/** Default: off when NO_COLOR is set. */
	color?: boolean;
	/** Clock tick for elapsed times and stuck runs; 0 freezes it. */
	tickMs?: number;
	/** How long live reloads wait to coalesce a burst of changes. */
	reloadMs?: number;
	/** The config file's [colors]: theme roles to colours (NO_COLOR still wins). */
	colors?: Readonly<Partial<Record<ThemeRole, string>>>;
	/** Draw links as OSC 8 hyperlinks. Default: core/terminal-env.ts wantsHyperlinks. */
	hyperlinks?: boolean;
	/** The config file's [links] templates, shown in span detail. */
	links?: Readonly<Record<string, string>>;
	/** The config file's saved runs filters (`:f name`). */
	filters?: Readonly<Record<string, string>>;
	/** Saves a filter (`:save name`) and gives the saved filters now; absent, :save says it cannot. */
	saveFilter?: (name: string, filter: string) => Readonly<Record<string, string>>;
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * The action that opens the console where it was asked to (a run, a diff),
 * once the store has resolved the runs named; an unknown run is a message.
 */
async function openingAction(store: Store, initial: InitialScreen | undefined): Promise<ConsoleAction | null> {
	try {
		if (initial?.screen === 'trace') {
			const found = await store.resolveRun(initial.run);
			// While the screen still says "opening": the trace screen then draws its rows at once.
			await readTraceHeadAhead(store, found.trace_id);
			return {type: 'open-run', run: refOf(found)};
		}

		if (initial?.screen === 'diff') {
			const a = initial.a === undefined ? 'last-success' : refOf(await store.resolveRun(initial.a));
			return {type: 'open-diff', a, b: refOf(await store.resolveRun(initial.b))};
		}
	} catch (error) {
		return {type: 'message', message: {level: 'error', text: errorText(error)}};
	}

	return null;
}

/**
 * The span whose output shows live: the selected span while it runs (not
 * the root, whose steps print), else the newest span while it runs (what
 * following sticks to).
 */
function liveSpanOf(model: TraceModel, selectedId: string | null): Span | null {
	const selected = selectedId === null ? undefined : model.tree.byId.get(selectedId);
	if (selected !== undefined && selected.end_ms === null && selected !== model.tree.root) {
		return selected;
	}

	return model.newest !== null && model.newest.end_ms === null && model.newest !== model.tree.root ? model.newest : null;
}

/** Rows for the live output strip in `height` rows: none where it would crowd out the screen above it. */
function liveRows(height: number): number {
	return height >= 14 ? 6 : height >= 9 ? 3 : 0;
}

/** The runs list's view: the bottom of the stack, whatever is on top of it. */
const NO_FILTERS: Readonly<Record<string, string>> = {};

function runsViewOf(state: ConsoleState): RunsView {
	const bottom = state.stack[0];
	return bottom?.screen === 'runs' ? bottom : runsView();
}

function crumbsOf(stack: readonly View[]): string[] {
	const crumbs: string[] = [];
	for (const view of stack) {
		switch (view.screen) {
			case 'runs': {
				crumbs.push(view.filter === '' ? 'runs' : `runs [${clean(view.filter)}]`);
				break;
			}

			case 'run': {
				crumbs.push(`${clean(view.run.name)} ${clean(view.run.runId)}`, view.tab);
				break;
			}

			case 'span': {
				crumbs.push(clean(view.spanName));
				break;
			}

			case 'linked': {
				crumbs.push('linked');
				break;
			}

			case 'analytics': {
				crumbs.push(`analytics ${view.window}`);
				break;
			}

			case 'failure-runs': {
				crumbs.push(`failed at ${clean(view.path)}`);
				break;
			}

			case 'diff': {
				crumbs.push(`diff ${view.a === 'last-success' ? 'last-success' : clean(view.a.runId)} ${clean(view.b.runId)}`);
				break;
			}
		}
	}

	return crumbs;
}

/**
 * The console: one reducer for screen state, hooks for the run index and
 * the live feed, and the screen on top of the navigation stack.
 */
export function App({store, feed, initial, columns, rows, stuckAfterMs = DEFAULT_STUCK_AFTER_MS, home, ascii, color, tickMs = 1000, reloadMs, colors, hyperlinks, links, filters: configFilters = NO_FILTERS, saveFilter, writeTerminal, pager}: AppProps): React.JSX.Element {
	const {exit} = useApp();
	const size = useTerminalSize({columns, rows});
	const ui = useMemo<Ui>(() => {
		const isAscii = ascii ?? wantsAscii(process.env);
		return {symbols: symbolsFor(isAscii), ascii: isAscii, color: color ?? wantsColor(process.env), palette: makePalette(colors), hyperlinks: hyperlinks ?? wantsHyperlinks(process.env)};
	}, [ascii, color, colors, hyperlinks]);
	const [filters, setFilters] = useState(configFilters);
	// The reducer runs here, not inside React: a key handler sees the state the
	// previous key left even before React has rendered it, and knows whether
	// its key changed anything (the key queue waits for that render).
	const [state, setState] = useState<ConsoleState>(initialState);
	const stateRef = useRef(state);
	const changed = useRef(false);
	const run = useCallback((action: ConsoleAction): void => {
		const next = reduce(stateRef.current, action);
		if (next !== stateRef.current) {
			stateRef.current = next;
			changed.current = true;
			setState(next);
		}
	}, []);
	// The screen asked for opens once its runs are resolved (the store answers later); until then the
	// body says what it is opening, so that no key lands on the runs list underneath.
	const [opening, setOpening] = useState(initial?.screen === 'trace' || initial?.screen === 'diff');
	// biome-ignore lint/correctness/useExhaustiveDependencies: where the console opens is read once, when it starts
	useEffect(() => {
		let current = true;
		void openingAction(store, initial).then(action => {
			if (current) {
				if (action !== null) {
					run(action);
				}

				setOpening(false);
			}
		});
		return () => {
			current = false;
		};
	}, [store]);
	const terminal = useTerminalActions(run, {writeTerminal, pager});
	const live = useLiveStatus(feed);
	const list = runsViewOf(state);
	const view = currentView(state);
	const screen = screenOf(view);
	const trace = useTrace(store, feed, traceOf(view), reloadMs);
	const model = useTraceModel(trace);
	// A run's screens move with the clock only while it runs (elapsed times, open spans' bars); the others show ages.
	const onRun = view.screen === 'run' || view.screen === 'span';
	const nowMs = useNow(tickMs, Date.now, !onRun || trace.run?.status === 'running' || model.hasOpenSpans);
	const runs = useRuns(store, feed, reloadMs, {filter: list.filter, sort: list.sort, selection: list.selection, nowMs, stuckAfterMs});
	const searchCount = useSearchCount(view, runs, model.tree);
	const onDecisions = view.screen === 'run' && view.tab === 'decisions';
	const decisions = useMemo(() => (onDecisions ? decisionOutcomes(model.tree, trace.run?.status) : null), [onDecisions, model.tree, trace.run?.status]);
	const stats = useDecisionStats(store, trace.run, decisions);
	const linkedTrace = view.screen === 'run' || view.screen === 'linked' ? view.run.traceId : null;
	const linked = useLinkedRuns(store, linkedTrace, trace.version, runs.version);
	const diff = useDiff(store, feed, view.screen === 'diff' ? view.a : null, view.screen === 'diff' ? view.b.traceId : null, home);
	const liveSpan = view.screen === 'run' && view.tab === 'trace' ? liveSpanOf(model, view.selection.key) : view.screen === 'span' ? liveSpanOf(model, view.spanId) : null;
	const stepLines = useStepLines(store, traceOf(view), liveSpan?.span_id ?? null, trace.version);
	const onAnalytics = view.screen === 'analytics' || view.screen === 'failure-runs';
	const analyticsWindow = view.screen === 'analytics' || view.screen === 'failure-runs' ? view.window : null;
	const scope = useMemo(() => (analyticsWindow === null ? null : analyticsScope(analyticsWindow, list.filter)), [analyticsWindow, list.filter]);
	const analytics = useAnalytics(store, scope, runs.version);
	const tabCounts = useMemo(() => {
		let compensations = 0;
		let choices = 0;
		for (const span of trace.spans) {
			compensations += isCompensation(span) ? 1 : 0;
			choices += isDecision(span) ? 1 : 0;
		}

		return {compensations: String(compensations), decisions: String(choices)};
	}, [trace.spans]);

	const failed = (error: unknown): void => {
		run({type: 'message', message: {level: 'error', text: errorText(error)}});
	};

	const runCommand = (text: string): void => {
		const command = parseConsoleCommand(text);
		switch (command.kind) {
			case 'quit': {
				exit();
				return;
			}

			case 'run': {
				store.resolveRun(command.ref).then(found => run({type: 'open-run', run: refOf(found), fromHome: true}), failed);
				return;
			}

			case 'diff': {
				Promise.all([store.resolveRun(command.a), store.resolveRun(command.b)]).then(([a, b]) => run({type: 'open-diff', a: refOf(a), b: refOf(b), fromHome: true}), failed);
				return;
			}

			case 'runs': {
				run({type: 'home'});
				return;
			}

			case 'analyze': {
				run({type: 'open-analytics', fromHome: true});
				if (command.window !== null) {
					run({type: 'set-window', window: command.window});
				}

				return;
			}

			case 'level': {
				run(command.level === null ? {type: 'cycle-level'} : {type: 'set-level', level: command.level});
				return;
			}

			case 'help': {
				run({type: 'toggle-help'});
				return;
			}

			case 'save-filter': {
				const {filter} = runsViewOf(stateRef.current);
				if (filter.trim() === '') {
					run({type: 'message', message: {level: 'error', text: 'no runs filter to save; set one with / first'}});
				} else if (!saveFilter) {
					run({type: 'message', message: {level: 'error', text: 'filters cannot be saved here (no config file)'}});
				} else {
					try {
						setFilters(saveFilter(command.name, filter));
						run({type: 'message', message: {level: 'info', text: `saved filter ${clean(command.name)}: ${clean(filter)} (:f ${clean(command.name)} applies it)`}});
					} catch (error) {
						failed(error);
					}
				}

				return;
			}

			case 'filter': {
				if (command.name === null) {
					const names = Object.entries(filters).map(([name, filter]) => `${clean(name)} (${clean(filter)})`);
					run({type: 'message', message: {level: 'info', text: names.length === 0 ? 'no saved filters; :save <name> saves the runs filter' : `saved filters: ${names.join(', ')}`}});
					return;
				}

				const filter = Object.hasOwn(filters, command.name) ? filters[command.name] : undefined;
				if (filter === undefined) {
					run({type: 'message', message: {level: 'error', text: `no saved filter "${clean(command.name)}"; :f lists them`}});
					return;
				}

				run({type: 'home'});
				run({type: 'set-filter', filter});
				return;
			}

			case 'error': {
				run({type: 'message', message: {level: 'error', text: command.message}});
			}
		}
	};

	// The screen on top leaves its handlers here after each commit; a key only
	// reaches them when they belong to the screen the state says is on top.
	const registration = useRef<Registration>({screen: null, handlers: {}});
	// How the help on screen is laid out (drawn below), for the keys that scroll it.
	const helpPage = useRef<HelpLayout>({columns: 1, body: 1, maxTop: 0});
	useLatestInput((input: string, key: Key) => {
		const state = stateRef.current;
		if (state.prompt !== null) {
			if (key.escape) {
				run({type: 'prompt-cancel'});
			} else if (key.return) {
				const {kind, text} = state.prompt;
				run({type: 'prompt-submit'});
				if (kind === 'command') {
					runCommand(text);
				} else if (kind === 'search' && text !== '' && searchCount?.matches === 0) {
					run({type: 'message', message: {level: 'error', text: `no match for "${clean(text)}"`}});
				}
			} else if (key.upArrow || key.downArrow) {
				run({type: 'prompt-history', step: key.upArrow ? -1 : 1});
			} else if (key.backspace || key.delete) {
				run({type: 'prompt-backspace'});
			} else if (!key.ctrl && !key.meta && input !== '' && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab) {
				run({type: 'prompt-input', text: input});
			} else if (key.ctrl && input === 'c') {
				exit();
			}

			return;
		}

		const action = resolveAction(screen, input, key);
		if (state.help) {
			if (key.escape || input === '?' || input === 'q') {
				run({type: 'close-help'});
			} else if (action === 'quit' && key.ctrl) {
				exit();
			} else if (isMotion(action)) {
				// The help scrolls where it does not fit: a line at a time, or a page less one line.
				const {body: page, maxTop} = helpPage.current;
				const top = moveIndex(action, state.helpTop, maxTop + 1, page - 1);
				if (top !== undefined) {
					run({type: 'help-scroll', top});
				}
			}

			return;
		}

		if (action === undefined) {
			return;
		}

		if (!isGlobalAction(action)) {
			if (state.message !== null) {
				// A message stays until the next thing you do.
				run({type: 'message', message: null});
			}

			const {screen: registered, handlers} = registration.current;
			if (registered === screen) {
				handlers[action]?.();
			}

			return;
		}

		// One handler per global action: a new one does not compile until it is handled here.
		const globalHandlers: Record<GlobalAction, () => void> = {
			help: () => run({type: 'toggle-help'}),
			command: () => run({type: 'prompt-open', kind: 'command'}),
			quit: () => exit(),
			back: () => run({type: 'back'}),
			analytics: () => run({type: 'open-analytics'}),
			level: () => run({type: 'cycle-level'}),
		};
		globalHandlers[action]();
	}, changed);

	const frameRows = Math.max(1, size.rows - 1);
	const width = size.columns;
	if (!fitsMinSize(size)) {
		const note = wrap(minSizeNote(size), Math.max(10, width));
		return (
			<UiContext.Provider value={ui}>
				<Box flexDirection="column" width={width}>
					{note.map((text, i) => (
						<Line key={i} segments={[{text}]} width={width} />
					))}
				</Box>
			</UiContext.Provider>
		);
	}

	const active = state.prompt === null && !state.help && !opening;
	const bodyHeight = frameRows - 3;
	let body: React.JSX.Element;
	let right = '';
	if (opening) {
		const named = initial?.screen === 'trace' ? initial.run : initial?.screen === 'diff' ? initial.b : '';
		body = (
			<Box flexDirection="column" width={width} height={bodyHeight}>
				<Line segments={[{text: `${ui.symbols.ellipsis} opening ${clean(named)}`, dim: true}]} width={width} />
			</Box>
		);
	} else if (state.help) {
		helpPage.current = helpLayout(helpLines(screen, ui.ascii).length, width, bodyHeight);
		body = <HelpOverlay screen={screen} width={width} height={bodyHeight} top={state.helpTop} />;
	} else if (view.screen === 'runs') {
		right = `${runs.indexTotal ?? ui.symbols.ellipsis} runs`;
		body = <RunsScreen view={view} runs={runs} nowMs={nowMs} stuckAfterMs={stuckAfterMs} mark={state.mark} width={width} height={bodyHeight} dispatch={run} active={active} terminal={terminal} />;
	} else if (view.screen === 'run') {
		right = trace.progress ? `loading ${trace.progress.loaded.toLocaleString('en-US')}/${trace.progress.total.toLocaleString('en-US')}` : trace.loading ? 'loading…' : `${model.spanCount} spans`;
		const tabHeight = bodyHeight - 2;
		let tab: React.JSX.Element;
		if (view.tab === 'trace') {
			const strip = liveSpan === null ? 0 : liveRows(tabHeight);
			const traceScreen = <TraceScreen view={view} run={trace.run} model={model} eventsSeen={trace.eventsSeen} version={trace.version} nowMs={nowMs} width={width} height={tabHeight - strip} dispatch={run} active={active} loading={trace.loading} />;
			tab =
				liveSpan === null || strip === 0 ? (
					traceScreen
				) : (
					<Box flexDirection="column" width={width} height={tabHeight}>
						{traceScreen}
						<LiveLines name={liveSpan.name === '' ? liveSpan.span_id : liveSpan.name} events={stepLines.events} total={stepLines.total} level={state.level} width={width} height={strip} />
					</Box>
				);
		} else if (view.tab === 'compensations') {
			tab = <CompensationScreen view={view} model={model} nowMs={nowMs} width={width} height={tabHeight} dispatch={run} active={active} />;
		} else {
			tab = <DecisionsScreen view={view} run={trace.run} model={model} decisions={decisions ?? []} stats={stats} width={width} height={tabHeight} dispatch={run} active={active} />;
		}

		body = (
			<Box flexDirection="column" width={width} height={bodyHeight}>
				<RunBanner run={trace.run} tab={view.tab} nowMs={nowMs} stuckAfterMs={stuckAfterMs} width={width} counts={tabCounts} loading={trace.loading} recovered={model.recovered.size} parent={linked.linked?.parent ?? null} />
				{tab}
			</Box>
		);
	} else if (view.screen === 'span') {
		right = trace.loading ? 'loading…' : '';
		const strip = liveSpan === null ? 0 : liveRows(bodyHeight);
		const detail = <SpanDetail view={view} model={model} nowMs={nowMs} width={width} height={bodyHeight - strip} dispatch={run} active={active} loading={trace.loading} run={trace.run} links={links} terminal={terminal} level={state.level} />;
		body =
			liveSpan === null || strip === 0 ? (
				detail
			) : (
				<Box flexDirection="column" width={width} height={bodyHeight}>
					{detail}
					<LiveLines name={liveSpan.name === '' ? liveSpan.span_id : liveSpan.name} events={stepLines.events} total={stepLines.total} level={state.level} width={width} height={strip} />
				</Box>
			);
	} else if (view.screen === 'linked') {
		body = <LinkedScreen view={view} linked={linked.linked} nowMs={nowMs} stuckAfterMs={stuckAfterMs} width={width} height={bodyHeight} dispatch={run} active={active} />;
	} else if (view.screen === 'analytics') {
		right = analytics.analysis === null ? '' : `${analytics.analysis.runs} runs`;
		body = <AnalyticsScreen view={view} scope={scope ?? analyticsScope(view.window, list.filter)} data={analytics} width={width} height={bodyHeight} dispatch={run} active={active} />;
	} else if (view.screen === 'failure-runs') {
		const openRun = (traceId: string): void => {
			store.resolveRun(traceId).then(found => run({type: 'open-run', run: refOf(found)}), failed);
		};

		body = <FailureRunsScreen view={view} data={analytics} nowMs={nowMs} width={width} height={bodyHeight} dispatch={run} active={active} openRun={openRun} />;
	} else {
		right = diff.diff ? `${diff.diff.steps.length} steps` : '';
		body = <DiffScreen view={view} data={diff} nowMs={nowMs} width={width} height={bodyHeight} dispatch={run} active={active} />;
	}

	const error = trace.error ?? runs.error ?? (view.screen === 'diff' ? diff.error : view.screen === 'linked' ? linked.error : onAnalytics ? analytics.error : null);
	const message = state.message ?? (error === null ? null : {level: 'error' as const, text: error});
	const status: LineType = [...(searchCount === null ? [] : [{text: searchCount.text, color: searchCount.matches === 0 ? 'red' : 'cyan'}]), ...(right === '' ? [] : [{text: `${searchCount === null ? '' : '  '}${right}`, dim: true}])];
	return (
		<UiContext.Provider value={ui}>
			<KeymapContext.Provider value={registration}>
				<Box flexDirection="column" width={width} height={frameRows}>
					<Header crumbs={state.help ? [...crumbsOf(state.stack), 'help'] : crumbsOf(state.stack)} width={width} />
					{body}
					<StatusLine live={live} width={width} message={message} right={status} />
					{state.prompt ? <PromptLine prompt={state.prompt} width={width} /> : <Footer screen={screen} width={width} />}
				</Box>
			</KeymapContext.Provider>
		</UiContext.Provider>
	);
}
