import type {TraceEvent} from './trace-event.js';

/**
 * A heartbeat: what `exec` sends while its command is quiet, so that the run's
 * last event time moves and a healthy long step is not stuck. A pending
 * progress event with no data: it changes nothing on its span but its event
 * count and last event type, and tails leave it out.
 */
export const HEARTBEAT_EVENT_TYPE = 'step:progress';

export function isHeartbeat(event: Pick<TraceEvent, 'event_type' | 'status' | 'data'>): boolean {
	return event.event_type === HEARTBEAT_EVENT_TYPE && event.status === 'pending' && (event.data === undefined || Object.keys(event.data).length === 0);
}
