// Frozen copy of source/core/critical-path.ts as it was before issue 20 (index-based tree, streamed runs show):
// the oracle test/core/run-report-stream.test.ts compares the new report with. Do not edit.
import type {Span} from '../../../source/core/span.js';
import {byStart, type TraceTree} from './tree.js';

/** A stretch of time, on one span, that the trace's end waited for. Epoch ms. */
export interface CriticalSegment {
	span_id: string;
	start_ms: number;
	end_ms: number;
}

interface Window {
	start: number;
	end: number;
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
function latestKnownMs(tree: TraceTree): number {
	let latest = Number.NEGATIVE_INFINITY;
	for (const span of tree.byId.values()) {
		latest = Math.max(latest, span.start_ms, span.end_ms ?? span.start_ms);
	}

	return latest;
}

/** Latest end first, so a cursor can only move forward as the walk goes back in time. */
function byEndDescending(windows: ReadonlyMap<string, Window>) {
	return (a: string, b: string): number => {
		const wa = windows.get(a)!;
		const wb = windows.get(b)!;
		// On equal ends the longer child wins: it explains more of the wait than its parent's own time.
		return wb.end - wa.end || wa.start - wb.start || (a < b ? -1 : a > b ? 1 : 0);
	};
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

	const now = nowMs ?? latestKnownMs(tree);
	return [...tree.roots].sort(byStart).flatMap(root => rootCriticalPath(tree, root, now));
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
function rootCriticalPath(tree: TraceTree, root: Span, now: number): CriticalSegment[] {
	const endOf = (span: Span): number => Math.max(span.start_ms, span.end_ms ?? now);
	const windows = new Map<string, Window>([[root.span_id, {start: root.start_ms, end: endOf(root)}]]);
	const kids = new Map<string, string[]>();
	const queue: string[] = [root.span_id];
	for (let i = 0; i < queue.length; i++) {
		const id = queue[i]!;
		const parent = windows.get(id)!;
		const parentSpan = tree.byId.get(id)!;
		const kept: string[] = [];
		for (const child of tree.children.get(id) ?? []) {
			const start = child.start_ms;
			const end = endOf(child);
			if (start >= parent.end || end <= parent.start || isAsynchronousChild(parentSpan, child)) {
				continue;
			}

			windows.set(child.span_id, {start: Math.max(start, parent.start), end: Math.min(end, parent.end)});
			kept.push(child.span_id);
			queue.push(child.span_id);
		}

		if (kept.length > 0) {
			kept.sort(byEndDescending(windows));
			kids.set(id, kept);
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

	const cursor = new Map<string, number>();
	let current = root.span_id;
	let point = windows.get(current)!.end;
	for (;;) {
		const children = kids.get(current) ?? [];
		let i = cursor.get(current) ?? 0;
		while (i < children.length && windows.get(children[i]!)!.end > point) {
			i++;
		}

		if (i < children.length) {
			const child = children[i]!;
			cursor.set(current, i + 1);
			const childEnd = windows.get(child)!.end;
			add(current, childEnd, point);
			current = child;
			point = childEnd;
			continue;
		}

		cursor.set(current, i);
		const start = windows.get(current)!.start;
		add(current, start, point);
		if (current === root.span_id) {
			break;
		}

		point = start;
		current = tree.parent.get(current)!;
	}

	return backwards.reverse();
}
