import {InputError} from '../core/errors.js';
import {applyEvent, eventTimeMs, foldEvents, foldInOrder, inFoldOrder} from '../core/fold.js';
import {isLogRecord, LOG_RECORD_EVENT_TYPE} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import {summarizeRun} from '../core/run-summary.js';
import type {Span} from '../core/span.js';
import {displayName} from '../core/span-name.js';
import {isStep} from '../core/step-kind.js';
import type {TraceEvent} from '../core/trace-event.js';
import {buildTree, stepPathsByIndex, walkStepPath} from '../core/tree.js';
import type {AppendParts, HeldTrace} from './append-parts.js';
import {compareByteOrder} from './byte-order.js';
import {freshTraces, insertSizes, runRow, type SpanRow, uniqueRunIds, upsertRuns, upsertSpans} from './fold-writes.js';
import type {AppendResult, StoredEvent} from './run-index.js';
import {kept, one, rows, type SqlParam, type SqlProgram, write} from './sql-program.js';

/*
 * The write path of the run index, written once for both engines (see
 * sql-program.ts): RunIndex runs these programs synchronously in one SQLite
 * transaction, PostgresStore awaits them in one PostgreSQL transaction.
 * Every rule of how events become spans and runs lives here and nowhere
 * else. The SQL is the subset both engines read alike: `ON CONFLICT`
 * upserts, `RETURNING`, `"user"` quoted.
 */

interface RunRow {
	trace_id: string;
	run_id: string;
	steps_seen: number;
	body: string;
}

interface SpanLink {
	parent_span_id: string | null;
	name: string;
	kind: string;
}

/** What a span's own path walk needs of it. */
type PathSpan = Pick<Span, 'span_id' | 'parent_span_id' | 'name' | 'kind'>;

// Kept prepared on PostgreSQL (sql-program.ts kept): the write path runs them for every batch.
const SQL = {
	getSpan: kept('SELECT body FROM spans WHERE trace_id = ? AND span_id = ?'),
	getSpanLink: kept('SELECT parent_span_id, name, kind FROM spans WHERE trace_id = ? AND span_id = ?'),
	setSpanPath: kept('UPDATE spans SET path = ? WHERE trace_id = ? AND span_id = ?'),
	// Only the ids: spans_by_parent_start covers them, and with more columns SQLite's planner (no statistics) reads the
	// whole trace through the primary key instead, which made a 20k-span OTLP export take minutes.
	childIds: kept('SELECT span_id FROM spans WHERE trace_id = ? AND parent_span_id = ?'),
	getSpanPathLink: kept('SELECT span_id, parent_span_id, name, kind, path FROM spans WHERE trace_id = ? AND span_id = ?'),
	spansOfTrace: kept('SELECT body, path FROM spans WHERE trace_id = ? ORDER BY span_id'),
	eventsOfTrace: kept('SELECT count(*) AS n FROM events WHERE trace_id = ?'),
	failedSpanIds: kept("SELECT span_id FROM spans WHERE trace_id = ? AND status = 'failed' ORDER BY span_id"),
	getRun: kept('SELECT trace_id, run_id, steps_seen, body FROM runs WHERE trace_id = ?'),
	latestEarlierEventMs: kept('SELECT max(ts_ms) AS ts FROM events WHERE trace_id = ? AND span_id = ? AND id < ?'),
	eventsOfSpan: kept('SELECT body FROM events WHERE trace_id = ? AND span_id = ? ORDER BY id'),
	// Uses events_log_records: the literal event type is what lets SQLite pick the partial index.
	earlierLogs: kept(`SELECT body FROM events WHERE trace_id = ? AND span_id = ? AND event_type = '${LOG_RECORD_EVENT_TYPE}' AND id < ? ORDER BY id`),
} as const;

type Body = {body: string};

// Events go in with multi-row inserts of fixed sizes (fold-writes.ts): on PostgreSQL each statement is a
// round trip, and one per event made ingest ten times slower than SQLite.
const insertEventsText = new Map<number, string>();

function insertEventsSql(size: number): string {
	let text = insertEventsText.get(size);
	if (text === undefined) {
		text = kept(`INSERT INTO events (trace_id, span_id, event_type, ts_ms, digest, body) VALUES ${Array.from({length: size}, () => '(?, ?, ?, ?, ?, ?)').join(', ')}
			ON CONFLICT DO NOTHING RETURNING id, digest`);
		insertEventsText.set(size, text);
	}

	return text;
}

