import assert from 'node:assert/strict';
import {test} from 'node:test';
import {decisionOutcomes} from '../../source/core/decisions.js';
import type {Span} from '../../source/core/span.js';
import {failed, span, tree} from './span-builder.js';

function decision(id: string, parent: string, start: number, attributes: Record<string, unknown>, name = id): Span {
	return span(id, parent, start, start + 1, {name, kind: 'ai', last_event_type: 'ai:decision', attributes});
}

test('a decision followed by a failure: outcome failed, pointing at the root cause', () => {
	// root ✗ 0..100
	// ├ plan ✗ 0..50 (ancestor of the decision: its failure does not count)
	// │ └ choose-route 10..11 → B
	// └ deploy ✗ 20..60
	//   └ migrate ✗ 25..40   ← root cause after the decision
	const t = tree(
		failed('root', null, 0, 100, {kind: 'workflow'}),
		failed('plan', 'root', 0, 50, {kind: 'stage'}),
		decision(
			'choose',
			'plan',
			10,
			{
				decision: 'B',
				alternatives: [
					{option: 'A', score: 0.4, reason: 'cheap'},
					{option: 'B', score: 0.7},
				],
				reasoning: 'B is faster',
				confidence: 0.7,
			},
			'choose-route',
		),
		failed('deploy', 'root', 20, 60),
		failed('migrate', 'deploy', 25, 40),
	);
	assert.deepEqual(decisionOutcomes(t), [
		{
			span_id: 'choose',
			name: 'choose-route',
			path: 'plan/choose-route',
			decision: 'B',
			alternatives: [
				{option: 'A', score: 0.4, reason: 'cheap'},
				{option: 'B', score: 0.7},
			],
			reasoning: 'B is faster',
			confidence: 0.7,
			outcome: 'failed',
			downstream_failed_span_id: 'migrate',
		},
	]);
});

test('failures that started before the decision do not count against it', () => {
	// early ✗ 2..8, decision at 10, then only successes; the run is over.
	const t = tree(span('root', null, 0, 100, {kind: 'workflow'}), failed('early', 'root', 2, 8), decision('d', 'root', 10, {decision: 'A'}), span('after', 'root', 20, 30));
	const [d] = decisionOutcomes(t);
	assert.equal(d!.outcome, 'success');
	assert.equal(d!.downstream_failed_span_id, null);
});

test('a span starting at the same instant as the decision is not after it', () => {
	const t = tree(span('root', null, 0, 100, {kind: 'workflow'}), decision('d', 'root', 10, {decision: 'A'}), failed('same', 'root', 10, 20));
	assert.equal(decisionOutcomes(t)[0]!.outcome, 'success');
});

test('of several later failures, the first root cause to end is named', () => {
	// d at 10; x ✗ 20..90, y ✗ 30..50 → y ended first.
	const t = tree(failed('root', null, 0, 100, {kind: 'workflow'}), decision('d', 'root', 10, {decision: 'A'}), failed('x', 'root', 20, 90), failed('y', 'root', 30, 50));
	assert.equal(decisionOutcomes(t)[0]!.downstream_failed_span_id, 'y');
});

test('pending while the run runs: open root, or the run says running', () => {
	const open = tree(span('root', null, 0, null, {kind: 'workflow'}), decision('d', 'root', 10, {decision: 'A'}));
	assert.equal(decisionOutcomes(open)[0]!.outcome, 'pending');
	const closed = tree(span('root', null, 0, 100, {kind: 'workflow'}), decision('d', 'root', 10, {decision: 'A'}));
	assert.equal(decisionOutcomes(closed)[0]!.outcome, 'success');
	assert.equal(decisionOutcomes(closed, 'running')[0]!.outcome, 'pending');
	// The run's own verdict decides: a cancelled run with an unclosed root is not still pending.
	assert.equal(decisionOutcomes(open, 'cancelled')[0]!.outcome, 'success');
	// A failure already seen settles it even while running.
	const failing = tree(span('root', null, 0, null, {kind: 'workflow'}), decision('d', 'root', 10, {}), failed('f', 'root', 20, 30));
	assert.equal(decisionOutcomes(failing, 'running')[0]!.outcome, 'failed');
});

test('malformed fields from producers are dropped, never thrown on', () => {
	const t = tree(
		span('root', null, 0, 100, {kind: 'workflow'}),
		decision('d1', 'root', 10, {
			decision: {not: 'a string'},
			alternatives: [{option: 'A', score: 'high', reason: 3}, 'C', {option: 5, score: Number.NaN}, {score: 1}, null, [], {option: {}}, 7],
			reasoning: 42,
			confidence: 'sure',
		}),
		decision('d2', 'root', 20, {decision: 3, alternatives: 'A,B', confidence: Number.POSITIVE_INFINITY}),
	);
	const [d1, d2] = decisionOutcomes(t);
	assert.equal(d1!.decision, null);
	assert.deepEqual(d1!.alternatives, [{option: 'A'}, {option: 'C'}, {option: '5'}, {option: '7'}]);
	assert.equal(d1!.reasoning, null);
	assert.equal(d1!.confidence, null);
	assert.equal(d2!.decision, '3');
	assert.deepEqual(d2!.alternatives, []);
	assert.equal(d2!.confidence, null);
});

test('decisions come in start order; other spans are not decisions', () => {
	const t = tree(span('root', null, 0, 100, {kind: 'workflow'}), decision('late', 'root', 50, {decision: 'B'}), decision('early', 'root', 5, {decision: 'A'}), span('ai-call', 'root', 6, 7, {kind: 'ai', last_event_type: 'ai:completed'}));
	assert.deepEqual(
		decisionOutcomes(t).map(d => d.span_id),
		['early', 'late'],
	);
});
