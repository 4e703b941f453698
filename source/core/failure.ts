import type {Span} from './span.js';
import {byStart, pathTo, type TraceTree} from './tree.js';

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
	const under = underSuccess(tree);
	const {spans, order} = tree.indexed;
	const out: Span[] = [];
	for (const i of order) {
		if (under[i] === 1 && spans[i]!.status === 'failed') {
			out.push(spans[i]!);
		}
	}

	return out.sort(byStart);
}

/** Whether each span (by index) is under a span that succeeded, computed once per tree (parents before children). */
const recoveredCache = new WeakMap<TraceTree, Uint8Array>();

function underSuccess(tree: TraceTree): Uint8Array {
	let under = recoveredCache.get(tree);
	if (under === undefined) {
		const {spans, parent, order} = tree.indexed;
		under = new Uint8Array(spans.length);
		for (const i of order) {
			const p = parent[i]!;
			if (p >= 0 && (under[p] === 1 || spans[p]!.status === 'success')) {
				under[i] = 1;
			}
		}

		recoveredCache.set(tree, under);
	}

	return under;
}

function hasSucceededAncestor(tree: TraceTree, span: Span): boolean {
	const index = tree.indexed.indexOf.get(span.span_id);
	return index !== undefined && underSuccess(tree)[index] === 1;
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
	const failed = tree.indexed.spans.filter(span => isUnrecoveredFailure(tree, span) && (within?.(span) ?? true));
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