/**
 * Store events (already redacted and serialized, with their identities) and
 * fold them into spans and runs. An event whose identity is stored already
 * is a duplicate: counted, not stored, not folded.
 */
export function* appendProgram(events: readonly TraceEvent[], bodies: readonly string[], identities: readonly string[], parts: AppendParts | undefined): SqlProgram<AppendResult> {
	const times = events.map(event => {
		const ts = eventTimeMs(event);
		if (!Number.isFinite(ts)) {
			// Callers validate at the edge; this keeps a bad caller from storing an undatable event.
			throw new InputError(`event ${event.trace_id}/${event.span_id} has an invalid timestamp "${event.timestamp}"`);
		}

		return ts;
	});

	// Ids by identity, as the inserts gave them back; an identity not given back was stored already.
	const ids = new Map<string, number>();
	let from = 0;
	for (const size of insertSizes(events.length)) {
		const params: SqlParam[] = [];
		for (let i = from; i < from + size; i++) {
			const event = events[i]!;
			params.push(event.trace_id, event.span_id, event.event_type, times[i]!, identities[i]!, bodies[i]!);
		}

		for (const row of yield* rows<{id: number; digest: string}>(insertEventsSql(size), params)) {
			ids.set(row.digest, row.id);
		}

		from += size;
	}

	const inserted: StoredEvent[] = [];
	let duplicates = 0;
	for (const [i, event] of events.entries()) {
		const id = ids.get(identities[i]!);
		// Taken once: the same identity twice in one call (one producer event id sent twice) is stored once.
		ids.delete(identities[i]!);
		if (id === undefined) {
			duplicates++;
			// A part stored before, by an attempt that never reached finishParts: its run may still be stale.
			parts?.markStale(event.trace_id, times[i]!);
		} else {
			inserted.push({id, event});
		}
	}

	// Both engines number a multi-row insert's rows in order; sorted all the same, since pollers and the fold read ids as arrival order.
	inserted.sort((a, b) => a.id - b.id);
	const byTrace = new Map<string, StoredEvent[]>();
	for (const stored of inserted) {
		let list = byTrace.get(stored.event.trace_id);
		if (!list) {
			list = [];
			byTrace.set(stored.event.trace_id, list);
		}

		list.push(stored);
	}

	const firstNewId = inserted[0]?.id ?? Number.MAX_SAFE_INTEGER;
	// A trace with no event before this batch has nothing stored to read (spans, log records waiting, runs
	// are all made from events): one query for the batch, then fresh traces fold in memory and are written together.
	const fresh = byTrace.size === 0 ? new Set<string>() : yield* freshTraces([...byTrace.keys()], firstNewId);
	let pending: FreshTrace[] = [];
	for (const [traceId, traceEvents] of byTrace) {
		if (fresh.has(traceId)) {
			pending.push(foldFreshTrace(traceId, traceEvents, parts));
			continue;
		}

		// Written before a trace that reads the store: run ids and metric rows come out as one trace at a time made them.
		yield* writeFreshTraces(pending);
		pending = [];
		yield* foldTrace(traceId, traceEvents, firstNewId, parts);
	}

	yield* writeFreshTraces(pending);

	return {inserted, duplicates, traces: [...byTrace.keys()]};
}

/**
 * Summarize the runs an input stored in parts left for the end (see
 * append-parts.ts). A trace the input began is summarized from the spans
 * its parts stored, when the store holds no event of it but theirs (the
 * count says so: nothing else wrote to it since, and an earlier attempt at
 * the same input would have made it not fresh); any other from every
 * stored span.
 */
export function* finishPartsProgram(parts: Pick<AppendParts, 'staleRuns' | 'held'>): SqlProgram<void> {
	for (const [traceId, lastEventMs] of parts.staleRuns) {
		const row = yield* one<RunRow>(SQL.getRun, [traceId]);
		const held = parts.held.get(traceId);
		if (held !== undefined && Number((yield* one<{n: number | string}>(SQL.eventsOfTrace, [traceId]))?.n) === held.events) {
			// In the order recomputeRun reads them (by span id), which is what summarizeRun's ties see.
			const spans = [...held.spans.values()].sort((a, b) => compareByteOrder(a.span_id, b.span_id));
			yield* summarizeTrace(
				traceId,
				spans,
				spans.map(span => held.paths.get(span.span_id)!),
				lastEventMs,
				row,
			);
		} else {
			yield* recomputeRun(traceId, lastEventMs, row);
		}
	}
}

