import type {TraceEvent} from '../core/trace-event.js';

/**
 * The fire-and-forget half of a write: events already stored in SQLite are
 * also published for live readers. `publish` never throws and never blocks
 * the caller; failures are counted and reported once per outage.
 */
export interface EventPublisher {
	publish(events: readonly TraceEvent[]): void;
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
