import assert from 'node:assert/strict';
import test from 'node:test';
import type {ConsoleAction} from '../../source/tui/state/actions.js';
import {currentView, initialState, screenOf, type ConsoleState, type RunRef} from '../../source/tui/state/console-state.js';
import {reduce} from '../../source/tui/state/reduce.js';

const A: RunRef = {traceId: 'ta', runId: 'run-a', name: 'deploy api'};
const B: RunRef = {traceId: 'tb', runId: 'run-b', name: 'deploy api'};

function apply(...actions: ConsoleAction[]): ConsoleState {
	return actions.reduce(reduce, initialState());
}

function top(state: ConsoleState) {
	return currentView(state);
}

test('starts on the runs list; back on the runs list stays there', () => {
	const state = apply({type: 'back'});
	assert.equal(state.stack.length, 1);
	assert.equal(screenOf(top(state)), 'runs');
});

test('open pushes, back pops; a run view goes back to its trace tab before leaving', () => {
	let state = apply({type: 'open-run', run: A}, {type: 'set-tab', tab: 'compensations'});
	assert.equal(screenOf(top(state)), 'compensations');
	state = reduce(state, {type: 'back'});
	assert.equal(screenOf(top(state)), 'trace');
	state = reduce(state, {type: 'open-span', spanId: 's1', spanName: 'migrate'});
	assert.equal(screenOf(top(state)), 'span');
	state = reduce(state, {type: 'back'});
	assert.equal(screenOf(top(state)), 'trace');
	state = reduce(state, {type: 'back'});
	assert.equal(screenOf(top(state)), 'runs');
});

test('next-tab cycles trace, compensations, decisions', () => {
	const state = apply({type: 'open-run', run: A}, {type: 'next-tab'}, {type: 'next-tab'});
	assert.equal(screenOf(top(state)), 'decisions');
	assert.equal(screenOf(top(reduce(state, {type: 'next-tab'}))), 'trace');
});

test('the : commands start from the runs list', () => {
	const state = apply({type: 'open-run', run: A}, {type: 'open-span', spanId: 's', spanName: 's'}, {type: 'open-run', run: B, fromHome: true});
	assert.deepEqual(
		state.stack.map(v => v.screen),
		['runs', 'run'],
	);
	const diff = reduce(state, {type: 'open-diff', a: A, b: B, fromHome: true});
	assert.deepEqual(
		diff.stack.map(v => v.screen),
		['runs', 'diff'],
	);
});

test('filter applies as typed, submit keeps it, the prompt opens empty with it on ↑, cancel restores the previous one', () => {
	let state = apply({type: 'prompt-open', kind: 'filter'}, {type: 'prompt-input', text: 'status:fail'}, {type: 'prompt-input', text: 'ed'});
	let view = top(state);
	assert.equal(view.screen === 'runs' && view.filter, 'status:failed');
	state = reduce(state, {type: 'prompt-submit'});
	assert.equal(state.prompt, null);
	state = reduce(state, {type: 'prompt-open', kind: 'filter'});
	assert.equal(state.prompt?.text, '');
	state = reduce(state, {type: 'prompt-history', step: -1});
	assert.equal(state.prompt?.text, 'status:failed');
	state = reduce(state, {type: 'prompt-backspace'});
	state = reduce(state, {type: 'prompt-input', text: 'x'});
	view = top(state);
	assert.equal(view.screen === 'runs' && view.filter, 'status:failex');
	state = reduce(state, {type: 'prompt-cancel'});
	view = top(state);
	assert.equal(view.screen === 'runs' && view.filter, 'status:failed');
	state = reduce(state, {type: 'clear-filter'});
	view = top(state);
	assert.equal(view.screen === 'runs' && view.filter, '');
});

test('prompts open empty; ↑/↓ walk the history of that kind of prompt only, ↓ past the latest gives back what was typed', () => {
	const submit = (kind: 'search' | 'command', text: string): ConsoleAction[] => [{type: 'prompt-open', kind}, {type: 'prompt-input', text}, {type: 'prompt-submit'}];
	let state = apply(...submit('search', 'spot'), ...submit('command', 'runs'), ...submit('search', 'zzzz'));
	state = reduce(state, {type: 'prompt-open', kind: 'search'});
	assert.equal(state.prompt?.text, '', 'the search prompt opens empty (it used to append to the last search)');
	state = reduce(state, {type: 'prompt-input', text: 'dr'});
	state = reduce(state, {type: 'prompt-history', step: -1});
	assert.equal(state.prompt?.text, 'zzzz');
	state = reduce(state, {type: 'prompt-history', step: -1});
	assert.equal(state.prompt?.text, 'spot');
	assert.equal(reduce(state, {type: 'prompt-history', step: -1}).prompt?.text, 'spot', 'no older entry: it stays');
	const view = top(state);
	assert.equal(view.screen === 'runs' && view.search, 'spot', 'a recalled search applies as if typed');
	state = reduce(reduce(state, {type: 'prompt-history', step: 1}), {type: 'prompt-history', step: 1});
	assert.equal(state.prompt?.text, 'dr');
	state = reduce(reduce(state, {type: 'prompt-cancel'}), {type: 'prompt-open', kind: 'command'});
	assert.equal(reduce(state, {type: 'prompt-history', step: -1}).prompt?.text, 'runs', 'the command line has its own history');
});

