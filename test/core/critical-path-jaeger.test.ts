import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {criticalPath} from '../../source/core/critical-path.js';
import {foldEvents} from '../../source/core/fold.js';
import {buildTree} from '../../source/core/tree.js';
import {otlpToEvents} from '../../source/interop/otlp-to-events.js';

/*
 * Jaeger UI's critical-path test cases, rewritten (not copied) from
 * jaegertracing/jaeger-ui, packages/jaeger-ui/src/components/TracePage/CriticalPath/testCases/test1.js … test9.js
 * (Apache-2.0, The Jaeger Authors). Each case gives spans (id, parent,
 * start, duration, span.kind, reference type) and Jaeger's expected
 * sections; Jaeger lists them latest first, here they are in time order.
 * test3's trace lives in a fixture file there; its shape (a root A of 40
 * from 100, a child B starting after A ends) is drawn in the case's comment.
 *
 * Every case goes the way real data does: OTLP/JSON with nanosecond times,
 * otlpToEvents, fold, tree, critical path. Jaeger's numbers are
 * microseconds; they run here at two scales on an epoch base, one unit a
 * millisecond and one unit a microsecond, so the microsecond digits have to
 * survive the conversion and the fold. The answers are compared in whole
 * microseconds from the base.
 */

interface CaseSpan {
	id: string;
	parent?: string;
	start: number;
	duration: number;
	kind?: 'producer' | 'consumer';
	followsFrom?: boolean;
}

interface JaegerCase {
	name: string;
	spans: CaseSpan[];
	/** [span id, start, end], in time order. */
	expected: Array<[string, number, number]>;
}

const CASES: JaegerCase[] = [
	{
		name: 'test1: gaps between two children go to the parent',
		spans: [
			{id: 'E', parent: 'C', start: 50, duration: 10},
			{id: 'C', start: 1, duration: 100},
			{id: 'D', parent: 'C', start: 20, duration: 20},
		],
		expected: [
			['C', 1, 20],
			['D', 20, 40],
			['C', 40, 50],
			['E', 50, 60],
			['C', 60, 101],
		],
	},
	{
		name: 'test2: of two overlapping children the last to finish wins, the other is hidden',
		spans: [
			{id: 'X', start: 1, duration: 100},
			{id: 'A', parent: 'X', start: 10, duration: 40},
			{id: 'C', parent: 'X', start: 20, duration: 40},
		],
		expected: [
			['X', 1, 20],
			['C', 20, 60],
			['X', 60, 101],
		],
	},
	{
		name: 'test3: a child that starts after its parent ended is dropped',
		spans: [
			{id: 'A', start: 100, duration: 40},
			{id: 'B', parent: 'A', start: 150, duration: 40},
		],
		expected: [['A', 100, 140]],
	},
	{
		name: 'test4: a child after its parent is dropped with its own children',
		spans: [
			{id: 'A', start: 1, duration: 30},
			{id: 'B', parent: 'A', start: 40, duration: 40},
			{id: 'c', parent: 'B', start: 50, duration: 10},
		],
		expected: [['A', 1, 31]],
	},
	{
		name: 'test5: a CONSUMER that follows from its PRODUCER is off the path, its children with it',
		spans: [
			{id: 'A', start: 1, duration: 30, kind: 'producer'},
			{id: 'B', parent: 'A', start: 10, duration: 10, kind: 'consumer', followsFrom: true},
			{id: 'C', parent: 'B', start: 12, duration: 2},
		],
		expected: [['A', 1, 31]],
	},
	{
		name: 'test6: a child that started before its parent is clipped to it',
		spans: [
			{id: 'A', start: 1, duration: 29},
			{id: 'B', parent: 'A', start: 15, duration: 20},
			{id: 'C', parent: 'B', start: 10, duration: 15},
		],
		expected: [
			['A', 1, 15],
			['C', 15, 25],
			['B', 25, 30],
		],
	},
	{
		name: 'test7: children overflowing their parents are clipped at each level',
		spans: [
			{id: 'A', start: 1, duration: 29},
			{id: 'B', parent: 'A', start: 15, duration: 20},
			{id: 'C', parent: 'B', start: 20, duration: 20},
		],
		expected: [
			['A', 1, 15],
			['B', 15, 20],
			['C', 20, 30],
		],
	},
	{
		name: 'test8: a child wider than its parent on both sides covers the whole parent',
		spans: [
			{id: 'A', start: 10, duration: 20},
			{id: 'B', parent: 'A', start: 5, duration: 30},
		],
		expected: [['B', 10, 30]],
	},
	{
		name: 'test9: a child wholly before its parent is dropped',
		spans: [
			{id: 'A', start: 10, duration: 20},
			{id: 'B', parent: 'A', start: 1, duration: 4},
		],
		expected: [['A', 10, 30]],
	},
];

