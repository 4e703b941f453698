import assert from 'node:assert/strict';
import test from 'node:test';
import {render} from 'ink-testing-library';
import type {Span} from '../../source/core/span.js';
import {UNICODE} from '../../source/core/symbols.js';
import {drawnRuns, sameLine} from '../../source/tui/components/line.js';
import {traceModel} from '../../source/tui/hooks/use-trace-model.js';
import {DEFAULT_PALETTE} from '../../source/tui/palette.js';
import {TraceScreen} from '../../source/tui/screens/trace-screen.js';
import {runView, type RunView} from '../../source/tui/state/console-state.js';
import {UiContext} from '../../source/tui/ui-context.js';
import {span} from '../core/span-builder.js';

test('drawnRuns joins neighbours drawn alike and keeps the text', () => {
	const runs = drawnRuns([{text: 'a', bold: true}, {text: 'b', bold: true}, {text: ''}, {text: ' '}, {text: ' '}, {text: 'x', color: 'red'}, {text: 'y', color: 'red'}], false, true, DEFAULT_PALETTE);
	assert.deepEqual(
		runs.map(run => [run.text, run.bold, run.color]),
		[
			['ab', true, undefined],
			['  ', false, undefined],
			['xy', false, DEFAULT_PALETTE('red')],
		],
	);
});

test('drawnRuns: links stay runs of their own, NO_COLOR joins what only colour told apart, a match reverses or underlines', () => {
	const linked = drawnRuns([{text: 'see '}, {text: 'ci', link: 'https://ci'}, {text: '/1', link: 'https://ci'}], false, true, DEFAULT_PALETTE);
	assert.deepEqual(
		linked.map(run => [run.text, run.link]),
		[
			['see ', undefined],
			['ci', 'https://ci'],
			['/1', 'https://ci'],
		],
	);
	const plain = drawnRuns(
		[
			{text: 'a', color: 'red'},
			{text: 'b', color: 'green', dim: true},
		],
		false,
		false,
		DEFAULT_PALETTE,
	);
	assert.deepEqual(
		plain.map(run => [run.text, run.color, run.dim]),
		[['ab', undefined, false]],
	);
	const match = [{text: 'api', match: true}];
	assert.deepEqual([drawnRuns(match, false, true, DEFAULT_PALETTE)[0]!.inverse, drawnRuns(match, false, true, DEFAULT_PALETTE)[0]!.underline], [true, false]);
	assert.deepEqual([drawnRuns(match, true, true, DEFAULT_PALETTE)[0]!.inverse, drawnRuns(match, true, true, DEFAULT_PALETTE)[0]!.underline], [false, true]);
});

test('sameLine compares rows by value', () => {
	const a = {segments: [{text: 'x', bold: true}], width: 10};
	assert.equal(sameLine(a, {segments: [{text: 'x', bold: true}], width: 10}), true);
	assert.equal(sameLine(a, {segments: [{text: 'x', bold: true}], width: 10, inverse: true}), false);
	assert.equal(sameLine(a, {segments: [{text: 'x'}], width: 10}), false);
	assert.equal(sameLine(a, {segments: [{text: 'y', bold: true}], width: 10}), false);
	assert.equal(sameLine(a, {segments: [{text: 'x', bold: true}], width: 11}), false);
});

function spans(n: number): Span[] {
	const base = Date.parse('2026-01-14T10:00:00.000Z');
	const out: Span[] = [span('root', null, base, base + n * 10, {trace_id: 't', name: 'monorepo ci', kind: 'workflow'})];
	for (let i = 1; i < n; i++) {
		out.push(span(`s${i}`, 'root', base + i * 10, base + i * 10 + 9, {trace_id: 't', name: `step ${i}`, status: i % 7 === 0 ? 'failed' : 'success'}));
	}

	return out;
}

test('each frame after a move (memoized rows kept) is the frame a full redraw of every row draws', () => {
	const model = traceModel(spans(200));
	const base = runView({traceId: 't', runId: 'r', name: 'monorepo ci'});
	const ui = {symbols: UNICODE, ascii: false, color: true};
	// A new UI context value on each render re-renders every Line, memo or not: the full redraw to compare with.
	const screen = (view: RunView, value: typeof ui) => (
		<UiContext.Provider value={value}>
			<TraceScreen view={view} run={null} model={model} eventsSeen={0} version={0} nowMs={0} width={100} height={16} dispatch={() => {}} active loading={false} />
		</UiContext.Provider>
	);
	const at = (index: number): RunView => ({...base, selection: {index, key: null}});
	const memoized = render(screen(at(0), ui));
	const full = render(screen(at(0), {...ui}));
	// Down past the bottom (scrolling), back up past the top, a jump and a step back.
	const path = [...Array.from({length: 30}, (_, i) => i + 1), ...Array.from({length: 30}, (_, i) => 29 - i), 120, 119, 0];
	for (const index of path) {
		memoized.rerender(screen(at(index), ui));
		full.rerender(screen(at(index), {...ui}));
		assert.equal(memoized.lastFrame(), full.lastFrame(), `selection ${index}`);
	}

	assert.match(memoized.lastFrame() ?? '', /step 1\b/);
	memoized.unmount();
	full.unmount();
});
