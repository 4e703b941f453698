import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';

/**
 * Where events go: the EventWriter (SQLite awaited and retried, then Redis
 * fire and forget) or anything shaped like it, e.g. a test double. The
 * emitter, the OTLP receivers and the live simulation all write to one.
 */
export interface EventSink {
	write(events: readonly TraceEvent[]): Promise<unknown>;
	/** Log records that name no trace, kept under their service; a sink without it rejects them. */
	writeServiceLogs?(logs: readonly ServiceLog[]): Promise<unknown>;
}
