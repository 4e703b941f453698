import type {TraceEvent} from './trace-event.js';

/*
 * An OpenTelemetry SDK exports a span when it ends, so a big export lists
 * children before their parents and the root last. Stored in parts in that
 * order, every span is first written with a step path that lacks its
 * ancestors' names, and the part that brings the root rewrites the path of
 * every span below it (a second of serve's event loop for a 100k-span
 * export). The fold does not depend on the order events are stored in
 * (core/fold.ts compareFoldOrder), so an input stored in parts can be
 * stored parents first, and each span's path is right when it is written.
 */

const NO_PARENT = -1;

/**
 * The events, spans ordered by their depth within the events (a span whose
 * parent is not among them is at depth 0), spans of one depth in the order
 * they first appear, each span's events together and in their own order.
 * A span's parent is the first parent_span_id its events give. A cycle of
 * parent ids is cut where the walk meets it again.
 */
export function parentsFirst(events: readonly TraceEvent[]): TraceEvent[] {
	// Typed arrays and one id map per trace: at 300k events (a 100k-span export) strings made up of
	// trace and span id, and an array per span, took a quarter of a second and as much again in GC.
	const spanOf = new Int32Array(events.length);
	const byTrace = new Map<string, Map<string, number>>();
	const spanIds: Array<Map<string, number>> = [];
	const parentIds: Array<string | undefined> = [];
	let traceId: string | undefined;
	let ids: Map<string, number> | undefined;
	for (let i = 0; i < events.length; i++) {
		const event = events[i]!;
		if (event.trace_id !== traceId || ids === undefined) {
			traceId = event.trace_id;
			ids = byTrace.get(traceId);
			if (ids === undefined) {
				ids = new Map();
				byTrace.set(traceId, ids);
			}
		}

		let span = ids.get(event.span_id);
		if (span === undefined) {
			span = parentIds.length;
			ids.set(event.span_id, span);
			spanIds.push(ids);
			parentIds.push(undefined);
		}

		spanOf[i] = span;
		if (parentIds[span] === undefined && typeof event.parent_span_id === 'string') {
			parentIds[span] = event.parent_span_id;
		}
	}

	const spans = parentIds.length;
	const parents = new Int32Array(spans);
	for (let span = 0; span < spans; span++) {
		const id = parentIds[span];
		const parent = id === undefined ? undefined : spanIds[span]!.get(id);
		parents[span] = parent === undefined || parent === span ? NO_PARENT : parent;
	}

	const depths = new Int32Array(spans).fill(-1);
	const chain: number[] = [];
	let deepest = 0;
	for (let start = 0; start < spans; start++) {
		// Up to the first span whose depth is known (or the top), then down again: no recursion, for deep traces.
		let at = start;
		while (at !== NO_PARENT && depths[at] === -1) {
			depths[at] = -2; // on the chain: meeting it again is a cycle
			chain.push(at);
			at = parents[at]!;
		}

		let depth = at === NO_PARENT || depths[at]! < 0 ? -1 : depths[at]!;
		while (chain.length > 0) {
			depth++;
			depths[chain.pop()!] = depth;
		}

		deepest = Math.max(deepest, depth);
	}

	// Counting sorts, both stable: spans by depth (first appearance within one), then events by their span's place.
	const firstOfDepth = new Int32Array(deepest + 2);
	for (let span = 0; span < spans; span++) {
		firstOfDepth[depths[span]! + 1]!++;
	}

	for (let depth = 0; depth <= deepest; depth++) {
		firstOfDepth[depth + 1]! += firstOfDepth[depth]!;
	}

	const place = new Int32Array(spans);
	for (let span = 0; span < spans; span++) {
		place[span] = firstOfDepth[depths[span]!]!++;
	}

	const firstOfPlace = new Int32Array(spans + 1);
	for (let i = 0; i < events.length; i++) {
		firstOfPlace[place[spanOf[i]!]! + 1]!++;
	}

	for (let at = 0; at < spans; at++) {
		firstOfPlace[at + 1]! += firstOfPlace[at]!;
	}

	const ordered = new Array<TraceEvent>(events.length);
	for (let i = 0; i < events.length; i++) {
		ordered[firstOfPlace[place[spanOf[i]!]!]!++] = events[i]!;
	}

	return ordered;
}
