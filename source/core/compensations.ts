import {displayName} from './span-name.js';
import type {Span, SpanStatus} from './span.js';
import {isCancelled} from './span-status.js';
import {isCompensation, isStep} from './step-kind.js';
import {byStart, type TraceTree} from './tree.js';

/**
 * What a saga scope's compensations were: a `rollback` when the scope failed
 * or was cancelled, a `local_undo` when it went on to succeed (one step
 * undone, then a fallback), `in_progress` while the scope still runs.
 */
export type CompensationScopeKind = 'rollback' | 'local_undo' | 'in_progress';

/** Each kind in words, for every screen, page and text that names it. */
export const SCOPE_KIND_WORDS: Readonly<Record<CompensationScopeKind, string>> = {
	rollback: 'rollback of a failed scope',
	local_undo: 'local undo in a scope that succeeded',
	in_progress: 'scope still running',
};

/** One compensation span and the forward step it undoes. */
export interface CompensationLink {
	original_span_id: string;
	span_id: string;
	status: SpanStatus;
	start_ms: number;
	end_ms: number | null;
	/** Absent when the original step is not in the trace. */
	original_name?: string;
	/** The saga scope the compensation ran in: its parent span (null for a compensation with no parent). */
	scope_span_id: string | null;
	scope: CompensationScopeKind;
}

export interface CompensationChains {
	/** By start. */
	compensations: CompensationLink[];
	/** Span ids of forward steps left undone, by start. */
	orphans: string[];
}

function scopeKind(scope: Span | undefined): CompensationScopeKind {
	if (scope === undefined || scope.status === 'failed' || isCancelled(scope)) {
		// A compensation with no scope around it can only be undoing the whole run.
		return 'rollback';
	}

	return scope.end_ms === null ? 'in_progress' : 'local_undo';
}

/**
 * The saga's compensations and the forward steps it left undone (DESIGN,
 * "compensations / orphans"). A compensation belongs to the saga scope of its
 * parent span. Only a scope that failed or was cancelled is rolling back: its
 * orphans are the forward steps directly in it that had completed by the time
 * its first compensation began and that nothing undid. A scope that succeeded
 * only ran a local undo and leaves no orphans, and one still running has not
 * decided yet. Anywhere, a step whose compensations all failed is an orphan.
 *
 * "Undid it" also counts a compensation of an enclosing step (undoing a stage
 * undoes its steps). A stage undone one step at a time (a compensation of a
 * step inside it) is not itself left over: its own steps are judged instead.
 */
export function compensationChains(tree: TraceTree): CompensationChains {
	const spans = tree.indexed.spans.filter(span => isCompensation(span)).sort(byStart);
	if (spans.length === 0) {
		return {compensations: [], orphans: []};
	}

	const byOriginal = new Map<string, Span[]>();
	const byScope = new Map<string | null, Span[]>();
	const compensations = spans.map((span): CompensationLink => {
		const originalId = span.attributes['original_span_id'] as string;
		byOriginal.set(originalId, [...(byOriginal.get(originalId) ?? []), span]);
		const scopeId = tree.parent.get(span.span_id) ?? null;
		byScope.set(scopeId, [...(byScope.get(scopeId) ?? []), span]);
		const original = tree.byId.get(originalId);
		const link: CompensationLink = {
			original_span_id: originalId,
			span_id: span.span_id,
			status: span.status,
			start_ms: span.start_ms,
			end_ms: span.end_ms,
			scope_span_id: scopeId,
			scope: scopeKind(scopeId === null ? undefined : tree.byId.get(scopeId)),
		};
		if (original) {
			link.original_name = displayName(original);
		}

		return link;
	});

	const undoneAbove = (span: Span): boolean => {
		for (let id = tree.parent.get(span.span_id); id !== null && id !== undefined; id = tree.parent.get(id)) {
			if (byOriginal.has(id)) {
				return true;
			}
		}

		return false;
	};

	const undoneBelow = new Set<string>();
	for (const originalId of byOriginal.keys()) {
		for (let id = tree.parent.get(originalId); id !== null && id !== undefined && !undoneBelow.has(id); id = tree.parent.get(id)) {
			undoneBelow.add(id);
		}
	}

	const orphans = new Set<string>();
	for (const [stepId, own] of byOriginal) {
		if (own.some(c => c.status === 'failed') && !own.some(c => c.status === 'success')) {
			orphans.add(stepId);
		}
	}

	for (const [scopeId, scoped] of byScope) {
		const scope = scopeId === null ? undefined : tree.byId.get(scopeId);
		if (scope === undefined || scopeKind(scope) !== 'rollback') {
			continue;
		}

		const began = scoped[0]!.start_ms;
		const forward = (tree.children.get(scope.span_id) ?? []).filter(span => isStep(span) && !isCompensation(span));
		while (forward.length > 0) {
			const step = forward.pop()!;
			if (byOriginal.has(step.span_id) || undoneAbove(step)) {
				continue;
			}

			if (undoneBelow.has(step.span_id)) {
				forward.push(...(tree.children.get(step.span_id) ?? []).filter(span => isStep(span) && !isCompensation(span)));
				continue;
			}

			if (step.status === 'success' && step.end_ms !== null && step.end_ms <= began) {
				orphans.add(step.span_id);
			}
		}
	}

	return {
		compensations,
		orphans: [...orphans]
			.map(id => tree.byId.get(id))
			.filter((span): span is Span => span !== undefined)
			.sort(byStart)
			.map(span => span.span_id),
	};
}
