import type {Span} from './span.js';

/** A name for a span that never said its own: its kind and id ("step 9f3c…"). */
export function displayName(span: Pick<Span, 'name' | 'kind' | 'span_id'>): string {
	return span.name !== '' ? span.name : `${span.kind || 'span'} ${span.span_id}`;
}
