import type {Span} from './span.js';

const STEP_KINDS = new Set(['stage', 'step', 'job', 'task']);

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
