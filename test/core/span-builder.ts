import type {Span, SpanStatus} from '../../source/core/span.js';
import {buildTree, type TraceTree} from '../../source/core/tree.js';

export type SpanExtras = Partial<Span>;

/**
 * A folded span in one line: id, parent, start, end (null = open). Name
 * defaults to the id, kind to "step", status to success (pending when open),
 * and last_event_type follows kind and status.
 */
export function span(id: string, parent: string | null, start: number, end: number | null, extras: SpanExtras = {}): Span {
	const kind = extras.kind ?? 'step';
	const status: SpanStatus = extras.status ?? (end === null ? 'pending' : 'success');
	const phase = status === 'failed' ? 'failed' : status === 'pending' ? 'started' : 'completed';
	return {
		trace_id: 't1',
		span_id: id,
		parent_span_id: parent,
		name: id,
		kind,
		last_event_type: `${kind}:${phase}`,
		start_ms: start,
		end_ms: end,
		status,
		attributes: {},
		retries: [],
		stderr: [],
		tags: [],
		event_count: end === null ? 1 : 2,
		service: null,
		span_kind: null,
		resource: null,
		scope: null,
		events: [],
		links: [],
		status_message: null,
		logs: [],
		parent_trace_id: null,
		correlation_id: null,
		...extras,
	};
}

export function failed(id: string, parent: string | null, start: number, end: number, extras: SpanExtras = {}): Span {
	return span(id, parent, start, end, {status: 'failed', error: {message: `${id} broke`}, ...extras});
}

export function tree(...spans: Span[]): TraceTree {
	return buildTree(spans);
}

/** A chain root → s1 → s2 → … → s<depth>, each one ms inside its parent. */
export function chain(depth: number): Span[] {
	const spans: Span[] = [span('s0', null, 0, 2 * depth + 2, {kind: 'workflow'})];
	for (let i = 1; i <= depth; i++) {
		spans.push(span(`s${i}`, `s${i - 1}`, i, 2 * depth + 2 - i));
	}

	return spans;
}
