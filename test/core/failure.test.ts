import assert from 'node:assert/strict';
import {test} from 'node:test';
import {firstToEnd, rootCauseCandidates, rootCauseFailure} from '../../source/core/failure.js';
import {buildTree} from '../../source/core/tree.js';
import {chain, failed, span, tree} from './span-builder.js';

test('the root cause is the deepest failed span, not its failed ancestors', () => {
	// root ✗ └ deploy ✗ └ migrate ✗ (the cause) ; push ✓
	const t = tree(failed('root', null, 0, 100), failed('deploy', 'root', 10, 90), failed('migrate', 'deploy', 20, 40), span('push', 'deploy', 41, 50));
	const failure = rootCauseFailure(t);
	assert.equal(failure?.span.span_id, 'migrate');
	assert.deepEqual(
		failure?.path.map(s => s.span_id),
		['root', 'deploy', 'migrate'],
	);
	assert.equal(failure?.error, 'migrate broke');
});

test('among independent failures, the one that ended first', () => {
	// a ✗ 10..60, b ✗ 20..50: b ended first.
	const t = tree(failed('root', null, 0, 100), failed('a', 'root', 10, 60), failed('b', 'root', 20, 50));
	assert.deepEqual(
		rootCauseCandidates(t)
			.map(s => s.span_id)
			.sort(),
		['a', 'b'],
	);
	assert.equal(rootCauseFailure(t)?.span.span_id, 'b');
});

test('ties on end go to the earlier start, then the smaller id', () => {
	assert.equal(firstToEnd([failed('b', null, 5, 10), failed('a', null, 5, 10), failed('c', null, 1, 10)])?.span_id, 'c');
	assert.equal(firstToEnd([failed('b', null, 5, 10), failed('a', null, 5, 10)])?.span_id, 'a');
	assert.equal(firstToEnd([]), null);
});

test('open spans end last', () => {
	assert.equal(firstToEnd([span('open', null, 0, null), span('done', null, 5, 500)])?.span_id, 'done');
});

test('nothing failed: no failure', () => {
	assert.equal(rootCauseFailure(tree(span('root', null, 0, 10), span('a', 'root', 1, 2))), null);
	assert.equal(rootCauseFailure(buildTree([])), null);
});

test('a failure without an error message has a null error', () => {
	const t = tree(span('root', null, 0, 10, {status: 'failed'}));
	assert.equal(rootCauseFailure(t)?.error, null);
});

test('within narrows the candidates, and a failed child outside it does not hide its parent', () => {
	// root ✗ ├ early ✗ 1..5   └ late ✗ 10..20 └ late-child ✗ 12..15
	const t = tree(failed('root', null, 0, 30), failed('early', 'root', 1, 5), failed('late', 'root', 10, 20), failed('late-child', 'late', 12, 15));
	assert.deepEqual(
		rootCauseCandidates(t, s => s.start_ms >= 10).map(s => s.span_id),
		['late-child'],
	);
	assert.deepEqual(
		rootCauseCandidates(t, s => s.span_id === 'late').map(s => s.span_id),
		['late'],
	);
});

test('a 10,000-level chain failing at the bottom does not overflow the stack', () => {
	const depth = 10_000;
	const spans = chain(depth).map(s => ({...s, status: 'failed' as const}));
	const failure = rootCauseFailure(buildTree(spans));
	assert.equal(failure?.span.span_id, `s${depth}`);
	assert.equal(failure?.path.length, depth + 1);
});
