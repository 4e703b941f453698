import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {Span} from '../../source/core/span.js';
import {buildTree, byStart, descendants, pathTo, stepPath, stepPathsByIndex, walk} from '../../source/core/tree.js';
import {chain, span, tree} from './span-builder.js';

const ids = (spans: readonly Span[]) => spans.map(s => s.span_id);

test('children are ordered by start, then span id', () => {
	const t = tree(span('root', null, 0, 100), span('c', 'root', 30, 40), span('b', 'root', 10, 20), span('a', 'root', 10, 50));
	assert.deepEqual(ids(t.children.get('root')!), ['a', 'b', 'c']);
	assert.equal(t.root?.span_id, 'root');
});

test('a span whose parent is unknown becomes another root; the earliest root is the root', () => {
	const t = tree(span('late', 'nowhere', 50, 60), span('root', null, 0, 100), span('a', 'root', 5, 10));
	assert.equal(t.root?.span_id, 'root');
	assert.deepEqual(ids(t.roots), ['root', 'late']);
	assert.equal(t.parent.get('late'), null);
	assert.equal(t.depth.get('late'), 0);
});

test('a parent cycle is cut at its earliest span', () => {
	// x -> y -> x, both hanging off nothing; z under y.
	const t = tree(span('root', null, 0, 100), span('x', 'y', 10, 20), span('y', 'x', 15, 30), span('z', 'y', 16, 17));
	assert.deepEqual(ids(t.roots), ['root', 'x']);
	assert.equal(t.parent.get('y'), 'x');
	assert.equal(t.parent.get('z'), 'y');
	assert.deepEqual(ids(t.children.get('y')!), ['z'], 'the cut link is gone from the children');
	assert.deepEqual(ids(walk(t)), ['root', 'x', 'y', 'z']);
});

test('a span that names itself as parent is a root', () => {
	const t = tree(span('self', 'self', 0, 10));
	assert.equal(t.root?.span_id, 'self');
	assert.deepEqual(ids(walk(t)), ['self']);
});

test('pathTo, stepPath and descendants', () => {
	// root
	// └ deploy
	//   ├ migrate
	//   └ push
	const t = tree(span('root', null, 0, 100, {name: 'deploy api'}), span('d', 'root', 1, 90, {name: 'deploy'}), span('m', 'd', 2, 10, {name: 'migrate'}), span('p', 'd', 11, 20, {name: 'push'}));
	assert.deepEqual(ids(pathTo(t, 'm')), ['root', 'd', 'm']);
	assert.deepEqual(pathTo(t, 'unknown'), []);
	assert.equal(stepPath(t, 'm'), 'deploy/migrate');
	assert.equal(stepPath(t, 'root'), '');
	assert.deepEqual(ids(descendants(t, 'root')).sort(), ['d', 'm', 'p']);
	assert.deepEqual(descendants(t, 'p'), []);
});

test('an unnamed span gets a kind-and-id name in its step path', () => {
	const t = tree(span('root', null, 0, 10), span('x1', 'root', 1, 2, {name: '', kind: 'stage'}));
	assert.equal(stepPath(t, 'x1'), 'stage x1');
});

test('walk is pre-order with children by start', () => {
	const t = tree(span('root', null, 0, 100), span('b', 'root', 50, 60), span('a', 'root', 10, 40), span('a2', 'a', 20, 30), span('a1', 'a', 10, 15));
	assert.deepEqual(ids(walk(t)), ['root', 'a', 'a1', 'a2', 'b']);
});

test('an empty trace has no root', () => {
	const t = buildTree([]);
	assert.equal(t.root, null);
	assert.deepEqual(walk(t), []);
});

test('a 10,000-level chain builds and walks without overflowing the stack', () => {
	const depth = 10_000;
	const t = buildTree(chain(depth));
	assert.equal(t.depth.get(`s${depth}`), depth);
	assert.equal(walk(t).length, depth + 1);
	assert.equal(pathTo(t, `s${depth}`).length, depth + 1);
	assert.equal(descendants(t, 's0').length, depth);
});

// Parents drawn from all ids plus unknown ones, so cycles, self-links and broken links all occur.
const randomSpans = fc.array(fc.record({parent: fc.option(fc.nat({max: 30}), {nil: null}), start: fc.integer({min: 0, max: 50})}), {minLength: 0, maxLength: 30}).map(rows => rows.map((row, i) => span(`s${i}`, row.parent === null ? null : `s${row.parent}`, row.start, row.start + 5)));

test('property: every span appears once in walk, depths and parents agree, children sorted', () => {
	fc.assert(
		fc.property(randomSpans, spans => {
			const t = buildTree(spans);
			const walked = ids(walk(t));
			assert.equal(walked.length, spans.length);
			assert.deepEqual([...walked].sort(), ids(spans).sort());
			for (const s of spans) {
				const parent = t.parent.get(s.span_id);
				assert.notEqual(parent, undefined);
				if (parent === null) {
					assert.equal(t.depth.get(s.span_id), 0);
					assert.ok(t.roots.includes(s));
				} else {
					assert.equal(t.depth.get(s.span_id), t.depth.get(parent!)! + 1);
					assert.ok(t.children.get(parent!)!.includes(s));
					assert.equal(s.parent_span_id, parent, 'the tree only keeps real links');
				}

				const kids = t.children.get(s.span_id) ?? [];
				for (let i = 1; i < kids.length; i++) {
					assert.ok(byStart(kids[i - 1]!, kids[i]!) < 0, 'children sorted by start');
				}

				for (const kid of kids) {
					assert.equal(t.parent.get(kid.span_id), s.span_id);
				}
			}

			// Pre-order: every span comes after its parent.
			const position = new Map(walked.map((id, i) => [id, i]));
			for (const s of spans) {
				const parent = t.parent.get(s.span_id);
				if (parent) {
					assert.ok(position.get(parent)! < position.get(s.span_id)!);
				}
			}
		}),
		{numRuns: 500},
	);
});

test('property: stepPathsByIndex gives every span the path stepPath gives it (cycles, lost parents, chains past the segment limit, unnamed spans)', () => {
	// Parents drawn among all ids (cycles and self-parents included) and some that never arrive; long
	// chains so that paths pass MAX_PATH_SEGMENTS; some spans without a name (kind-and-id names).
	const shapes = fc.array(fc.record({parent: fc.option(fc.oneof(fc.nat({max: 80}), fc.constant(999)), {nil: null}), start: fc.integer({min: 0, max: 50}), named: fc.boolean()}), {minLength: 0, maxLength: 80});
	fc.assert(
		fc.property(shapes, fc.nat({max: 60}), (rows, chainLength) => {
			const spans = rows.map((row, i) => span(`s${i}`, row.parent === null ? null : `s${row.parent}`, row.start, row.start + 5, row.named ? {} : {name: ''}));
			// A chain under the first span, deeper than the path keeps.
			for (let k = 0; k < chainLength && spans.length > 0; k++) {
				spans.push(span(`c${k}`, k === 0 ? 's0' : `c${k - 1}`, 60 + k, 61 + k));
			}

			const t = buildTree(spans);
			const paths = stepPathsByIndex(t);
			for (const s of spans) {
				assert.equal(paths[t.indexed.indexOf.get(s.span_id)!], stepPath(t, s.span_id), s.span_id);
			}
		}),
		{numRuns: 300},
	);
});