/**
 * Fold the batch into the trace's stored spans as if all their events had
 * come at once: in fold order (core/fold.ts compareFoldOrder). A span's new
 * events that all come after its stored ones are applied to the stored
 * span (the common case: a live run, in time order); one that comes at or
 * before the latest stored event is refolded from all its stored events,
 * so that arrival order never shows in the span or the run. A span new in
 * this batch gathers the log records stored for it before (logs and spans
 * are exported apart); a log record whose span has not arrived makes no
 * span: it waits in events.
 */
function* foldTrace(traceId: string, events: readonly StoredEvent[], firstNewId: number, parts: AppendParts | undefined): SqlProgram<void> {
	const before = new Map<string, Span | undefined>();
	const after = new Map<string, Span>();
	const {bySpan, reshaped, lastEventMs} = bySpanInFoldOrder(events);
	for (const [spanId, spanEvents] of bySpan) {
		const stored = yield* one<Body>(SQL.getSpan, [traceId, spanId]);
		const previous = stored === undefined ? undefined : (JSON.parse(stored.body) as Span);
		let span: Span | undefined;
		if (previous === undefined) {
			// Stored before this batch, only log records can be waiting for it.
			const waiting = (yield* rows<Body>(SQL.earlierLogs, [traceId, spanId, firstNewId])).map(row => JSON.parse(row.body) as TraceEvent);
			span = (waiting.length === 0 ? foldInOrder(spanEvents) : foldEvents([...waiting, ...spanEvents]))[0];
		} else {
			// The span's first event in fold order is its earliest in this batch.
			const latestStored = (yield* one<{ts: number | null}>(SQL.latestEarlierEventMs, [traceId, spanId, firstNewId]))?.ts ?? null;
			span = latestStored !== null && eventTimeMs(spanEvents[0]!) <= latestStored ? yield* refoldSpan(traceId, spanId) : spanEvents.reduce<Span>((folded, event) => applyEvent(folded, event), previous);
		}

		if (span !== undefined) {
			before.set(spanId, previous);
			after.set(spanId, span);
		}
	}

	// Paths first (stored links are read; this batch's own spans are looked up in `after`), then one upsert for all.
	const spanRows: SpanRow[] = [];
	// One map of stored links for all: a part of a big trace stored parents first reads its ancestors once.
	const links = new Map<string, SpanLink | undefined>();
	for (const span of after.values()) {
		const path = yield* pathOf(traceId, span, after, links);
		spanRows.push(spanRow(traceId, span, path));
		// A trace this input began keeps its spans as stored, for finishParts (append-parts.ts HeldTrace).
		parts?.keep(traceId, span, path);
	}

	yield* upsertSpans(spanRows);
	const held = parts?.held.get(traceId);
	if (held) {
		held.events += events.length;
	}

	yield* repathStoredDescendants(traceId, before, after, held);

	if (parts?.staleRuns.has(traceId)) {
		// finishParts summarizes this run from all its spans; counting onto a stale summary would be lost work.
		parts.markStale(traceId, lastEventMs);
		return;
	}

	const row = yield* one<RunRow>(SQL.getRun, [traceId]);
	const run = row === undefined ? undefined : (JSON.parse(row.body) as Run);
	const needsFull = row === undefined || run === undefined || (yield* reachesBeyondSpans(traceId, run, before, after, reshaped));
	if (needsFull && parts) {
		// Once at the end rather than once per part: a summary reads every span of the trace.
		parts.markStale(traceId, lastEventMs);
	} else if (needsFull) {
		yield* recomputeRun(traceId, lastEventMs, row);
	} else {
		yield* updateRunIncrementally(run, row.steps_seen, before, after, lastEventMs);
	}
}

interface TraceBatch {
	bySpan: Map<string, TraceEvent[]>;
	/** Spans that got more than log records: only these can change the run beyond its last event time. */
	reshaped: Set<string>;
	lastEventMs: number;
}

