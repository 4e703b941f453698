import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {criticalPath, type CriticalSegment} from '../../source/core/critical-path.js';
import type {Span} from '../../source/core/span.js';
import {buildTree, descendants} from '../../source/core/tree.js';
import {chain, span, tree} from './span-builder.js';

function seg(span_id: string, start_ms: number, end_ms: number): CriticalSegment {
	return {span_id, start_ms, end_ms};
}

test('sequential steps are the whole path, back to back', () => {
	// root |0------------------30|
	// a    |0--10|
	// b          |10--20|
	// c                 |20--30|
	const t = tree(span('root', null, 0, 30), span('a', 'root', 0, 10), span('b', 'root', 10, 20), span('c', 'root', 20, 30));
	assert.deepEqual(criticalPath(t), [seg('a', 0, 10), seg('b', 10, 20), seg('c', 20, 30)]);
});

test('gaps between sequential children belong to the parent', () => {
	// root |0----------------------------40|
	// a        |5--10|
	// b                  |15--------30|
	const t = tree(span('root', null, 0, 40), span('a', 'root', 5, 10), span('b', 'root', 15, 30));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 5), seg('a', 5, 10), seg('root', 10, 15), seg('b', 15, 30), seg('root', 30, 40)]);
});

test('parallel branches: only the slower branch is on the path', () => {
	// root    |0--------------------------100|
	// fetch-a |0-----40|
	// fetch-b |0-----------70|
	// merge                 |70-----------100|
	// merge ends last; back at 70 the last child to end by then is fetch-b (70),
	// fetch-a ended earlier and waited on nothing that mattered.
	const t = tree(span('root', null, 0, 100), span('fetch-a', 'root', 0, 40), span('fetch-b', 'root', 0, 70), span('merge', 'root', 70, 100));
	assert.deepEqual(criticalPath(t), [seg('fetch-b', 0, 70), seg('merge', 70, 100)]);
});

test('nested spans: the path descends into children and returns to the parent', () => {
	// root  |0--------------------------------100|
	// stage     |10--------------------90|
	// step1     |10---40|
	// step2               |50---80|
	const t = tree(span('root', null, 0, 100), span('stage', 'root', 10, 90, {kind: 'stage'}), span('step1', 'stage', 10, 40), span('step2', 'stage', 50, 80));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 10), seg('step1', 10, 40), seg('stage', 40, 50), seg('step2', 50, 80), seg('stage', 80, 90), seg('root', 90, 100)]);
});

test('overlapping children: the earlier one does not end before the later one starts, so the parent covers', () => {
	// root |0-------------------100|
	// a    |0--------60|
	// b            |40-----------100|
	// Back at 40 (b's start), a ends at 60 > 40: no child fits, root owns 0..40.
	const t = tree(span('root', null, 0, 100), span('a', 'root', 0, 60), span('b', 'root', 40, 100));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 40), seg('b', 40, 100)]);
});

test('children that end together: the longer one wins', () => {
	// root |0----10|
	// x    |0----10|
	// y       |5-10|
	const t = tree(span('root', null, 0, 10), span('x', 'root', 0, 10), span('y', 'root', 5, 10));
	assert.deepEqual(criticalPath(t), [seg('x', 0, 10)]);
});

test('zero-length spans add no segment and do not loop', () => {
	// root |0------------20|
	// a    |0---10|
	// z           |10 (zero length)
	// b           |10----20|
	const t = tree(span('root', null, 0, 20), span('a', 'root', 0, 10), span('z', 'root', 10, 10), span('b', 'root', 10, 20));
	assert.deepEqual(criticalPath(t), [seg('a', 0, 10), seg('b', 10, 20)]);
});

test('a zero-length child splits nothing: the parent segments either side merge', () => {
	// root |0-----z-----20|  (z at 10: root 10..20 then root 0..10, merged)
	const t = tree(span('root', null, 0, 20), span('z', 'root', 10, 10));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 20)]);
});

test('a zero-length root has no critical path', () => {
	assert.deepEqual(criticalPath(tree(span('root', null, 5, 5), span('a', 'root', 5, 5))), []);
});

test('clock skew: a child that starts before its parent is clipped to the parent', () => {
	// root  |0------------------------100|
	// stage         |20-----------80|
	// step      |10------50|            (clipped to 20..50)
	const t = tree(span('root', null, 0, 100), span('stage', 'root', 20, 80, {kind: 'stage'}), span('step', 'stage', 10, 50));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 20), seg('step', 20, 50), seg('stage', 50, 80), seg('root', 80, 100)]);
});

