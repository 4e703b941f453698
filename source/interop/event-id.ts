/**
 * The form of a producer's event id (TraceEvent.event_id), checked at every
 * edge that takes one: ingest, the emitter. Without zod, so the emitter stays light.
 */

import {MAX_ID_LENGTH} from '../core/input-limits.js';

/** Longest event id: the longest of any TraceEvent id. */
export const MAX_EVENT_ID_LENGTH = MAX_ID_LENGTH;
// Printable ASCII without spaces: ids are compared byte for byte and may be shown, so nothing that looks alike or moves the cursor.
const EVENT_ID_FORM = /^[\x21-\x7e]+$/;

/** What is wrong with an event id, phrased to follow "must be"; undefined when it is a good one. */
export function eventIdProblem(value: unknown): string | undefined {
	if (typeof value !== 'string' || value === '') {
		return 'a non-empty string';
	}

	if (value.length > MAX_EVENT_ID_LENGTH) {
		return `at most ${MAX_EVENT_ID_LENGTH} characters (got ${value.length})`;
	}

	return EVENT_ID_FORM.test(value) ? undefined : 'printable ASCII without spaces';
}
