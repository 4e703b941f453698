import {useEffect, useState} from 'react';
import {InputError, NotFoundError} from '../../core/errors.js';
import {applyEvent} from '../../core/fold.js';
import {isLogRecord} from '../../core/log-record.js';
import type {Run} from '../../core/run.js';
import type {Span} from '../../core/span.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {Store} from '../../store/store.js';
import type {TraceHead} from '../../store/trace-pages.js';
import {coalesce} from './coalesce.js';
import {prepareTraceModel} from './use-trace-model.js';
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
	/**
	 * While a big trace loads in pieces: spans read so far of its total.
	 * `spans` is then the top of its tree (TraceHead), and grows to the whole
	 * trace when the last piece is in (progress null again).
	 */
	progress: {loaded: number; total: number} | null;
	error: string | null;
}

const EMPTY: TraceData = {traceId: null, run: null, spans: [], version: 0, eventsSeen: 0, loading: false, progress: null, error: null};
const BATCH = 5000;
/** Fold at most this many live events per refresh; the rest wait for the next one. */
const MAX_PER_REFRESH = 50_000;

/**
 * Traces with more spans than this open in pieces: the top of the tree first, then pages of
 * spans. Below it a whole read and the model take a few tens of ms. At 10,000 spans the pieces
 * drew the first rows at 1.38x a bare ink app's first frame instead of 1.54x (bench
 * trace_screen.open_ms.10000), for ~6% more until the whole trace is in.
 */
export const PIECEMEAL_ABOVE = 2000;
/** Rows of the tree read first: a screen of the tallest terminals. */
const HEAD_ROWS = 100;
/** Spans per page: a page is read and parsed in about 25 ms, so keys wait no longer than that. */
const PAGE = 5000;
/** How long the head's frame is given to go out before the pages are read (above Ink's 1/60 s between frames). */
const HEAD_FRAME_MS = 25;
/** The "loading n/N" count is redrawn at most this often: each redraw is a frame of the whole screen. */
const PROGRESS_EVERY_MS = 400;

const NONE: readonly never[] = Object.freeze([]);

/** A head read ahead (readTraceHeadAhead), and once it is in, the screen's data for it. */
interface Ahead {
	head: Promise<TraceHead>;
	data?: TraceData;
}

/** Heads read ahead, by store and trace, until the trace's screen takes them. */
const headsAhead = new WeakMap<Store, Map<string, Ahead>>();

/** What a trace read in pieces shows while its pages are read: the head. */
function headData(traceId: string, head: TraceHead): TraceData {
	return {traceId, run: head.run, spans: head.spans.map(span => compact(span)), version: 0, eventsSeen: 0, loading: true, progress: {loaded: 0, total: head.total}, error: null};
}

/**
 * Read a trace's head before its screen asks: the console opened on a run reads it while it
 * still says "opening", so the trace screen's first frame has its rows, not a loading frame.
 */
export async function readTraceHeadAhead(store: Store, traceId: string): Promise<void> {
	const ahead: Ahead = {head: store.traceHead(traceId, HEAD_ROWS)};
	let heads = headsAhead.get(store);
	if (heads === undefined) {
		heads = new Map();
		headsAhead.set(store, heads);
	}

	heads.set(traceId, ahead);
	try {
		const head = await ahead.head;
		if (head.total > PIECEMEAL_ABOVE) {
			ahead.data = headData(traceId, head);
		}
	} catch {
		// The trace screen reads it again and says what went wrong.
		heads.delete(traceId);
	}
}

function takeAhead(store: Store, traceId: string): Ahead | undefined {
	const heads = headsAhead.get(store);
	const ahead = heads?.get(traceId);
	heads?.delete(traceId);
	return ahead;
}

/** Let the event loop run (keys, frames, timers) before the next piece. */
async function yieldToLoop(): Promise<void> {
	return new Promise(resolve => {
		setImmediate(resolve);
	});
}

/** The empty attributes a stored span without any shares (compact): never written to, like NONE. */
const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The strings a trace's spans repeat (its trace id, kinds, statuses, event
 * types, services, names), one copy each: JSON.parse makes a new string per
 * span for every value.
 */
export type Strings = Map<string, string>;

function shared(strings: Strings | undefined, text: string): string;
function shared(strings: Strings | undefined, text: string | null): string | null;
function shared(strings: Strings | undefined, text: string | null): string | null {
	if (strings === undefined || text === null) {
		return text;
	}

	const known = strings.get(text);
	if (known !== undefined) {
		return known;
	}

	strings.set(text, text);
	return text;
}

function isEmptyRecord(record: Record<string, unknown>): boolean {
	for (const _ in record) {
		return false;
	}

	return true;
}

/**
 * A stored span with its empty lists and attributes shared, and (given
 * `strings`) its repeated strings shared: a 100,000-span trace has 600,000
 * empty lists, and parsed as stored its spans take ~71 MB of heap, ~40 MB
 * this way. Nothing mutates a span's lists or attributes in place
 * (applyEvent copies them before it writes); the values are the same, so
 * what the screen shows is too.
 */
