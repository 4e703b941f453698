import type {RunIndex} from '../store/run-index.js';
import type {ChangeFeed, LiveStatus} from './change-feed.js';
import {feedListeners} from './feed-listeners.js';

/**
 * A change feed that polls the run index by event id: the fallback when Redis
 * is absent or down, and enough on its own for a single machine.
 */
export function pollingChangeFeed(index: RunIndex, intervalMs = 500, now: () => number = Date.now): ChangeFeed {
	const listeners = feedListeners();
	let cursor = index.maxEventId();
	let status: LiveStatus = {source: 'polling', lagMs: null};
	const timer = setInterval(() => {
		const events = index.eventsAfter(cursor, undefined, 5000);
		if (events.length === 0) {
			return;
		}

		cursor = events.at(-1)!.id;
		const traces = [...new Set(events.map(e => e.event.trace_id))];
		status = {source: 'polling', lagMs: Math.max(0, now() - Date.parse(events.at(-1)!.event.timestamp))};
		listeners.emitChange(traces);
		listeners.emitStatus(status);
	}, intervalMs);
	timer.unref();
	return {
		status: () => status,
		onChange: listeners.onChange,
		onStatus: listeners.onStatus,
		async close() {
			clearInterval(timer);
		},
	};
}
