import type {Span} from './span.js';

/** The span kinds that are steps; the store's SQL says the same (store/step-kind-sql.ts). */
export const STEP_KINDS: ReadonlySet<string> = new Set(['stage', 'step', 'job', 'task']);

/** Forward work a run counts as progress and a saga may have to undo. */
export function isStep(span: Span): boolean {
	return STEP_KINDS.has(span.kind);
}

/** A saga compensation span: it undoes the forward step named by data.original_span_id. */
export function isCompensation(span: Span): boolean {
	return span.kind === 'saga' && typeof span.attributes['original_span_id'] === 'string';
}

export function isDecision(span: Span): boolean {
	return span.last_event_type === 'ai:decision';
}
