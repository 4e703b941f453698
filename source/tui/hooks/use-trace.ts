import {useEffect, useState} from 'react';
import {InputError, NotFoundError} from '../../core/errors.js';
import {applyEvent} from '../../core/fold.js';
import {isLogRecord} from '../../core/log-record.js';
import type {Run} from '../../core/run.js';
import type {Span} from '../../core/span.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {Store} from '../../store/store.js';
import {coalesce} from './coalesce.js';
import {serialTask} from './serial-task.js';

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
 * One trace's spans, read once from the run index and then grown by folding
 * the events that arrive after the snapshot (never a full re-read): a running
 * 100,000-span trace stays cheap to follow.
 */
export function useTrace(store: Store, feed: ChangeFeed, traceId: string | null, refreshMs = 100): TraceData {
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
		let snapshotted = false;
		// A change that came in while the snapshot was being read: folded once it is in.
		let missed = false;
		const show = (next: TraceData | ((previous: TraceData) => TraceData)): void => {
			if (!closed) {
				setData(next);
			}
		};

		// Folds what was stored after the cursor. One fold at a time (serialTask): two would read
		// from the same cursor and fold the same events twice.
		const fold = async (): Promise<void> => {
			if (!snapshotted) {
				missed = true;
				return;
			}

			if (closed) {
				return;
			}

			let folded = 0;
			byId ??= new Map(list.map(span => [span.span_id, span]));
			for (;;) {
				// eslint-disable-next-line no-await-in-loop
				const events = await store.eventsAfter(cursor, traceId, BATCH);
				if (closed) {
					return;
				}

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
			const run = await findRun(store, traceId);
			list = [...byId.values()];
			show({traceId, run, spans: list, version, eventsSeen, loading: false, error: null});
		};

		const folding = serialTask(fold, error => {
			show(previous => ({...previous, error: errorText(error)}));
		});
		// Each refresh rebuilds the tree (about 0.5 s at 100,000 spans): big traces refresh less often.
		// The wait is taken per burst, so it grows once the snapshot is in.
		const refresh = coalesce(
			() => folding.run(),
			() => refreshMs + Math.floor(list.length / 100),
		);
		const off = feed.onChange(traceIds => {
			if (traceIds.includes(traceId)) {
				refresh.trigger();
			}
		});

		// One consistent read: the spans and the cursor describe the same moment, so the folds that
		// follow neither miss nor repeat an event.
		store
			.traceSnapshot(traceId)
			.then(snapshot => {
				if (closed) {
					return;
				}

				list = snapshot.spans.map(compact);
				cursor = snapshot.cursor;
				snapshotted = true;
				show({traceId, run: snapshot.run, spans: list, version, eventsSeen, loading: false, error: snapshot.run === null && list.length === 0 ? `no run or trace "${traceId}"` : null});
				if (missed) {
					folding.run();
				}
			})
			.catch((error: unknown) => {
				show({...EMPTY, traceId, error: errorText(error)});
			});
		return () => {
			closed = true;
			off();
			refresh.cancel();
			folding.stop();
		};
	}, [store, feed, traceId, refreshMs]);

	return data.traceId === traceId ? data : {...EMPTY, traceId, loading: traceId !== null};
}

/** The trace's run, null while it has none (a trace whose root has not arrived); a store that failed is an error. */
async function findRun(store: Store, traceId: string): Promise<Run | null> {
	try {
		return await store.resolveRun(traceId);
	} catch (error) {
		// Not found, or (a trace id that is a prefix of others) not one run: no run to show.
		if (error instanceof NotFoundError || error instanceof InputError) {
			return null;
		}

		throw error;
	}
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
