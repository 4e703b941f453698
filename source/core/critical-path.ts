import type {Span} from './span.js';
import {byStart, type TraceTree} from './tree.js';

/** A stretch of time, on one span, that the trace's end waited for. Epoch ms. */
export interface CriticalSegment {
	span_id: string;
	start_ms: number;
	end_ms: number;
}

/** The link attribute OpenTelemetry gives OpenTracing's reference type (Jaeger's FOLLOWS_FROM arrives as one). */
const REF_TYPE = 'opentracing.ref_type';

/**
 * Whether the parent does not wait for the child (DESIGN, "critical_path"):
 * a CONSUMER under a PRODUCER (Jaeger UI's rule: the message is handled after
 * the producer moved on), or a child that only follows from its parent: it
 * links to its parent with `opentracing.ref_type: follows_from`. OTLP has no
 * follows-from flag of its own; a reader of Jaeger data makes the followed
 * span the parent (as Jaeger UI does with a span's first reference) and adds
 * that link. The child's whole subtree leaves the parent's path with it.
 */
export function isAsynchronousChild(parent: Span, child: Span): boolean {
	if (parent.span_kind === 'producer' && child.span_kind === 'consumer') {
		return true;
	}

	return (child.links ?? []).some(link => link.span_id === parent.span_id && link.attributes[REF_TYPE] === 'follows_from');
}

/** What an open span's end means when the caller gives no clock: the core has none of its own. */
function latestKnownMs(spans: readonly Span[]): number {
	let latest = Number.NEGATIVE_INFINITY;
	for (const span of spans) {
		latest = Math.max(latest, span.start_ms, span.end_ms ?? span.start_ms);
	}

	return latest;
}

/** Windows, kept children and cursors by span index, shared by every root's walk (a span sits under one root). */
interface Scratch {
	start: Float64Array;
	end: Float64Array;
	/** Kept children of span i: kids[kidStart[i]] up to kids[kidStart[i] + kidCount[i]], latest end first. */
	kidStart: Int32Array;
	kidCount: Int32Array;
	kids: Int32Array;
	cursor: Int32Array;
	/** The breadth-first queue of one root's walk. */
	queue: Int32Array;
}

/**
 * The critical path of the trace (DESIGN, "critical_path"): one path through
 * every root, in time order, so a trace whose services never joined (two
 * roots) still shows what each of them waited for. Each root's path is
 * Jaeger UI's (see rootCriticalPath). Open spans end at `nowMs`, by default
 * the latest timestamp in the trace.
 */
export function criticalPath(tree: TraceTree, nowMs?: number): CriticalSegment[] {
	if (tree.roots.length === 0) {
		return [];
	}

	const {spans, indexOf} = tree.indexed;
	const now = nowMs ?? latestKnownMs(spans);
	const n = spans.length;
	const scratch: Scratch = {start: new Float64Array(n), end: new Float64Array(n), kidStart: new Int32Array(n), kidCount: new Int32Array(n), kids: new Int32Array(n), cursor: new Int32Array(n), queue: new Int32Array(n)};
	return [...tree.roots].sort(byStart).flatMap(root => rootCriticalPath(tree, indexOf.get(root.span_id)!, now, scratch));
}

/**
 * The critical path under one root, as Jaeger UI computes it:
 * from the root's end, walk back through the last-finishing child that ends at
 * or before the current point, descend into it with its own window, and give
 * the gaps no child covers to the parent. Children are clipped to their
 * parent's window (clock skew, overflow); children wholly outside it are left
 * out. The segments, in time order, cover exactly the root's window.
 *
 * Asynchronous children (isAsynchronousChild) are left out, as Jaeger UI
 * leaves out non-blocking children.
 *
 * Two departures from Jaeger, both for millisecond timestamps: a child that
 * ends exactly where the next one starts still counts (Jaeger wants strictly
 * before, which drops back-to-back steps), and each parent keeps a cursor into
 * its children so zero-length children cannot be picked twice.
 *
 * Iterative: a 10,000-level chain does not touch the call stack.
 */
function rootCriticalPath(tree: TraceTree, root: number, now: number, scratch: Scratch): CriticalSegment[] {
	const {spans, parent, childStart, childIndex} = tree.indexed;
	const {start, end, kidStart, kidCount, kids, cursor} = scratch;
	start[root] = spans[root]!.start_ms;
	end[root] = Math.max(spans[root]!.start_ms, spans[root]!.end_ms ?? now);
	// Latest end first, so a cursor can only move forward as the walk goes back in time.
	// On equal ends the longer child wins: it explains more of the wait than its parent's own time.
	const byEndDescending = (a: number, b: number): number => {
		const d = end[b]! - end[a]! || start[a]! - start[b]!;
		if (d) {
			return d;
		}

		const x = spans[a]!.span_id;
		const y = spans[b]!.span_id;
		return x < y ? -1 : x > y ? 1 : 0;
	};

	// Breadth first from the root; each span's kept children are one stretch of `kids`, written as it is reached.
	const {queue} = scratch;
	queue[0] = root;
	let queued = 1;
	let written = 0;
	for (let q = 0; q < queued; q++) {
		const id = queue[q]!;
		const parentStart = start[id]!;
		const parentEnd = end[id]!;
		const parentSpan = spans[id]!;
		kidStart[id] = written;
		cursor[id] = 0;
		for (let c = childStart[id]!; c < childStart[id + 1]!; c++) {
			const childIndexAt = childIndex[c]!;
			const child = spans[childIndexAt]!;
			const childStartMs = child.start_ms;
			const childEnd = Math.max(childStartMs, child.end_ms ?? now);
			// isAsynchronousChild asked only where it can say yes: most spans have no links and no producer above them.
			if (childStartMs >= parentEnd || childEnd <= parentStart || ((child.links?.length > 0 || parentSpan.span_kind === 'producer') && isAsynchronousChild(parentSpan, child))) {
				continue;
			}

			start[childIndexAt] = Math.max(childStartMs, parentStart);
			end[childIndexAt] = Math.min(childEnd, parentEnd);
			kids[written++] = childIndexAt;
			queue[queued++] = childIndexAt;
		}

		kidCount[id] = written - kidStart[id]!;
		if (kidCount[id]! > 1) {
			kids.subarray(kidStart[id]!, written).sort(byEndDescending);
		}
	}

	// Built from the end backwards; reversed at the end.
	const backwards: CriticalSegment[] = [];
	const add = (spanId: string, start: number, end: number): void => {
		if (start >= end) {
			return;
		}

		const last = backwards.at(-1);
		if (last && last.span_id === spanId && last.start_ms === end) {
			last.start_ms = start;
		} else {
			backwards.push({span_id: spanId, start_ms: start, end_ms: end});
		}
	};

	let current = root;
	let point = end[current]!;
	for (;;) {
		const first = kidStart[current]!;
		const count = kidCount[current]!;
		let i = cursor[current]!;
		while (i < count && end[kids[first + i]!]! > point) {
			i++;
		}

		if (i < count) {
			const child = kids[first + i]!;
			cursor[current] = i + 1;
			const childEnd = end[child]!;
			add(spans[current]!.span_id, childEnd, point);
			current = child;
			point = childEnd;
			continue;
		}

		cursor[current] = i;
		const currentStart = start[current]!;
		add(spans[current]!.span_id, currentStart, point);
		if (current === root) {
			break;
		}

		point = currentStart;
		current = parent[current]!;
	}

	return backwards.reverse();
}
