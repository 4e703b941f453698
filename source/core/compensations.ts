import {displayName} from './fold.js';
import type {Span, SpanStatus} from './span.js';
import {isCompensation, isStep} from './step-kind.js';
import {byStart, walk, type TraceTree} from './tree.js';

/** One compensation span and the forward step it undoes. */
export interface CompensationLink {
	original_span_id: string;
	span_id: string;
	status: SpanStatus;
	start_ms: number;
	end_ms: number | null;
	/** Absent when the original step is not in the trace. */
	original_name?: string;
}

export interface CompensationChains {
	/** By start. */
	compensations: CompensationLink[];
	/** Span ids of forward steps left undone, by start. */
	orphans: string[];
}

/**
 * The saga's compensations and the forward steps it left undone. A step is an
 * orphan when its compensation failed (and none succeeded), or when it had
 * completed by the time compensation began and nothing undid it.
 *
 * "Undid it" also counts a compensation of an enclosing step (undoing a stage
 * undoes its steps) or of a step inside it (a stage whose steps were undone one
 * by one is not itself left over; its uncompensated steps are reported instead).
 * A run without compensations has no orphans: nothing was being rolled back.
 */
export function compensationChains(tree: TraceTree): CompensationChains {
	const spans = [...tree.byId.values()].filter(span => isCompensation(span)).sort(byStart);
	if (spans.length === 0) {
		return {compensations: [], orphans: []};
	}

	const byOriginal = new Map<string, Span[]>();
	const compensations = spans.map((span): CompensationLink => {
		const originalId = span.attributes['original_span_id'] as string;
		const list = byOriginal.get(originalId) ?? [];
		list.push(span);
		byOriginal.set(originalId, list);
		const original = tree.byId.get(originalId);
		const link: CompensationLink = {
			original_span_id: originalId,
			span_id: span.span_id,
			status: span.status,
			start_ms: span.start_ms,
			end_ms: span.end_ms,
		};
		if (original) {
			link.original_name = displayName(original);
		}

		return link;
	});

	const began = spans[0]!.start_ms;
	const enclosingUndone = new Set<string>();
	for (const span of walk(tree)) {
		const parent = tree.parent.get(span.span_id);
		if (byOriginal.has(span.span_id) || (parent !== null && parent !== undefined && enclosingUndone.has(parent))) {
			enclosingUndone.add(span.span_id);
		}
	}

	const innerUndone = new Set<string>();
	for (const originalId of byOriginal.keys()) {
		let parent = tree.parent.get(originalId);
		while (parent !== null && parent !== undefined && !innerUndone.has(parent)) {
			innerUndone.add(parent);
			parent = tree.parent.get(parent);
		}
	}

	const orphans = [...tree.byId.values()]
		.filter(span => {
			if (!isStep(span)) {
				return false;
			}

			const own = byOriginal.get(span.span_id);
			if (own) {
				return own.some(c => c.status === 'failed') && !own.some(c => c.status === 'success');
			}

			const completedBefore = span.status === 'success' && span.end_ms !== null && span.end_ms <= began;
			return completedBefore && !enclosingUndone.has(span.span_id) && !innerUndone.has(span.span_id);
		})
		.sort(byStart)
		.map(span => span.span_id);

	return {compensations, orphans};
}
