import {useEffect, useState} from 'react';
import {applyEvent} from '../../core/fold.js';
import {isLogRecord} from '../../core/log-record.js';
import type {Run} from '../../core/run.js';
import type {Span} from '../../core/span.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {RunIndex} from '../../store/run-index.js';
import {coalesce} from './coalesce.js';

export interface TraceData {
	traceId: string | null;
	run: Run | null;
	spans: readonly Span[];
	/** Bumps whenever spans change. */
	version: number;
	/** Events folded in live since the trace opened: the "▼ N new" counter runs on this. */
	eventsSeen: number;
	loading: boolean;
	error: string | null;
}

const EMPTY: TraceData = {traceId: null, run: null, spans: [], version: 0, eventsSeen: 0, loading: false, error: null};
const BATCH = 5000;
/** Fold at most this many live events per refresh; the rest wait for the next one. */
const MAX_PER_REFRESH = 50_000;

const NONE: readonly never[] = Object.freeze([]);

/**
 * A stored span with its empty lists shared: a 100,000-span trace has
 * 300,000 of them, and nothing mutates a span's lists in place (applyEvent
 * copies before it appends).
 */
function compact(span: Span): Span {
	if (span.retries.length === 0) {
		span.retries = NONE as unknown as Span['retries'];
	}

	if (span.stderr.length === 0) {
		span.stderr = NONE as unknown as string[];
	}

	if (span.tags.length === 0) {
		span.tags = NONE as unknown as string[];
	}

	return span;
}

/**
 * A trace's spans, parsed one row at a time (RunIndex.iterateSpans) and
 * compacted as they come, so the raw JSON never piles up at 100,000 spans.
 */
export function readSpans(index: RunIndex, traceId: string): Span[] {
	const spans: Span[] = [];
	for (const span of index.iterateSpans(traceId)) {
		spans.push(compact(span));
	}

	return spans;
}

function findRun(index: RunIndex, traceId: string): Run | null {
	try {
		return index.resolveRun(traceId);
	} catch {
		return null;
	}
}

/**
 * One trace's spans, read once from the run index and then grown by folding
 * the events that arrive after the snapshot (never a full re-read): a running
 * 100,000-span trace stays cheap to follow.
 */
export function useTrace(index: RunIndex, feed: ChangeFeed, traceId: string | null, refreshMs = 100): TraceData {
	const [data, setData] = useState<TraceData>(EMPTY);
	useEffect(() => {
		if (traceId === null) {
			setData(EMPTY);
			return;
		}

		// Built on the first live event: a finished trace never needs it.
		let byId: Map<string, Span> | undefined;
		let list: Span[] = [];
		let cursor = 0;
		let eventsSeen = 0;
		let version = 0;
		let closed = false;
		try {
			// One read transaction: the spans and the cursor describe the same moment.
			const snapshot = index.db.transaction(() => ({spans: readSpans(index, traceId), cursor: index.maxEventId(), run: findRun(index, traceId)}))();
			list = snapshot.spans;
			cursor = snapshot.cursor;
			setData({traceId, run: snapshot.run, spans: snapshot.spans, version, eventsSeen, loading: false, error: snapshot.run === null && snapshot.spans.length === 0 ? `no run or trace "${traceId}"` : null});
		} catch (error) {
			setData({...EMPTY, traceId, error: (error as Error).message});
			return;
		}

		// Each refresh rebuilds the tree (about 0.5 s at 100,000 spans): big traces refresh less often.
		const refresh = coalesce(
			() => {
				if (closed) {
					return;
				}

				try {
					let folded = 0;
					byId ??= new Map(list.map(span => [span.span_id, span]));
					for (;;) {
						const events = index.eventsAfter(cursor, traceId, BATCH);
						for (const {id, event} of events) {
							const previous = byId.get(event.span_id);
							// A log record whose span has not arrived makes no span here either (the store keeps it waiting for its span).
							if (previous !== undefined || !isLogRecord(event)) {
								byId.set(event.span_id, applyEvent(previous, event));
							}

							cursor = id;
						}

						folded += events.length;
						if (events.length < BATCH || folded >= MAX_PER_REFRESH) {
							if (events.length === BATCH) {
								refresh.trigger();
							}

							break;
						}
					}

					if (folded === 0) {
						return;
					}

					eventsSeen += folded;
					version += 1;
					const run = findRun(index, traceId);
					list = [...byId.values()];
					setData({traceId, run, spans: list, version, eventsSeen, loading: false, error: null});
				} catch (error) {
					setData(previous => ({...previous, error: (error as Error).message}));
				}
			},
			refreshMs + Math.floor(list.length / 100),
		);
		const off = feed.onChange(traceIds => {
			if (traceIds.includes(traceId)) {
				refresh.trigger();
			}
		});
		return () => {
			closed = true;
			off();
			refresh.cancel();
		};
	}, [index, feed, traceId, refreshMs]);

	return data.traceId === traceId ? data : {...EMPTY, traceId, loading: traceId !== null};
}
