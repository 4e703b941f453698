import {useEffect, useRef, useState} from 'react';
import {isHeartbeat} from '../../core/heartbeat.js';
import {eventKind, type TraceEvent} from '../../core/trace-event.js';
import type {Store} from '../../store/store.js';
import {serialTask, type SerialTask} from './serial-task.js';

/** How many of a span's latest output lines the console keeps (it shows fewer). */
export const STEP_LINES_KEPT = 200;
const BATCH = 5000;

export interface StepLines {
	spanId: string | null;
	/** The span's latest output and log events (log:stdout, log:stderr, log:record, ...), oldest first. */
	events: readonly TraceEvent[];
	/** How many such events the span had in all. */
	total: number;
}

const NONE: StepLines = {spanId: null, events: [], total: 0};

/** A line a step printed or logged: every "log:" event; never a heartbeat, which is not output. */
export function isOutputEvent(event: TraceEvent): boolean {
	return eventKind(event.event_type) === 'log' && !isHeartbeat(event);
}

/**
 * A running span's latest output lines, as they arrive: the trace's events
 * after a cursor (Store.eventsAfter, one read at a time), kept per span and
 * capped, read again each time the trace's live fold moves (`version`).
 * The span's stdout lines are only in its events (the span keeps stderr), so
 * the events are the one source for both streams. Another trace resets it.
 */
export function useStepLines(store: Store, traceId: string | null, spanId: string | null, version: number): StepLines {
	const [lines, setLines] = useState<StepLines>(NONE);
	const wanted = useRef(spanId);
	wanted.current = spanId;
	const task = useRef<SerialTask | null>(null);
	useEffect(() => {
		setLines(NONE);
		if (traceId === null) {
			task.current = null;
			return;
		}

		let cursor = 0;
		const bySpan = new Map<string, {events: TraceEvent[]; total: number}>();
		const reads = serialTask(
			async () => {
				if (wanted.current === null) {
					return;
				}

				for (;;) {
					// eslint-disable-next-line no-await-in-loop
					const batch = await store.eventsAfter(cursor, traceId, BATCH);
					if (reads.stopped()) {
						return;
					}

					for (const {id, event} of batch) {
						cursor = id;
						if (isOutputEvent(event)) {
							const kept = bySpan.get(event.span_id) ?? {events: [], total: 0};
							kept.events.push(event);
							kept.total += 1;
							if (kept.events.length > STEP_LINES_KEPT * 2) {
								kept.events.splice(0, kept.events.length - STEP_LINES_KEPT);
							}

							bySpan.set(event.span_id, kept);
						}
					}

					if (batch.length < BATCH) {
						break;
					}
				}

				const span = wanted.current;
				const kept = span === null ? undefined : bySpan.get(span);
				setLines({spanId: span, events: kept ? kept.events.slice(-STEP_LINES_KEPT) : [], total: kept?.total ?? 0});
			},
			() => {
				// Output lines are a view beside the trace: the trace's own read says when the store fails.
			},
		);
		task.current = reads;
		return () => {
			reads.stop();
		};
	}, [store, traceId]);
	// biome-ignore lint/correctness/useExhaustiveDependencies: the span asked for and the trace's version are what make a read worth it
	useEffect(() => {
		task.current?.run();
	}, [traceId, spanId, version]);

	return lines.spanId === spanId ? lines : NONE;
}
