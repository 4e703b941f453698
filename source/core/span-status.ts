import type {Span} from './span.js';

/** A span cancelled rather than failed: fold settles both as failed, the producer's word tells them apart. */
export function isCancelled(span: Span): boolean {
	return span.attributes['status'] === 'cancelled' || span.last_event_type.endsWith(':cancelled');
}
