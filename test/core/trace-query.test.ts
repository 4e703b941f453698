import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {TraceQuery} from '../../source/core/trace-query.js';
import {failed, span, tree} from './span-builder.js';

const ids = (spans: readonly Span[]) => spans.map(s => s.span_id);

// root ✗ 0..100
// ├ reserve ✓ 0..10 [payments]
// ├ choose (ai decision) 12..13
// ├ charge ✗ 20..30  └ card ✗ 21..29
// ├ undo-reserve (saga, compensates reserve) 31..40
// └ notify …open 35..
const spans = [
	failed('root', null, 0, 100, {kind: 'workflow', name: 'book'}),
	span('reserve', 'root', 0, 10, {tags: ['payments']}),
	span('choose', 'root', 12, 13, {kind: 'ai', last_event_type: 'ai:decision', attributes: {decision: 'B'}}),
	failed('charge', 'root', 20, 30, {tags: ['payments']}),
	failed('card', 'charge', 21, 29),
	span('undo-reserve', 'root', 31, 40, {kind: 'saga', last_event_type: 'saga:compensated', attributes: {original_span_id: 'reserve'}}),
	span('notify', 'root', 35, null),
];

test('navigation: root, span, children, path, step path, tree', () => {
	const q = new TraceQuery(spans);
	assert.equal(q.root()?.span_id, 'root');
	assert.equal(q.span('card')?.span_id, 'card');
	assert.equal(q.span('nope'), undefined);
	assert.deepEqual(ids(q.children('root')), ['reserve', 'choose', 'charge', 'undo-reserve', 'notify']);
	assert.deepEqual(q.children('nope'), []);
	assert.deepEqual(ids(q.path('card')), ['root', 'charge', 'card']);
	assert.equal(q.stepPath('card'), 'charge/card');
	assert.equal(q.tree().byId.size, spans.length);
});

test('built from a tree, it uses that tree', () => {
	const t = tree(...spans);
	assert.equal(new TraceQuery(t).tree(), t);
});

test('failure is the root cause', () => {
	const failure = new TraceQuery(spans).failure();
	assert.equal(failure?.span.span_id, 'card');
	assert.deepEqual(ids(failure!.path), ['root', 'charge', 'card']);
});

test('status filters in time order', () => {
	const q = new TraceQuery(spans);
	assert.deepEqual(ids(q.successes()), ['reserve', 'choose', 'undo-reserve']);
	assert.deepEqual(ids(q.failed()), ['root', 'charge', 'card']);
	assert.deepEqual(ids(q.pending()), ['notify']);
});

test('findByType matches a kind, or a full event type against the last event', () => {
	const q = new TraceQuery(spans);
	assert.deepEqual(ids(q.findByType('saga')), ['undo-reserve']);
	assert.deepEqual(ids(q.findByType('saga:compensated')), ['undo-reserve']);
	assert.deepEqual(ids(q.findByType('saga:compensating')), []);
	assert.deepEqual(ids(q.findByType('step:failed')), ['charge', 'card']);
	assert.deepEqual(ids(q.findByType('step')), ['reserve', 'charge', 'card', 'notify']);
});

test('findByTag, compensations, decisions', () => {
	const q = new TraceQuery(spans);
	assert.deepEqual(ids(q.findByTag('payments')), ['reserve', 'charge']);
	assert.deepEqual(ids(q.findByTag('nothing')), []);
	assert.deepEqual(ids(q.compensations()), ['undo-reserve']);
	assert.deepEqual(ids(q.decisions()), ['choose']);
});

test('duration is the root duration, null while open or empty', () => {
	assert.equal(new TraceQuery(spans).duration(), 100);
	assert.equal(new TraceQuery([span('r', null, 5, null)]).duration(), null);
	assert.equal(new TraceQuery([]).duration(), null);
	assert.equal(new TraceQuery([]).root(), null);
});

test('timeline is every span by start, and a copy each time', () => {
	const q = new TraceQuery(spans);
	assert.deepEqual(ids(q.timeline()), ['reserve', 'root', 'choose', 'charge', 'card', 'undo-reserve', 'notify']);
	q.timeline().pop();
	assert.equal(q.timeline().length, spans.length);
});

test('fromEvents folds wire events first', () => {
	const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
	const events: TraceEvent[] = [
		{trace_id: 't', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy'}},
		{trace_id: 't', span_id: 'a', parent_span_id: 'r', event_type: 'step:started', timestamp: at(1), data: {name: 'migrate'}},
		{trace_id: 't', span_id: 'a', event_type: 'step:failed', timestamp: at(5), data: {error: 'locked'}},
		{trace_id: 't', span_id: 'r', event_type: 'workflow:failed', timestamp: at(6)},
	];
	const q = TraceQuery.fromEvents(events);
	assert.equal(q.failure()?.error, 'locked');
	assert.equal(q.duration(), 6);
	assert.equal(q.stepPath('a'), 'migrate');
});