// 2026-03-02T10:00:00Z in nanoseconds: epoch scale, where a double's step is a quarter microsecond.
const BASE_NS = 1_772_445_600_000_000_000n;
const BASE_MS = Number(BASE_NS / 1_000_000n);
const TRACE = '5B8EFFF798038103D269B633813FC60C';
const KIND_CODE = {producer: 4, consumer: 5} as const;

/** Span ids in OTLP are 16 hex digits; the case's letter is kept readable at the end. */
const spanIdOf = (id: string): string => `00000000000000${id.toLowerCase().charCodeAt(0).toString(16)}`;

function otlpOf(spans: CaseSpan[], unitNs: bigint): unknown {
	return {
		resourceSpans: [
			{
				resource: {attributes: [{key: 'service.name', value: {stringValue: 'service-one'}}]},
				scopeSpans: [
					{
						spans: spans.map(span => ({
							traceId: TRACE,
							spanId: spanIdOf(span.id),
							...(span.parent ? {parentSpanId: spanIdOf(span.parent)} : {}),
							name: `op-${span.id}`,
							...(span.kind ? {kind: KIND_CODE[span.kind]} : {}),
							startTimeUnixNano: String(BASE_NS + BigInt(span.start) * unitNs),
							endTimeUnixNano: String(BASE_NS + BigInt(span.start + span.duration) * unitNs),
							...(span.followsFrom && span.parent ? {links: [{traceId: TRACE, spanId: spanIdOf(span.parent), attributes: [{key: 'opentracing.ref_type', value: {stringValue: 'follows_from'}}]}]} : {}),
						})),
					},
				],
			},
		],
	};
}

function pathOf(spans: CaseSpan[], unitNs: bigint): Array<[string, number, number]> {
	const tree = buildTree(foldEvents(otlpToEvents(otlpOf(spans, unitNs))));
	const letter = new Map(spans.map(span => [spanIdOf(span.id), span.id]));
	const unitUs = Number(unitNs) / 1000;
	const units = (ms: number): number => Math.round((ms - BASE_MS) * 1000) / unitUs;
	return criticalPath(tree).map(segment => [letter.get(segment.span_id)!, units(segment.start_ms), units(segment.end_ms)]);
}

describe('critical path: Jaeger UI test cases', () => {
	for (const [scale, unitNs] of [
		['milliseconds', 1_000_000n],
		['microseconds', 1000n],
	] as const) {
		for (const testCase of CASES) {
			it(`${testCase.name} (one unit = one of ${scale})`, () => {
				assert.deepEqual(pathOf(testCase.spans, unitNs), testCase.expected);
			});
		}
	}
});

describe('critical path: asynchronous children (DESIGN)', () => {
	// test5's shape, each rule alone. A producer A [1, 31], its child B [10, 20], B's child C [12, 14].
	const shape = (b: Partial<CaseSpan>, a: Partial<CaseSpan> = {}): CaseSpan[] => [
		{id: 'A', start: 1, duration: 30, ...a},
		{id: 'B', parent: 'A', start: 10, duration: 10, ...b},
		{id: 'C', parent: 'B', start: 12, duration: 2},
	];
	// Walked by hand: from 31 back, B (ends 20) is the last child, A keeps [20, 31]; in B, C (ends 14)
	// leaves B [14, 20], then C [12, 14], then B [10, 12]; A keeps the rest [1, 10].
	const synchronous: Array<[string, number, number]> = [
		['A', 1, 10],
		['B', 10, 12],
		['C', 12, 14],
		['B', 14, 20],
		['A', 20, 31],
	];

	it('a CONSUMER child of a PRODUCER is off the path without any link', () => {
		assert.deepEqual(pathOf(shape({kind: 'consumer'}, {kind: 'producer'}), 1000n), [['A', 1, 31]]);
	});

	it('a child that follows from its parent is off the path whatever the kinds', () => {
		assert.deepEqual(pathOf(shape({followsFrom: true}), 1000n), [['A', 1, 31]]);
	});

	it('a CONSUMER under a span that is not a PRODUCER is waited for', () => {
		assert.deepEqual(pathOf(shape({kind: 'consumer'}), 1000n), synchronous);
	});

	it('a PRODUCER child of a CONSUMER (the handler publishing on) is waited for', () => {
		assert.deepEqual(pathOf(shape({kind: 'producer'}, {kind: 'consumer'}), 1000n), synchronous);
	});
});
