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
	const indexOf = new Map<string, number>();
	const spanEvents: TraceEvent[][] = [];
	const parentKeys: Array<string | undefined> = [];
	for (const event of events) {
		const key = `${event.trace_id}\u0000${event.span_id}`;
		let index = indexOf.get(key);
		if (index === undefined) {
			index = spanEvents.length;
			indexOf.set(key, index);
			spanEvents.push([]);
			parentKeys.push(undefined);
		}

		spanEvents[index]!.push(event);
		if (parentKeys[index] === undefined && typeof event.parent_span_id === 'string') {
			parentKeys[index] = `${event.trace_id}\u0000${event.parent_span_id}`;
		}
	}

	const parents = parentKeys.map((key, index) => {
		const parent = key === undefined ? undefined : indexOf.get(key);
		return parent === undefined || parent === index ? NO_PARENT : parent;
	});
	const depths = new Int32Array(spanEvents.length).fill(-1);
	const chain: number[] = [];
	for (let start = 0; start < spanEvents.length; start++) {
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
	}

	const byDepth: number[][] = [];
	for (let index = 0; index < spanEvents.length; index++) {
		const depth = depths[index]!;
		const spans = byDepth[depth];
		if (spans) {
			spans.push(index);
		} else {
			byDepth[depth] = [index];
		}
	}

	const ordered: TraceEvent[] = [];
	for (const spans of byDepth) {
		for (const index of spans ?? []) {
			for (const event of spanEvents[index]!) {
				ordered.push(event);
			}
		}
	}

	return ordered;
}
