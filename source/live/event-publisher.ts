import type {TraceEvent} from '../core/trace-event.js';
import type {StoredEvent} from '../store/run-index.js';

/**
 * The fire-and-forget half of a write: events already stored in SQLite are
 * also published for live readers. `publish` never throws and never blocks
 * the caller; failures are counted and reported once per outage.
 */
export interface EventPublisher {
	publish(events: readonly TraceEvent[]): void;
	/**
	 * Like publish, for events just stored: their SQLite ids go along so that
	 * readers sharing the run index can keep its order across a source switch.
	 * Optional: EventWriter falls back to publish.
	 */
	publishStored?(events: readonly StoredEvent[]): void;
	/** Events that could not be published since start. */
	readonly failures: number;
	close(): Promise<void>;
}

/** The publisher when Redis is not configured. */
export const NO_PUBLISHER: EventPublisher = {
	publish() {},
	failures: 0,
	async close() {},
};