/** A trace's events in fold order, by span (first event first), with the newest event time. */
function bySpanInFoldOrder(events: readonly StoredEvent[]): TraceBatch {
	const bySpan = new Map<string, TraceEvent[]>();
	const reshaped = new Set<string>();
	let lastEventMs = 0;
	for (const event of inFoldOrder(events.map(stored => stored.event))) {
		lastEventMs = Math.max(lastEventMs, eventTimeMs(event));
		if (!isLogRecord(event)) {
			reshaped.add(event.span_id);
		}

		const list = bySpan.get(event.span_id);
		if (list) {
			list.push(event);
		} else {
			bySpan.set(event.span_id, [event]);
		}
	}

	return {bySpan, reshaped, lastEventMs};
}

function spanRow(traceId: string, span: Span, path: string): SpanRow {
	return {traceId, spanId: span.span_id, parentSpanId: span.parent_span_id, params: [traceId, span.span_id, span.parent_span_id, span.name, span.kind, path, span.start_ms, span.end_ms, span.status, JSON.stringify(span)]};
}

/** A fresh trace folded in memory: its span rows, and its run unless the run is left to finishParts. */
interface FreshTrace {
	spanRows: SpanRow[];
	run: {run: Run; stepsSeen: number} | undefined;
}

/**
 * A trace with nothing stored but this batch, folded as foldTrace would
 * with nothing to read: its spans are all of the trace's spans, so the
 * run is summarized (recomputeRun's rules) and the paths are the tree's,
 * from memory. A log record whose span has not arrived makes no span.
 */
function foldFreshTrace(traceId: string, events: readonly StoredEvent[], parts: AppendParts | undefined): FreshTrace {
	const {bySpan, lastEventMs} = bySpanInFoldOrder(events);
	const after = new Map<string, Span>();
	for (const [spanId, spanEvents] of bySpan) {
		// In fold order already (bySpanInFoldOrder).
		const span = foldInOrder(spanEvents)[0];
		if (span !== undefined) {
			after.set(spanId, span);
		}
	}

	if (parts) {
		// No run yet, so foldTrace would leave the summary to finishParts, which also sets the tree's paths.
		parts.markStale(traceId, lastEventMs);
		// The trace begins with this part: its spans as stored are held for finishParts (append-parts.ts HeldTrace).
		const paths = new Map([...after.values()].map(span => [span.span_id, batchPath(span, after)]));
		parts.hold(traceId, {spans: after, paths, events: events.length});
		return {spanRows: [...after.values()].map(span => spanRow(traceId, span, paths.get(span.span_id)!)), run: undefined};
	}

	// In the order recomputeRun reads them (by span id), which is what summarizeRun's ties see.
	const spans = [...after.values()].sort((a, b) => compareByteOrder(a.span_id, b.span_id));
	const tree = buildTree(spans);
	const paths = stepPathsByIndex(tree);
	const spanRows = [...after.values()].map(span => spanRow(traceId, span, paths[tree.indexed.indexOf.get(span.span_id)!]!));
	const run = summarizeRun(spans, lastEventMs, tree);
	return {spanRows, run: run === null ? undefined : {run, stepsSeen: spans.filter(span => isStep(span)).length}};
}

/** Fresh traces' spans, then their runs, each in the batch's trace order, in multi-row upserts. */
function* writeFreshTraces(traces: readonly FreshTrace[]): SqlProgram<void> {
	if (traces.length === 0) {
		return;
	}

	yield* upsertSpans(traces.flatMap(trace => trace.spanRows));
	const runs = traces.flatMap(trace => (trace.run === undefined ? [] : [trace.run]));
	if (runs.length === 0) {
		return;
	}

	const runIds = yield* uniqueRunIds(runs.map(({run}) => ({runId: run.run_id, traceId: run.trace_id})));
	yield* upsertRuns(
		runs.map(({run, stepsSeen}, i) => {
			run.run_id = runIds[i]!;
			return runRow(run, stepsSeen);
		}),
	);
}

/** A span folded again from every stored event of it (this batch's included), in fold order. */
function* refoldSpan(traceId: string, spanId: string): SqlProgram<Span> {
	const events = (yield* rows<Body>(SQL.eventsOfSpan, [traceId, spanId])).map(row => JSON.parse(row.body) as TraceEvent);
	// A stored span has an event besides log records, so the fold makes it.
	return foldEvents(events)[0]!;
}

