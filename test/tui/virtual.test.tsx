import assert from 'node:assert/strict';
import test from 'node:test';
import {render} from 'ink-testing-library';
import type {Span} from '../../source/core/span.js';
import {VirtualList} from '../../source/tui/components/virtual-list.js';
import {VirtualTable, type Column} from '../../source/tui/components/virtual-table.js';
import {traceModel} from '../../source/tui/hooks/use-trace-model.js';
import {TraceScreen} from '../../source/tui/screens/trace-screen.js';
import {runView} from '../../source/tui/state/console-state.js';
import {UNICODE} from '../../source/core/symbols.js';
import {span} from '../core/span-builder.js';
import {UiContext} from '../../source/tui/ui-context.js';

const UI = {symbols: UNICODE, ascii: false, color: false};

function bigSpans(n: number): Span[] {
	const base = Date.parse('2026-01-14T10:00:00.000Z');
	const spans: Span[] = [span('root', null, base, base + n * 10, {trace_id: 't', name: 'monorepo ci', kind: 'workflow'})];
	for (let i = 1; i < n; i++) {
		spans.push(span(`s${i}`, 'root', base + i * 10, base + i * 10 + 9, {trace_id: 't', name: `step ${i}`}));
	}

	return spans;
}

test('a 100,000-span trace renders only the rows in view', () => {
	const spans = bigSpans(100_000);
	const model = traceModel(spans);
	const view = runView({traceId: 't', runId: 'r', name: 'monorepo ci'});
	const started = performance.now();
	const {lastFrame, unmount} = render(
		<UiContext.Provider value={UI}>
			<TraceScreen view={view} run={null} model={model} eventsSeen={0} version={0} nowMs={Date.now()} width={80} height={18} dispatch={() => {}} active loading={false} />
		</UiContext.Provider>,
	);
	const elapsed = performance.now() - started;
	const frame = lastFrame() ?? '';
	const lines = frame.split('\n');
	assert.equal(lines.length, 18, 'exactly the screen height');
	const spanRows = lines.slice(0, -1).filter(line => /✓ (step \d+|monorepo ci)/.test(line));
	assert.equal(spanRows.length, 16, 'header and info line aside, only the rows that fit');
	assert.match(frame, /100000 shown of 100000/);
	assert.ok(lines.every(line => line.length <= 80));
	assert.ok(elapsed < 20_000, `first render took ${elapsed.toFixed(0)} ms`);
	unmount();
});

test('VirtualList asks only for the rows it draws, wherever the selection is', () => {
	const asked: number[] = [];
	const renderRow = (index: number) => {
		asked.push(index);
		return [{text: `row ${index}`}];
	};

	const {lastFrame, rerender, unmount} = render(
		<UiContext.Provider value={UI}>
			<VirtualList count={100_000} height={20} width={40} selected={0} renderRow={renderRow} />
		</UiContext.Provider>,
	);
	assert.deepEqual(
		asked,
		Array.from({length: 20}, (_, i) => i),
	);
	asked.length = 0;
	rerender(
		<UiContext.Provider value={UI}>
			<VirtualList count={100_000} height={20} width={40} selected={99_999} renderRow={renderRow} />
		</UiContext.Provider>,
	);
	assert.deepEqual(
		asked,
		Array.from({length: 20}, (_, i) => 99_980 + i),
	);
	assert.match(lastFrame() ?? '', /› row 99999/);
	unmount();
});

test('VirtualTable computes cells for visible rows only and keeps columns inside the width', () => {
	let cells = 0;
	const rows = Array.from({length: 100_000}, (_, i) => i);
	const columns: Array<Column<number>> = [
		{
			id: 'n',
			title: 'n',
			width: 8,
			priority: 0,
			cell: n => {
				cells++;
				return String(n);
			},
		},
		{id: 'name', title: 'name', width: 10, flex: 1, priority: 0, cell: n => `item number ${n} with a long name that will not fit`},
		{id: 'extra', title: 'extra', width: 60, priority: 9, cell: () => 'dropped when narrow'},
	];
	const {lastFrame, unmount} = render(
		<UiContext.Provider value={UI}>
			<VirtualTable rows={rows} columns={columns} width={50} height={10} selected={5} />
		</UiContext.Provider>,
	);
	assert.equal(cells, 9);
	const lines = (lastFrame() ?? '').split('\n');
	assert.ok(lines.every(line => line.length <= 50));
	assert.doesNotMatch(lastFrame() ?? '', /extra|dropped/);
	assert.match(lines[0]!, /n +name/);
	assert.match(lastFrame() ?? '', /› 5 +item number 5 with a long name that wi…\n/);
	unmount();
});
