import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {parentsFirst, type SpanRow} from '../../source/store/fold-writes.js';

const row = (spanId: string, parentSpanId: string | null, traceId = 't'): SpanRow => ({traceId, spanId, parentSpanId, params: []});
const ids = (rows: readonly SpanRow[]): string[] => rows.map(r => `${r.traceId}/${r.spanId}`);

test('parentsFirst keeps the order when every parent already comes first', () => {
	const rows = [row('a', null), row('b', 'a'), row('c', 'b'), row('d', 'a')];
	assert.deepEqual(ids(parentsFirst(rows)), ['t/a', 't/b', 't/c', 't/d']);
});

test('parentsFirst pulls a later parent (and its ancestors) in front of its child, per trace', () => {
	const rows = [row('leaf', 'mid'), row('x', null, 'u'), row('mid', 'top'), row('top', 'root'), row('root', null), row('mid', 'top', 'u')];
	assert.deepEqual(ids(parentsFirst(rows)), ['t/root', 't/top', 't/mid', 't/leaf', 'u/x', 'u/mid']);
});

test('parentsFirst ends on a cycle of parent ids and keeps every row once', () => {
	const rows = [row('a', 'c'), row('b', 'a'), row('c', 'b'), row('self', 'self')];
	assert.deepEqual(ids(parentsFirst(rows)).sort(), ['t/a', 't/b', 't/c', 't/self']);
});

test('parentsFirst on generated forests: a permutation, each parent present before its child, else the order kept', () => {
	fc.assert(
		fc.property(fc.array(fc.nat(30), {maxLength: 40}), fc.array(fc.nat(1000), {maxLength: 40}), (parents, keys) => {
			// Span i's parent is a lower index (a forest), stored in a shuffled order.
			const rows = parents.map((p, i) => row(`s${i}`, i === 0 || p % (i + 1) === i ? null : `s${p % i}`));
			const shuffled = rows
				.map((r, i) => ({r, k: keys[i] ?? i}))
				.sort((x, y) => x.k - y.k)
				.map(x => x.r);
			const out = parentsFirst(shuffled);
			assert.deepEqual([...ids(out)].sort(), [...ids(shuffled)].sort());
			const at = new Map(out.map((r, i) => [r.spanId, i]));
			for (const r of out) {
				if (r.parentSpanId !== null) {
					assert.ok(at.get(r.parentSpanId)! < at.get(r.spanId)!, `${r.parentSpanId} before ${r.spanId}`);
				}
			}
		}),
	);
});
