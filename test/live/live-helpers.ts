import type {TraceEvent} from '../../source/core/trace-event.js';
import type {LiveEvent, LiveStream} from '../../source/live/live-event.js';
import type {LiveLogger} from '../../source/live/live-logger.js';

let counter = 0;

/** A unique trace id (tests may share one Redis). */
export function newTraceId(): string {
	counter++;
	return `${process.pid.toString(16)}${Date.now().toString(16)}${counter.toString(16).padStart(6, '0')}`.padEnd(32, '0');
}

/** The n-th event of a trace: a root workflow:started for n = 0, then stderr lines under it. */
export function nthEvent(traceId: string, n: number): TraceEvent {
	const timestamp = new Date(Date.UTC(2025, 0, 1) + n).toISOString();
	return n === 0 ? {trace_id: traceId, span_id: 'root', event_type: 'workflow:started', timestamp, data: {name: 'deploy api'}} : {trace_id: traceId, span_id: 'root', event_type: 'log:stderr', timestamp, data: {line: `line ${n}`}};
}

export function lineOf(event: TraceEvent): string {
	return event.event_type === 'workflow:started' ? 'start' : String(event.data?.['line']);
}

/**
 * Publisher settings for tests: generous timeouts, so a starved test machine
 * never turns a slow reply into a counted failure or a warning (an outage is
 * a closed connection, which fails commands at once whatever the timeout),
 * and a quick reconnect.
 */
export const TEST_PUBLISHER = {commandTimeoutMs: 30_000, connectWaitMs: 10_000, reconnectMaxMs: 100} as const;

export function captureLogger(): LiveLogger & {messages: string[]} {
	const messages: string[] = [];
	return {messages, warn: message => messages.push(message)};
}

/** Poll `condition` until true; fail with `what` after timeoutMs. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

/** Pull a stream in the background into `items`; `done` settles when it ends. */
export function drain(stream: LiveStream): {items: LiveEvent[]; done: Promise<void>} {
	const items: LiveEvent[] = [];
	const done = (async () => {
		for await (const item of stream) {
			items.push(item);
		}
	})();
	return {items, done};
}