test('an empty search repeats the last one (less, vim)', () => {
	const state = apply({type: 'prompt-open', kind: 'search'}, {type: 'prompt-input', text: 'api'}, {type: 'prompt-submit'}, {type: 'set-search', text: ''}, {type: 'prompt-open', kind: 'search'}, {type: 'prompt-submit'});
	const view = top(state);
	assert.equal(view.screen === 'runs' && view.search, 'api');
	assert.equal(state.prompt, null);
});

test('prompt input drops control characters (no escape sequences into the filter)', () => {
	const state = apply({type: 'prompt-open', kind: 'filter'}, {type: 'prompt-input', text: 'a\u001b[31mb\u0007'});
	assert.equal(state.prompt?.text, 'a[31mb');
});

test('sort cycles started, duration, status', () => {
	const sorts = [1, 2, 3].map(n => {
		const state = apply(...Array.from({length: n}, (): ConsoleAction => ({type: 'cycle-sort'})));
		const view = top(state);
		return view.screen === 'runs' ? view.sort : '';
	});
	assert.deepEqual(sorts, ['duration', 'status', 'started']);
});

test('d diffs against the marked run, or against the last success when none is marked; never the marked run itself', () => {
	let state = apply({type: 'diff-against-mark', run: A});
	// Nothing marked: A against its last success, looked up when the diff loads.
	const unmarked = top(state);
	assert.equal(state.message, null);
	assert.deepEqual(unmarked.screen === 'diff' && [unmarked.a, unmarked.b.traceId], ['last-success', 'ta']);
	state = apply();
	state = reduce(state, {type: 'mark', run: A});
	assert.equal(state.mark?.traceId, 'ta');
	state = reduce(state, {type: 'diff-against-mark', run: A});
	assert.match(state.message?.text ?? '', /marked run/);
	state = reduce(state, {type: 'diff-against-mark', run: B});
	const view = top(state);
	assert.equal(view.screen, 'diff');
	assert.equal(view.screen === 'diff' && view.a !== 'last-success' && view.a.traceId, 'ta');
	assert.equal(view.screen === 'diff' && view.b.traceId, 'tb');
	// Marking the marked run again unmarks it.
	assert.equal(reduce(reduce(initialState(), {type: 'mark', run: A}), {type: 'mark', run: A}).mark, null);
});

test('expand, collapse and reveal keep explicit choices', () => {
	let state = apply({type: 'open-run', run: A}, {type: 'collapse', id: 'x'});
	let view = top(state);
	assert.ok(view.screen === 'run' && view.collapsed.has('x'));
	state = reduce(state, {type: 'reveal', spanId: 'leaf', path: ['root', 'x', 'leaf']});
	view = top(state);
	assert.ok(view.screen === 'run');
	if (view.screen === 'run') {
		assert.ok(!view.collapsed.has('x'));
		assert.ok(view.expanded.has('x') && view.expanded.has('root'));
		assert.ok(!view.expanded.has('leaf'));
		assert.equal(view.selection.key, 'leaf');
	}
});

test('follow selects the newest span until paused; toggling pause records where it paused', () => {
	let state = apply({type: 'open-run', run: A}, {type: 'follow', spanId: 'n1', path: ['root', 'n1']});
	let view = top(state);
	assert.equal(view.screen === 'run' && view.selection.key, 'n1');
	state = reduce(state, {type: 'toggle-pause', eventsSeen: 7});
	view = top(state);
	assert.ok(view.screen === 'run' && view.paused && view.pausedAt === 7);
	state = reduce(state, {type: 'follow', spanId: 'n2', path: ['root', 'n2']});
	view = top(state);
	assert.equal(view.screen === 'run' && view.selection.key, 'n1');
	state = reduce(state, {type: 'pause', eventsSeen: 9});
	view = top(state);
	assert.equal(view.screen === 'run' && view.pausedAt, 7, 'pause while paused keeps the first mark');
	state = reduce(state, {type: 'toggle-pause', eventsSeen: 9});
	state = reduce(state, {type: 'follow', spanId: 'n2', path: ['root', 'n2']});
	view = top(state);
	assert.equal(view.screen === 'run' && view.selection.key, 'n2');
});

test('critical path toggles; span data expands; scroll clamps at zero', () => {
	let state = apply({type: 'open-run', run: A}, {type: 'toggle-critical'});
	let view = top(state);
	assert.equal(view.screen === 'run' && view.critical, false);
	state = reduce(state, {type: 'open-span', spanId: 's', spanName: 's'});
	state = reduce(state, {type: 'toggle-data'});
	state = reduce(state, {type: 'scroll', to: -4});
	view = top(state);
	assert.ok(view.screen === 'span' && view.expandData && view.scroll === 0);
});

test('help toggles and closes; opening a screen closes it', () => {
	let state = apply({type: 'toggle-help'});
	assert.equal(state.help, true);
	state = reduce(state, {type: 'open-run', run: A});
	assert.equal(state.help, false);
	assert.equal(reduce(reduce(state, {type: 'toggle-help'}), {type: 'close-help'}).help, false);
});

test('actions that do not apply leave the state as it was', () => {
	const state = initialState();
	assert.equal(reduce(state, {type: 'toggle-critical'}), state);
	assert.equal(reduce(state, {type: 'toggle-data'}), state);
	assert.equal(reduce(state, {type: 'prompt-input', text: 'x'}), state);
	assert.equal(reduce(state, {type: 'home'}), state);
});