/**
 * Whether this batch can change more of the run than its counters: a root
 * change, a failure, a rename (paths below it), a span outside the run's
 * window, a link to another run (parent trace or correlation id) given
 * or changed, or a success above a recorded failure, which recovers it
 * and moves the root cause.
 */
function* reachesBeyondSpans(traceId: string, run: Run, before: Map<string, Span | undefined>, after: Map<string, Span>, reshaped: ReadonlySet<string>): SqlProgram<boolean> {
	const started = Date.parse(run.started_at);
	const ended = run.ended_at === null ? null : Date.parse(run.ended_at);
	const succeeded: string[] = [];
	for (const span of after.values()) {
		if (!reshaped.has(span.span_id)) {
			// Log records leave a span's times, status and name alone.
			continue;
		}

		const previous = before.get(span.span_id);
		if (
			span.parent_span_id === null ||
			span.status === 'failed' ||
			(previous !== undefined && previous.name !== span.name) ||
			span.parent_trace_id !== (previous?.parent_trace_id ?? null) ||
			span.correlation_id !== (previous?.correlation_id ?? null) ||
			span.start_ms < started ||
			(ended !== null && span.end_ms !== null && span.end_ms > ended)
		) {
			return true;
		}

		if (span.status === 'success' && previous?.status !== 'success') {
			succeeded.push(span.span_id);
		}
	}

	return run.failed_step !== null && succeeded.length > 0 && (yield* anyAboveFailure(traceId, succeeded));
}

/** Whether any of the spans is an ancestor of a failed span of the trace (stored links, this batch included). */
function* anyAboveFailure(traceId: string, spanIds: readonly string[]): SqlProgram<boolean> {
	const wanted = new Set(spanIds);
	const seen = new Set<string>();
	for (const failed of yield* rows<{span_id: string}>(SQL.failedSpanIds, [traceId])) {
		let id: string | null = failed.span_id;
		while (id !== null && !seen.has(id)) {
			seen.add(id);
			const link: SpanLink | undefined = yield* one<SpanLink>(SQL.getSpanLink, [traceId, id]);
			id = link?.parent_span_id ?? null;
			if (id !== null && wanted.has(id)) {
				return true;
			}
		}
	}

	return false;
}

/**
 * The span's step path from stored parents (and this batch's), as the tree
 * would spell it. walkStepPath asks for parents synchronously: a stored
 * parent it has not been given yet stops the walk, is read, and the walk
 * starts again, so the walk's own rules (where it stops, how deep) stay in
 * core/tree.ts. Paths are short (32 names at most), so the repeats are few.
 * `stored` holds the links read so far; a caller walking many spans of one
 * trace passes one map to all of them.
 */
function* pathOf(traceId: string, span: PathSpan, batch: ReadonlyMap<string, Span>, stored = new Map<string, SpanLink | undefined>()): SqlProgram<string> {
	for (;;) {
		let missing: string | undefined;
		const path = walkStepPath(id => {
			const inBatch = id === span.span_id ? span : batch.get(id);
			if (inBatch) {
				return {parent: inBatch.parent_span_id, name: displayName(inBatch)};
			}

			if (!stored.has(id)) {
				missing = id;
				return undefined;
			}

			const link = stored.get(id);
			return link && {parent: link.parent_span_id, name: displayName({name: link.name, kind: link.kind, span_id: id})};
		}, span.span_id);
		if (missing === undefined) {
			return path;
		}

		stored.set(missing, yield* one<SpanLink>(SQL.getSpanLink, [traceId, missing]));
	}
}

/**
 * A stored span's path runs through its ancestors' names: when one of them
 * arrives after it (an OTLP exporter sends a span when it ends, children
 * first), or is renamed or moved, the paths below it change too. This
 * batch's own spans got theirs above; here the stored spans under a new or
 * reshaped span get theirs, walking down the children (spans_by_parent_start)
 * with the same walk, so a trace stored in any order of batches holds the
 * paths one batch gives. A span with no stored children costs one lookup.
 */
