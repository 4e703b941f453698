import type {TraceEvent} from '../../source/core/trace-event.js';

/** Shared by the concurrent-writer test and its child processes: both must see the same events. */
export const WRITERS = 4;
export const EVENTS_PER_WRITER = 5000;
export const SHARED_TRACES = 8;
const T0 = Date.parse('2026-02-01T10:00:00.000Z');

function at(ms: number): string {
	return new Date(T0 + ms).toISOString();
}

/**
 * Writer `w`'s events: it joins every shared trace (a root start carrying
 * its number, so the four root events differ), then starts and completes
 * its own steps in those traces, completions lagging starts so that a span's
 * events land in different batches. Chains ten deep; a few steps fail.
 */
export function writerEvents(w: number, count = EVENTS_PER_WRITER): TraceEvent[] {
	const events: TraceEvent[] = [];
	for (let t = 0; t < SHARED_TRACES; t++) {
		events.push({trace_id: `shared-${t}`, span_id: 'root', event_type: 'workflow:started', timestamp: at(t), data: {name: `shared run ${t}`, run_id: `run-20260201-100000-shr${t}`, env: 'staging', target: 'api', writer: w}});
	}

	const spans = Math.floor((count - events.length) / 2);
	const span = (k: number): {trace_id: string; span_id: string; parent_span_id: string} => {
		const level = Math.floor(k / SHARED_TRACES) % 10;
		return {trace_id: `shared-${k % SHARED_TRACES}`, span_id: `w${w}-s${k}`, parent_span_id: level === 0 ? 'root' : `w${w}-s${k - SHARED_TRACES}`};
	};

	const complete = (k: number): TraceEvent => {
		const failed = k % 997 === 0;
		return {...span(k), event_type: failed ? 'step:failed' : 'step:completed', timestamp: at(20 + k * 4 + 3), status: failed ? 'failed' : 'success', ...(failed ? {data: {error: {message: `w${w} step ${k} failed`}}} : {})};
	};

	const lag = 5;
	for (let k = 0; k < spans; k++) {
		events.push({...span(k), event_type: 'step:started', timestamp: at(20 + k * 4), data: {name: `step ${k}`, writer: w}});
		if (k >= lag) {
			events.push(complete(k - lag));
		}
	}

	for (let k = Math.max(0, spans - lag); k < spans; k++) {
		events.push(complete(k));
	}

	// An odd count leaves one slot: a stderr line.
	while (events.length < count) {
		events.push({...span(0), event_type: 'log:stderr', timestamp: at(20 + events.length), data: {line: `w${w} filler ${events.length}`}});
	}

	return events;
}
