// Frozen copy of source/core/failure.ts as it was before issue 20 (index-based tree, streamed runs show):
// the oracle test/core/run-report-stream.test.ts compares the new report with. Do not edit.
import type {Span} from '../../../source/core/span.js';
import {byStart, pathTo, walk, type TraceTree} from './tree.js';

export interface Failure {
	span: Span;
	/** Root first, failing span last. */
	path: Span[];
	error: string | null;
}

function endOrInfinity(span: Span): number {
	return span.end_ms ?? Number.POSITIVE_INFINITY;
}

/**
 * Failed spans that something above them got past: some ancestor succeeded
 * (a retry, a fallback, a handled error), so the failure did not decide the
 * run. By start. An ancestor still running has not succeeded yet: a failure
 * under it stays unrecovered until it does.
 */
export function recoveredFailures(tree: TraceTree): Span[] {
	return walk(tree)
		.filter(span => span.status === 'failed' && hasSucceededAncestor(tree, span))
		.sort(byStart);
}

/** Span ids under a span that succeeded, computed once per tree (parents before children). */
const recoveredCache = new WeakMap<TraceTree, ReadonlySet<string>>();

function underSuccess(tree: TraceTree): ReadonlySet<string> {
	let set = recoveredCache.get(tree);
	if (set === undefined) {
		const under = new Set<string>();
		for (const span of walk(tree)) {
			const parentId = tree.parent.get(span.span_id);
			if (parentId !== null && parentId !== undefined && (under.has(parentId) || tree.byId.get(parentId)?.status === 'success')) {
				under.add(span.span_id);
			}
		}

		set = under;
		recoveredCache.set(tree, set);
	}

	return set;
}

function hasSucceededAncestor(tree: TraceTree, span: Span): boolean {
	return underSuccess(tree).has(span.span_id);
}

/** A failed span that nothing above it recovered from. */
export function isUnrecoveredFailure(tree: TraceTree, span: Span): boolean {
	return span.status === 'failed' && !hasSucceededAncestor(tree, span);
}

/**
 * Unrecovered failed spans with no unrecovered failed descendant: each the
 * bottom of a failure chain that reached the run. `within` narrows the
 * candidates; a failed span outside it does not hide its ancestors.
 */
export function rootCauseCandidates(tree: TraceTree, within?: (span: Span) => boolean): Span[] {
	const failed = [...tree.byId.values()].filter(span => isUnrecoveredFailure(tree, span) && (within?.(span) ?? true));
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
		if (best === null || endOrInfinity(span) < endOrInfinity(best) || (endOrInfinity(span) === endOrInfinity(best) && (span.start_ms < best.start_ms || (span.start_ms === best.start_ms && span.span_id < best.span_id)))) {
			best = span;
		}
	}

	return best;
}

/**
 * The root cause (DESIGN, "failure"): among unrecovered failed spans with no
 * unrecovered failed descendant, the one that ended first. Null when nothing
 * unrecovered failed, so a run that succeeded has none. Every consumer (the
 * run's failed_step, runs show, the console, report.html, analytics, decision
 * outcomes) asks this one function.
 */
export function rootCauseFailure(tree: TraceTree): Failure | null {
	const span = firstToEnd(rootCauseCandidates(tree));
	if (!span) {
		return null;
	}

	return {span, path: pathTo(tree, span.span_id), error: span.error?.message ?? null};
}
