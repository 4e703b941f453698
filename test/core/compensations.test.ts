import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compensationChains} from '../../source/core/compensations.js';
import type {Span, SpanStatus} from '../../source/core/span.js';
import {failed, span, tree} from './span-builder.js';

function undo(id: string, original: string, start: number, end: number | null, status?: SpanStatus): Span {
	const settled: SpanStatus = status ?? (end === null ? 'pending' : 'success');
	const phase = settled === 'failed' ? 'compensation_failed' : settled === 'pending' ? 'compensating' : 'compensated';
	return span(id, 'root', start, end, {
		kind: 'saga',
		status: settled,
		last_event_type: `saga:${phase}`,
		attributes: {original_span_id: original},
	});
}

test('a booking saga: compensations in start order, the step whose undo failed is an orphan', () => {
	// 0   10   20   30   40   50
	// |flight|hotel|charge✗|
	//                 |undo-hotel ✓|
	//                         |undo-flight ✗|
	const t = tree(failed('root', null, 0, 100, {kind: 'workflow'}), span('flight', 'root', 0, 10, {name: 'reserve flight'}), span('hotel', 'root', 10, 20), failed('charge', 'root', 20, 30), undo('undo-flight', 'flight', 40, 50, 'failed'), undo('undo-hotel', 'hotel', 30, 40));
	const chains = compensationChains(t);
	assert.deepEqual(chains.compensations, [
		{original_span_id: 'hotel', span_id: 'undo-hotel', status: 'success', start_ms: 30, end_ms: 40, original_name: 'hotel', scope_span_id: 'root', scope: 'rollback'},
		{original_span_id: 'flight', span_id: 'undo-flight', status: 'failed', start_ms: 40, end_ms: 50, original_name: 'reserve flight', scope_span_id: 'root', scope: 'rollback'},
	]);
	assert.deepEqual(chains.orphans, ['flight']);
});

test('steps completed before compensation began and never undone are orphans; later ones are not', () => {
	// email ✓ 5..8 (never undone → orphan)
	// hotel ✓ 10..20 (undone)
	// charge ✗ 20..30 (failed: nothing to undo)
	// audit ✓ 25..35 (finished after compensation began at 30 → not an orphan)
	// pending-step …open (never completed)
	const t = tree(
		failed('root', null, 0, 100, {kind: 'workflow'}),
		span('email', 'root', 5, 8),
		span('hotel', 'root', 10, 20),
		failed('charge', 'root', 20, 30),
		span('audit', 'root', 25, 35),
		span('pending-step', 'root', 26, null),
		span('ai', 'root', 2, 3, {kind: 'ai', last_event_type: 'ai:decision'}),
		undo('undo-hotel', 'hotel', 30, 40),
	);
	assert.deepEqual(compensationChains(t).orphans, ['email']);
});

test('a step boundary: completed exactly when compensation began counts as before', () => {
	const t = tree(failed('root', null, 0, 100, {kind: 'workflow'}), span('a', 'root', 0, 30), span('b', 'root', 10, 20), undo('ub', 'b', 30, 40));
	assert.deepEqual(compensationChains(t).orphans, ['a']);
});

test('a failed undo retried successfully leaves no orphan; a pending undo is not an orphan yet', () => {
	const t = tree(span('root', null, 0, null, {kind: 'workflow'}), span('a', 'root', 0, 10), span('b', 'root', 10, 20), undo('undo-a-1', 'a', 30, 35, 'failed'), undo('undo-a-2', 'a', 36, 40), undo('undo-b', 'b', 41, null));
	const chains = compensationChains(t);
	assert.deepEqual(chains.orphans, []);
	assert.deepEqual(
		chains.compensations.map(c => [c.span_id, c.status, c.end_ms]),
		[
			['undo-a-1', 'failed', 35],
			['undo-a-2', 'success', 40],
			['undo-b', 'pending', null],
		],
	);
});

test('undoing a stage covers its steps; undoing some steps of a stage leaves the others as orphans', () => {
	// provision (stage) ✓ 0..20 ├ vpc ✓ 0..10 └ db ✓ 10..20 ; deploy ✗ 20..30
	const base = [failed('root', null, 0, 100, {kind: 'workflow'}), span('provision', 'root', 0, 20, {kind: 'stage'}), span('vpc', 'provision', 0, 10), span('db', 'provision', 10, 20), failed('deploy', 'root', 20, 30)];
	assert.deepEqual(compensationChains(tree(...base, undo('undo-provision', 'provision', 30, 40))).orphans, []);
	assert.deepEqual(compensationChains(tree(...base, undo('undo-db', 'db', 30, 40))).orphans, ['vpc']);
});

test('a compensation of a step the trace does not hold has no original name', () => {
	const chains = compensationChains(tree(span('root', null, 0, 100, {kind: 'workflow'}), undo('u', 'gone', 10, 20)));
	assert.deepEqual(chains.compensations, [{original_span_id: 'gone', span_id: 'u', status: 'success', start_ms: 10, end_ms: 20, scope_span_id: 'root', scope: 'local_undo'}]);
	assert.deepEqual(chains.orphans, []);
});

test('a run with no compensations has no orphans', () => {
	const t = tree(failed('root', null, 0, 100, {kind: 'workflow'}), span('a', 'root', 0, 10), failed('b', 'root', 10, 20));
	assert.deepEqual(compensationChains(t), {compensations: [], orphans: []});
});

test('a saga span without original_span_id is not a compensation', () => {
	const t = tree(span('root', null, 0, 100, {kind: 'workflow'}), span('a', 'root', 0, 10), span('s', 'root', 20, 30, {kind: 'saga'}));
	assert.deepEqual(compensationChains(t), {compensations: [], orphans: []});
});