test('a child that overflows its parent is clipped to the parent end', () => {
	// root   |0----------------------100|
	// stage  |0--------50|
	// step          |30-----70|          (clipped to 30..50)
	// deploy            |50----------100|
	const t = tree(span('root', null, 0, 100), span('stage', 'root', 0, 50, {kind: 'stage'}), span('step', 'stage', 30, 70), span('deploy', 'root', 50, 100));
	assert.deepEqual(criticalPath(t), [seg('stage', 0, 30), seg('step', 30, 50), seg('deploy', 50, 100)]);
});

test('children wholly outside their parent are ignored', () => {
	// root       |0------100|
	// before |-50..-10|
	// after                     |150..200|
	const t = tree(span('root', null, 0, 100), span('before', 'root', -50, -10), span('after', 'root', 150, 200));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 100)]);
});

test('open spans end at the latest known timestamp, or at nowMs', () => {
	// root |0.........open
	// a    |0---40|
	// b           |40.....open
	// Latest known timestamp is 40, so b is zero-length so far; with now = 100 it runs to 100.
	const spans = [span('root', null, 0, null, {kind: 'workflow'}), span('a', 'root', 0, 40), span('b', 'root', 40, null)];
	assert.deepEqual(criticalPath(tree(...spans)), [seg('a', 0, 40)]);
	assert.deepEqual(criticalPath(tree(...spans), 100), [seg('a', 0, 40), seg('b', 40, 100)]);
});

test('an empty trace has no critical path', () => {
	assert.deepEqual(criticalPath(buildTree([])), []);
});

test('a span whose parent never arrived is a root of its own and gets its own path, in time order', () => {
	// DESIGN: "a trace with several roots has a path through every root, in time order".
	const t = tree(span('root', null, 0, 10), span('stray', 'missing-parent', 5, 50));
	assert.deepEqual(criticalPath(t), [seg('root', 0, 10), seg('stray', 5, 50)]);
});

test('a 10,000-level chain does not overflow the stack', () => {
	const depth = 10_000;
	const path = criticalPath(buildTree(chain(depth)));
	// Each level owns one ms at each end of its window; the deepest owns its two ms.
	assert.equal(path.length, 2 * depth + 1);
	assert.deepEqual(path[0], seg('s0', 0, 1));
	assert.deepEqual(path[depth], seg(`s${depth}`, depth, depth + 2));
	assert.deepEqual(path.at(-1), seg('s0', 2 * depth + 1, 2 * depth + 2));
});

// Random trees: parents are earlier spans, times anywhere (skew, overflow, outside), some open.
const randomTrace = fc
	.array(
		fc.record({
			parent: fc.nat(),
			start: fc.integer({min: 0, max: 200}),
			length: fc.integer({min: 0, max: 120}),
			open: fc.boolean(),
		}),
		{minLength: 1, maxLength: 40},
	)
	.map(rows =>
		rows.map((row, i): Span => {
			const end = row.open ? null : row.start + row.length;
			return span(`s${i}`, i === 0 ? null : `s${row.parent % i}`, row.start, end);
		}),
	);

test('property: segments cover exactly the root window, in order, without overlap', () => {
	fc.assert(
		fc.property(randomTrace, fc.option(fc.integer({min: 0, max: 400}), {nil: undefined}), (spans, now) => {
			const t = buildTree(spans);
			const root = t.root!;
			const latest = Math.max(...spans.map(s => Math.max(s.start_ms, s.end_ms ?? s.start_ms)));
			const endOf = (s: Span) => Math.max(s.start_ms, s.end_ms ?? now ?? latest);
			const path = criticalPath(t, now);
			const rootEnd = endOf(root);
			const inTree = new Set([root.span_id, ...descendants(t, root.span_id).map(s => s.span_id)]);
			if (rootEnd === root.start_ms) {
				assert.deepEqual(path, []);
				return;
			}

			assert.equal(path[0]!.start_ms, root.start_ms);
			assert.equal(path.at(-1)!.end_ms, rootEnd);
			for (const [i, s] of path.entries()) {
				assert.ok(s.start_ms < s.end_ms, 'no empty segments');
				assert.ok(inTree.has(s.span_id), 'segment on a span of the root tree');
				const owner = t.byId.get(s.span_id)!;
				assert.ok(owner.start_ms <= s.start_ms && s.end_ms <= endOf(owner), 'segment inside its span');
				const previous = path[i - 1];
				if (previous) {
					assert.equal(previous.end_ms, s.start_ms, 'gap-free and non-overlapping');
					assert.ok(previous.span_id !== s.span_id, 'adjacent segments of one span are merged');
				}
			}
		}),
		{numRuns: 500},
	);
});
