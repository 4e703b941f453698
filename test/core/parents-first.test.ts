import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {parentsFirst} from '../../source/core/parents-first.js';
import type {TraceEvent} from '../../source/core/trace-event.js';

const event = (span: string, parent: string | undefined, phase: string, trace = 't'): TraceEvent => ({trace_id: trace, span_id: span, ...(parent === undefined ? {} : {parent_span_id: parent}), event_type: `step:${phase}`, timestamp: '2026-01-15T12:00:00.000Z'});
const ids = (events: readonly TraceEvent[]): string[] => events.map(e => `${e.trace_id}/${e.span_id}:${e.event_type.slice(5)}`);

test('parents first: an SDK export (children first, the root last) is stored root, children, grandchildren, each span whole and in its own order', () => {
	const input = [event('g1', 'c1', 'started'), event('g1', 'c1', 'completed'), event('c1', 'r', 'started'), event('c2', 'r', 'started'), event('c1', 'r', 'completed'), event('r', undefined, 'started'), event('r', undefined, 'completed')];
	assert.deepEqual(ids(parentsFirst(input)), ['t/r:started', 't/r:completed', 't/c1:started', 't/c1:completed', 't/c2:started', 't/g1:started', 't/g1:completed']);
});

test('parents first: a parent outside the input, a span that is its own parent, a cycle and another trace with the same ids are each cut as the rule says', () => {
	const input = [
		event('a', 'missing', 'started'), // depth 0: its parent is not here
		event('self', 'self', 'started'), // depth 0
		event('x', 'y', 'started'), // x -> y -> x: cut where the walk meets x again
		event('y', 'x', 'started'),
		event('c1', 'r', 'started', 'u'), // trace u: r is u's, not t's
		event('r', undefined, 'started', 'u'),
	];
	// x's walk: x, y, then x again: y is the top (depth 0), x below it.
	assert.deepEqual(ids(parentsFirst(input)), ['t/a:started', 't/self:started', 't/y:started', 'u/r:started', 't/x:started', 'u/c1:started']);
});

test('parents first (property): the same events, each span whole in its order, every span after its parent when its parent is there', () => {
	const spanIds = ['a', 'b', 'c', 'd', 'e', 'f'];
	const arbitraryEvent = fc.record({span: fc.constantFrom(...spanIds), parent: fc.option(fc.constantFrom(...spanIds, 'zz'), {nil: undefined}), trace: fc.constantFrom('t', 'u'), n: fc.nat(1000)});
	fc.assert(
		fc.property(fc.array(arbitraryEvent, {maxLength: 40}), list => {
			const input = list.map(({span, parent, trace, n}) => ({...event(span, parent, `e${n}`, trace)}));
			const output = parentsFirst(input);
			assert.equal(output.length, input.length);
			assert.deepEqual(new Set(output), new Set(input), 'the same event objects');
			const key = (e: TraceEvent): string => `${e.trace_id}/${e.span_id}`;
			const of = (events: readonly TraceEvent[], k: string): TraceEvent[] => events.filter(e => key(e) === k);
			const keys = [...new Set(input.map(key))];
			for (const k of keys) {
				assert.deepEqual(of(output, k), of(input, k), `${k}'s events in their order`);
				const positions = output.flatMap((e, i) => (key(e) === k ? [i] : []));
				assert.equal(positions.at(-1)! - positions[0]!, positions.length - 1, `${k}'s events together`);
			}

			// Where no cycle is involved, a span comes after its parent (the first parent its events name).
			const parentOf = new Map<string, string>();
			for (const e of input) {
				if (!parentOf.has(key(e)) && e.parent_span_id !== undefined) {
					parentOf.set(key(e), `${e.trace_id}/${e.parent_span_id}`);
				}
			}

			const inCycle = (k: string): boolean => {
				const seen = new Set<string>();
				for (let at: string | undefined = k; at !== undefined && keys.includes(at); at = parentOf.get(at)) {
					if (seen.has(at)) {
						return true;
					}

					seen.add(at);
				}

				return false;
			};
			const first = (k: string): number => output.findIndex(e => key(e) === k);
			for (const k of keys) {
				const parent = parentOf.get(k);
				if (parent !== undefined && parent !== k && keys.includes(parent) && !inCycle(k)) {
					assert.ok(first(parent) < first(k), `${parent} before ${k}`);
				}
			}
		}),
		{numRuns: 500},
	);
});
