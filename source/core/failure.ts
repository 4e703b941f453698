import type {Span} from './span.js';
import {pathTo, type TraceTree} from './tree.js';

export interface Failure {
	span: Span;
	/** Root first, failing span last. */
	path: Span[];
	error: string | null;
}

function endOrInfinity(span: Span): number {
	return span.end_ms ?? Number.POSITIVE_INFINITY;
}

/** Failed spans with no failed descendant: each the bottom of a failure chain. */
export function rootCauseCandidates(tree: TraceTree, within?: (span: Span) => boolean): Span[] {
	const failed = [...tree.byId.values()].filter(span => span.status === 'failed' && (within?.(span) ?? true));
	const hasFailedBelow = new Set<string>();
	for (const span of failed) {
		let parent = tree.parent.get(span.span_id);
		while (parent !== null && parent !== undefined && !hasFailedBelow.has(parent)) {
			hasFailedBelow.add(parent);
			parent = tree.parent.get(parent);
		}
	}

	return failed.filter(span => !hasFailedBelow.has(span.span_id));
}

/** The earliest-ending of a set of spans (ties: earlier start, then span id). */
export function firstToEnd(spans: readonly Span[]): Span | null {
	let best: Span | null = null;
	for (const span of spans) {
		if (
			best === null
			|| endOrInfinity(span) < endOrInfinity(best)
			|| (endOrInfinity(span) === endOrInfinity(best)
				&& (span.start_ms < best.start_ms || (span.start_ms === best.start_ms && span.span_id < best.span_id)))
		) {
			best = span;
		}
	}

	return best;
}

/**
 * The root cause: among failed spans that have no failed descendant, the one
 * that ended first. Null when nothing failed.
 */
export function rootCauseFailure(tree: TraceTree): Failure | null {
	const span = firstToEnd(rootCauseCandidates(tree));
	if (!span) {
		return null;
	}

	return {span, path: pathTo(tree, span.span_id), error: span.error?.message ?? null};
}