function* repathStoredDescendants(traceId: string, before: ReadonlyMap<string, Span | undefined>, after: Map<string, Span>, held: HeldTrace | undefined): SqlProgram<void> {
	let frontier: string[] = [];
	for (const span of after.values()) {
		const previous = before.get(span.span_id);
		if (previous === undefined || previous.parent_span_id !== span.parent_span_id || previous.name !== span.name || previous.kind !== span.kind) {
			frontier.push(span.span_id);
		}
	}

	// Batch spans are done; `visited` also stops a cycle of parent ids. The stored links read by one
	// descendant's walk serve its siblings' and children's: only paths change here, never links.
	const visited = new Set(after.keys());
	const links = new Map<string, SpanLink | undefined>();
	while (frontier.length > 0) {
		const next: string[] = [];
		for (const parentId of frontier) {
			for (const {span_id: childId} of yield* rows<{span_id: string}>(SQL.childIds, [traceId, parentId])) {
				if (visited.has(childId)) {
					continue;
				}

				visited.add(childId);
				const child = (yield* one<SpanLink & {span_id: string; path: string}>(SQL.getSpanPathLink, [traceId, childId]))!;
				const path = yield* pathOf(traceId, child, after, links);
				if (path !== child.path) {
					yield* write(SQL.setSpanPath, [path, traceId, child.span_id]);
					held?.paths.set(child.span_id, path);
				}

				next.push(child.span_id);
			}
		}

		frontier = next;
	}
}

/** The span's step path from this batch's spans alone, as pathOf spells it when nothing of the trace is stored. */
function batchPath(span: Span, batch: ReadonlyMap<string, Span>): string {
	return walkStepPath(id => {
		const link = batch.get(id);
		return link && {parent: link.parent_span_id, name: displayName(link)};
	}, span.span_id);
}

function* recomputeRun(traceId: string, lastEventMs: number, row: RunRow | undefined): SqlProgram<void> {
	const spanRows = yield* rows<{body: string; path: string}>(SQL.spansOfTrace, [traceId]);
	yield* summarizeTrace(
		traceId,
		spanRows.map(r => JSON.parse(r.body) as Span),
		spanRows.map(r => r.path),
		lastEventMs,
		row,
	);
}

/** The run of a trace from all its stored spans (by span id) and their stored paths: the tree's paths where they differ, then the summary. */
function* summarizeTrace(traceId: string, spans: readonly Span[], storedPaths: readonly string[], lastEventMs: number, row: RunRow | undefined): SqlProgram<void> {
	const tree = buildTree(spans);
	// Every path in one pass down the tree (a 100k-span trace's end of ingest: 10x faster than a walk up per span).
	const paths = stepPathsByIndex(tree);
	for (let i = 0; i < spans.length; i++) {
		const path = paths[tree.indexed.indexOf.get(spans[i]!.span_id)!]!;
		if (path !== storedPaths[i]) {
			yield* write(SQL.setSpanPath, [path, traceId, spans[i]!.span_id]);
		}
	}

	const previous = row ? (JSON.parse(row.body) as Run) : undefined;
	const run = summarizeRun(spans, Math.max(lastEventMs, previous?.last_event_ms ?? 0), tree);
	if (!run) {
		return;
	}

	run.run_id = (yield* uniqueRunIds([{runId: run.run_id, traceId}]))[0]!;
	yield* writeRun(run, spans.filter(span => isStep(span)).length);
}

function* updateRunIncrementally(run: Run, stepsSeenBefore: number, before: Map<string, Span | undefined>, after: Map<string, Span>, lastEventMs: number): SqlProgram<void> {
	let stepsSeen = stepsSeenBefore;
	for (const [id, span] of after) {
		const previous = before.get(id);
		if (isStep(span)) {
			if (!previous || !isStep(previous)) {
				stepsSeen++;
			}

			if (span.end_ms !== null && (previous?.end_ms ?? null) === null) {
				run.progress.completed++;
			}
		}

		run.retries += span.retries.length - (previous?.retries.length ?? 0);
	}

	run.progress.total = Math.max(run.progress.total, stepsSeen);
	run.last_event_ms = Math.max(run.last_event_ms, lastEventMs);
	yield* writeRun(run, stepsSeen);
}

function* writeRun(run: Run, stepsSeen: number): SqlProgram<void> {
	yield* upsertRuns([runRow(run, stepsSeen)]);
}