export function compact(span: Span, strings?: Strings): Span {
	if (span.retries.length === 0) {
		span.retries = NONE as unknown as Span['retries'];
	}

	if (span.stderr.length === 0) {
		span.stderr = NONE as unknown as string[];
	}

	if (span.tags.length === 0) {
		span.tags = NONE as unknown as string[];
	}

	if (span.events.length === 0) {
		span.events = NONE as unknown as Span['events'];
	}

	if (span.links.length === 0) {
		span.links = NONE as unknown as Span['links'];
	}

	// Spans stored before migration 8 may come without logs.
	if (span.logs?.length === 0) {
		span.logs = NONE as unknown as Span['logs'];
	}

	if (isEmptyRecord(span.attributes)) {
		span.attributes = NO_ATTRIBUTES as Record<string, unknown>;
	}

	if (strings !== undefined) {
		span.trace_id = shared(strings, span.trace_id);
		span.name = shared(strings, span.name);
		span.kind = shared(strings, span.kind);
		span.last_event_type = shared(strings, span.last_event_type);
		span.status = shared(strings, span.status) as Span['status'];
		span.service = shared(strings, span.service);
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
			show({traceId, run, spans: list, version, eventsSeen, loading: false, progress: null, error: null});
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

		// The snapshot is in: fold what came in while it was read.
		const snapshotIn = (spans: Span[], run: Run | null, at: number): void => {
			list = spans;
			cursor = at;
			snapshotted = true;
			show({traceId, run, spans: list, version, eventsSeen, loading: false, progress: null, error: run === null && list.length === 0 ? `no run or trace "${traceId}"` : null});
			if (missed) {
				folding.run();
			}
		};

		// One consistent read: the spans and the cursor describe the same moment, so the folds that
		// follow neither miss nor repeat an event.
		const readWhole = async (): Promise<void> => {
			const snapshot = await store.traceSnapshot(traceId);
			if (!closed) {
				const strings: Strings = new Map();
				snapshotIn(
					snapshot.spans.map(span => compact(span, strings)),
					snapshot.run,
					snapshot.cursor,
				);
			}
		};

		// A big trace in pieces: the top of its tree (drawn at once), then its spans a page at a
		// time with the event loop running between pages, then the spans that changed meanwhile,
		// re-read with the cursor of that last read. Together they are one consistent snapshot.
		const readInPieces = async (): Promise<void> => {
			const ahead = takeAhead(store, traceId);
			if (ahead?.data) {
				show(ahead.data);
			}

			const head = await (ahead?.head ?? store.traceHead(traceId, HEAD_ROWS));
			if (closed) {
				return;
			}

			if (head.total <= PIECEMEAL_ABOVE) {
				await readWhole();
				return;
			}

			if (!ahead?.data) {
				show(headData(traceId, head));
			}

			const spans: Span[] = [];
			// Dropped with this function once the snapshot is in: live folds make few new strings.
			const strings: Strings = new Map();
			let after = '';
			let progressShown = Date.now();
			// The head's frame goes out before the first page is read: Ink draws at most 60 frames a
			// second, so a frame that follows another by less than ~16 ms waits for a timer, which a
			// page read would hold up.
			await new Promise(resolve => {
				setTimeout(resolve, HEAD_FRAME_MS);
			});
			for (;;) {
				// eslint-disable-next-line no-await-in-loop
				await yieldToLoop();
				if (closed) {
					return;
				}

				// eslint-disable-next-line no-await-in-loop
				const page = await store.traceSpansPage(traceId, after, PAGE);
				for (const span of page) {
					spans.push(compact(span, strings));
				}

				if (page.length < PAGE) {
					break;
				}

				after = page.at(-1)!.span_id;
				if (Date.now() - progressShown >= PROGRESS_EVERY_MS) {
					progressShown = Date.now();
					const loaded = spans.length;
					show(previous => (previous.traceId === traceId ? {...previous, progress: {loaded, total: Math.max(loaded, head.total)}} : previous));
				}
			}

			const changes = await store.traceChanges(traceId, head.cursor);
			if (closed) {
				return;
			}

			if (changes.spans.length > 0) {
				const at = new Map(spans.map((span, index) => [span.span_id, index]));
				for (const span of changes.spans) {
					const index = at.get(span.span_id);
					if (index === undefined) {
						spans.push(compact(span, strings));
					} else {
						spans[index] = compact(span, strings);
					}
				}
			}

			// The tree and its analyses in steps too: built in one render they would hold keys for half a second.
			await prepareTraceModel(spans, yieldToLoop);
			if (!closed) {
				snapshotIn(spans, changes.run, changes.cursor);
			}
		};

		readInPieces().catch((error: unknown) => {
			show({...EMPTY, traceId, error: errorText(error)});
		});
		return () => {
			closed = true;
			off();
			refresh.cancel();
			folding.stop();
		};
	}, [store, feed, traceId, refreshMs]);

	if (data.traceId === traceId) {
		return data;
	}

	// The first render of a trace whose head was read ahead: its rows at once.
	return (traceId === null ? undefined : headsAhead.get(store)?.get(traceId)?.data) ?? {...EMPTY, traceId, loading: traceId !== null};
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
