import {useMemo} from 'react';
import {criticalPath, type CriticalSegment} from '../../core/critical-path.js';
import {recoveredFailures, rootCauseFailure, type Failure} from '../../core/failure.js';
import type {Span} from '../../core/span.js';
import {buildTree, type TraceTree} from '../../core/tree.js';
import type {TimeRange} from '../components/waterfall-bar.js';
import type {TraceData} from './use-trace.js';

export interface TraceModel {
	tree: TraceTree;
	failure: Failure | null;
	/** Span ids of recovered failures: not causes, worth a neutral note. */
	recovered: ReadonlySet<string>;
	/** Earliest start to latest end (or start) across the trace; open spans extend it to now when drawn. */
	range: TimeRange;
	/** The newest span (latest start): what following sticks to. */
	newest: Span | null;
	spanCount: number;
	hasOpenSpans: boolean;
	/** The critical path's segments by span, computed on first use and kept with the model. */
	critical: () => ReadonlyMap<string, CriticalSegment[]>;
}

export function criticalBySpan(segments: readonly CriticalSegment[]): Map<string, CriticalSegment[]> {
	const map = new Map<string, CriticalSegment[]>();
	for (const segment of segments) {
		const list = map.get(segment.span_id) ?? [];
		list.push(segment);
		map.set(segment.span_id, list);
	}

	return map;
}

const NO_CRITICAL: ReadonlyMap<string, CriticalSegment[]> = new Map();

/** Models computed ahead, off the render (prepareTraceModel), by the spans they are of. */
const prepared = new WeakMap<readonly Span[], TraceModel>();

/**
 * Compute the model of `spans` in steps with `pause` (a turn of the event loop) between
 * them, for useTraceModel to take as it is: at 100,000 spans the tree, the root cause and
 * the critical path take 0.2-0.3 s each, and in one render they would hold keys for all three.
 */
export async function prepareTraceModel(spans: readonly Span[], pause: () => Promise<void>): Promise<void> {
	const tree = buildTree(spans);
	await pause();
	const failure = rootCauseFailure(tree);
	await pause();
	const recovered = new Set(recoveredFailures(tree).map(span => span.span_id));
	await pause();
	const critical = criticalBySpan(criticalPath(tree));
	prepared.set(
		spans,
		assemble(spans, tree, failure, recovered, spans.length, () => critical),
	);
}

/**
 * Everything derived from a trace's spans, computed once per data change (not per keypress).
 * `total`: the trace's span count while only the top of its tree is in (TraceData.progress):
 * the tree opens as the whole trace will, and nothing is blamed or marked critical from a part.
 */
export function traceModel(spans: readonly Span[], total?: number): TraceModel {
	const tree = buildTree(spans);
	if (total !== undefined) {
		return assemble(spans, tree, null, new Set(), total, () => NO_CRITICAL);
	}

	let critical: ReadonlyMap<string, CriticalSegment[]> | undefined;
	return assemble(spans, tree, rootCauseFailure(tree), new Set(recoveredFailures(tree).map(span => span.span_id)), spans.length, () => {
		critical ??= criticalBySpan(criticalPath(tree));
		return critical;
	});
}

function assemble(spans: readonly Span[], tree: TraceTree, failure: Failure | null, recovered: ReadonlySet<string>, spanCount: number, critical: () => ReadonlyMap<string, CriticalSegment[]>): TraceModel {
	let start = Number.POSITIVE_INFINITY;
	let end = Number.NEGATIVE_INFINITY;
	let newest: Span | null = null;
	let hasOpenSpans = false;
	for (const span of spans) {
		start = Math.min(start, span.start_ms);
		end = Math.max(end, span.end_ms ?? span.start_ms);
		if (span.end_ms === null) {
			hasOpenSpans = true;
		}

		if (newest === null || span.start_ms > newest.start_ms || (span.start_ms === newest.start_ms && span.span_id > newest.span_id)) {
			newest = span;
		}
	}

	if (!Number.isFinite(start)) {
		start = 0;
		end = 0;
	}

	return {tree, failure, recovered, range: {start, end}, newest, spanCount, hasOpenSpans, critical};
}

export function useTraceModel(trace: TraceData): TraceModel {
	const total = trace.progress?.total;
	return useMemo(() => (total === undefined ? prepared.get(trace.spans) : undefined) ?? traceModel(trace.spans, total), [trace.spans, total]);
}
