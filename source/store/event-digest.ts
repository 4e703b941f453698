import crypto from 'node:crypto';
import type {TraceEvent} from '../core/trace-event.js';

const oneShot = (crypto as {hash?: (algorithm: string, data: string, encoding: 'base64url') => string}).hash;

/**
 * The content digest of an event's body as serialized. The edges bound data
 * depth (interop/json-depth.ts, core/redact.ts) so that serialization never
 * overflows.
 */
export function eventDigest(body: string): string {
	// The one-shot hash (Node 20.12+) makes no Hash object: about 3x faster per event.
	return oneShot === undefined ? crypto.createHash('sha1').update(body).digest('base64url') : oneShot('sha1', body, 'base64url');
}

/**
 * An event's identity in the store, held in the events table's unique
 * `digest` column: storing an event whose identity is there already stores nothing.
 *
 * - With the producer's `event_id`: `id:` and a digest of the trace id and the
 *   event id. A retried write of the same event is recognised; two events
 *   with identical content but their own ids are two events.
 * - Without one: the content digest and the event's occurrence among
 *   identical events of its input, `<digest>:<n>` for the (n+1)-th copy. Two
 *   identical lines in a file are two events, and the same file (or a longer
 *   version of it) ingested again gives the same identities to what it had.
 *
 * The two forms cannot collide: a digest is 27 characters, so the first `:` of
 * a content identity is at index 27, and of a producer identity at index 2.
 */
export function producerIdentity(traceId: string, eventId: string): string {
	// Length-prefixed so that ("ab", "c") and ("a", "bc") differ.
	return `id:${eventDigest(`${traceId.length}:${traceId}\n${eventId}`)}`;
}

export function contentIdentity(digest: string, occurrence: number): string {
	return `${digest}:${occurrence}`;
}

/** Identities of the next events of an input, counted but not yet committed. */
export interface NumberedEvents {
	/** One per event, in order. */
	identities: string[];
	/** The events were stored: later parts of the input count on from them. */
	commit(): void;
}

/**
 * Counts identical events across one input (a file, an OTLP request), so that
 * an input stored in several parts numbers its copies as it would whole. A
 * part whose transaction failed is not committed, so its retry gets the same
 * identities.
 */
export class InputOccurrences {
	private readonly counts = new Map<string, number>();

	/** Identities of `events` (or other records), serialized as `bodies`, as the next events of this input. */
	number(events: ReadonlyArray<Partial<Pick<TraceEvent, 'trace_id' | 'event_id'>>>, bodies: readonly string[]): NumberedEvents {
		const added = new Map<string, number>();
		const identities = events.map((event, i) => {
			// Records without a trace (a service's log records) have no producer id: their content is their identity.
			if (event.event_id !== undefined && event.trace_id !== undefined) {
				return producerIdentity(event.trace_id, event.event_id);
			}

			const digest = eventDigest(bodies[i]!);
			const before = (this.counts.get(digest) ?? 0) + (added.get(digest) ?? 0);
			added.set(digest, (added.get(digest) ?? 0) + 1);
			return contentIdentity(digest, before);
		});
		return {
			identities,
			commit: () => {
				for (const [digest, n] of added) {
					this.counts.set(digest, (this.counts.get(digest) ?? 0) + n);
				}
			},
		};
	}
}
