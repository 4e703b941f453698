import {NotFoundError, InputError} from '../core/errors.js';
import {applyEvent, eventTimeMs, foldEvents, inFoldOrder} from '../core/fold.js';
import {displayName} from '../core/span-name.js';
import {insertLog, isLogRecord, LOG_RECORD_EVENT_TYPE, spanLogOf, type RunLog} from '../core/log-record.js';
import type {Run, RunStatus} from '../core/run.js';
import {redactForStore} from '../core/redact.js';
import {summarizeRun} from '../core/run-summary.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import {isStep} from '../core/step-kind.js';
import type {TraceEvent} from '../core/trace-event.js';
import {buildTree, stepPath, walkStepPath} from '../core/tree.js';
import {currentStepSql} from './current-step.js';
import type {AppendParts} from './append-parts.js';
import {InputOccurrences} from './event-digest.js';
import {escapeLike, LIKE_ESCAPE} from './sql-like.js';
import {damagedStoreError, openDatabase, type Db, type OpenOptions} from './open-database.js';
import {ServiceLogTable, type ServiceLogsResult} from './service-logs.js';
import {SqlWhere} from './sql-where.js';

export interface RunFilter {
	env?: string;
	target?: string;
	status?: RunStatus;
	/** Runs started at or after this epoch ms. */
	sinceMs?: number;
	planHash?: string;
	user?: string;
	/** Only runs started by this trace (their parent_trace_id). */
	parentTraceId?: string;
	correlationId?: string;
	limit?: number;
}

/** The runs a run links to (see linkedRuns): each list newest first. */
export interface LinkedRuns {
	/** The run itself. */
	run: Run;
	/** The run of the trace that started this one, when that run is stored. */
	parent: Run | null;
	/** Runs this one started (their parent_trace_id is its trace). */
	children: Run[];
	/** Other runs with its correlation id. */
	correlated: Run[];
}

/** How many children or correlated runs linkedRuns lists at most. */
const LINKED_RUNS_LIMIT = 100;

/** An event as stored: `id` is its arrival order, a cursor for pollers. */
export interface StoredEvent {
	id: number;
	event: TraceEvent;
}

export interface AppendResult {
	inserted: StoredEvent[];
	/** Events whose identity was stored already (see event-digest.ts): nothing new, nothing lost. */
	duplicates: number;
	/** Trace ids whose run changed. */
	traces: string[];
}

export interface AppendOptions {
	/**
	 * The input these events are part of, when one input (a file, an OTLP
	 * request) is stored in several calls: identical events are numbered
	 * across the whole of it. Without it, the call is the whole input.
	 */
	input?: InputOccurrences;
	/**
	 * This call is one part of an input stored in several (see
	 * append-parts.ts): run summaries that need the whole trace wait for
	 * finishParts. Takes the place of `input`.
	 */
	parts?: AppendParts;
}

interface RunRow {
	trace_id: string;
	run_id: string;
	steps_seen: number;
	body: string;
}

const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * The SQLite run index: raw events as they arrived, spans folded from them,
 * and one summary row per run. Every write is one synchronous transaction.
 */
export class RunIndex {
	static open(home: string, options?: OpenOptions): RunIndex {
		return new RunIndex(openDatabase(home, options));
	}

	readonly db: Db;
	private readonly stmts;
	private serviceLogTable: ServiceLogTable | undefined;
	private readonly checkpointTimer: NodeJS.Timeout | undefined;

	constructor(db: Db) {
		this.db = db;
		if (!db.readonly) {
			// SQLite's automatic checkpoint runs inside whichever commit crosses the
			// threshold, putting a multi-millisecond stall on one emit in ~50. Checkpoint
			// on a timer instead, between writes, and on close.
			db.pragma('wal_autocheckpoint = 0');
			this.checkpointTimer = setInterval(() => this.checkpoint(), CHECKPOINT_INTERVAL_MS);
			this.checkpointTimer.unref();
		}

		this.stmts = {
			insertEvent: db.prepare('INSERT OR IGNORE INTO events (trace_id, span_id, event_type, ts_ms, digest, body) VALUES (?, ?, ?, ?, ?, ?)'),
			getSpan: db.prepare('SELECT body FROM spans WHERE trace_id = ? AND span_id = ?').pluck(),
			getSpanLink: db.prepare('SELECT parent_span_id, name, kind FROM spans WHERE trace_id = ? AND span_id = ?'),
			upsertSpan: db.prepare(`INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, path, start_ms, end_ms, status, body)
				VALUES (@trace_id, @span_id, @parent_span_id, @name, @kind, @path, @start_ms, @end_ms, @status, @body)
				ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id, name = excluded.name,
				kind = excluded.kind, path = excluded.path, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
				status = excluded.status, body = excluded.body`),
			setSpanPath: db.prepare('UPDATE spans SET path = ? WHERE trace_id = ? AND span_id = ?'),
			spansOfTrace: db.prepare('SELECT body, path FROM spans WHERE trace_id = ?'),
			spanBodies: db.prepare('SELECT body FROM spans WHERE trace_id = ?').pluck(),
			failedSpanIds: db.prepare("SELECT span_id FROM spans WHERE trace_id = ? AND status = 'failed'").pluck(),
			getRun: db.prepare('SELECT trace_id, run_id, steps_seen, body FROM runs WHERE trace_id = ?'),
			runIdTaken: db.prepare('SELECT trace_id FROM runs WHERE run_id = ?').pluck(),
			upsertRun: db.prepare(`INSERT INTO runs (trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, user, body)
				VALUES (@trace_id, @run_id, @env, @target, @plan_hash, @status, @started_ms, @ended_ms, @last_event_ms, @steps_seen, @failed_step, @user, @body)
				ON CONFLICT (trace_id) DO UPDATE SET run_id = excluded.run_id, env = excluded.env, target = excluded.target,
				plan_hash = excluded.plan_hash, status = excluded.status, started_ms = excluded.started_ms, ended_ms = excluded.ended_ms,
				last_event_ms = excluded.last_event_ms, steps_seen = excluded.steps_seen, failed_step = excluded.failed_step,
				user = excluded.user, body = excluded.body`),
			currentStep: db.prepare(currentStepSql('?')).pluck(),
			runByExactId: db.prepare('SELECT body FROM runs WHERE run_id = ? OR trace_id = ?').pluck(),
			runsByPrefix: db.prepare(`SELECT body FROM runs WHERE run_id LIKE ? ${LIKE_ESCAPE} OR trace_id LIKE ? ${LIKE_ESCAPE} LIMIT 6`).pluck(),
			// A trailing part can use no index: this reads run_id's own index (not the rows) and only when no prefix matched.
			runsBySuffix: db.prepare(`SELECT body FROM runs WHERE run_id IN (SELECT run_id FROM runs WHERE run_id LIKE ? ${LIKE_ESCAPE} LIMIT 6)`).pluck(),
			eventsOfTrace: db.prepare('SELECT id, body FROM events WHERE trace_id = ? ORDER BY id'),
			eventsAfter: db.prepare('SELECT id, body FROM events WHERE id > ? ORDER BY id LIMIT ?'),
			eventsOfTraceAfter: db.prepare('SELECT id, body FROM events WHERE trace_id = ? AND id > ? ORDER BY id LIMIT ?'),
			maxEventId: db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck(),
			latestEarlierEventMs: db.prepare('SELECT max(ts_ms) FROM events WHERE trace_id = ? AND span_id = ? AND id < ?').pluck(),
			eventsOfSpan: db.prepare('SELECT body FROM events WHERE trace_id = ? AND span_id = ? ORDER BY id').pluck(),
			// Both use events_log_records (migration 8): the literal event type is what lets SQLite pick the partial index.
			earlierLogs: db.prepare(`SELECT body FROM events WHERE trace_id = ? AND span_id = ? AND event_type = '${LOG_RECORD_EVENT_TYPE}' AND id < ? ORDER BY id`).pluck(),
			strayLogs: db.prepare(`SELECT e.span_id, e.body FROM events e WHERE e.trace_id = ? AND e.event_type = '${LOG_RECORD_EVENT_TYPE}'
				AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = e.trace_id AND s.span_id = e.span_id) ORDER BY e.id`),
		};
	}

	close(): void {
		clearInterval(this.checkpointTimer);
		if (this.db.open) {
			this.checkpoint();
			this.db.close();
		}
	}

	/** Copy the WAL back into the database without waiting on readers; harmless when another process holds it. */
	private checkpoint(): void {
		try {
			this.db.pragma('wal_checkpoint(PASSIVE)');
		} catch {
			// Busy or closing: the next tick or the next writer's close will do it.
		}
	}

	/**
	 * Store events and fold them into spans and runs, all or nothing. An event
	 * whose identity is stored already (its producer's event id, or its content
	 * as often as it came before in the input) is skipped, so re-ingesting
	 * changes nothing while two identical lines stay two events.
	 */
	appendEvents(given: readonly TraceEvent[], options: AppendOptions = {}): AppendResult {
		// Redacted before anything is serialized: the identity is of what is stored, and `inserted` (what Redis gets) holds no secret.
		const events = redactForStore(given);
		const bodies = events.map(event => JSON.stringify(event));
		const numbered = (options.parts?.input ?? options.input ?? new InputOccurrences()).number(events, bodies);
		const result = this.guard(() => this.db.transaction(() => this.appendInTransaction(events, bodies, numbered.identities, options.parts)).immediate());
		numbered.commit();
		return result;
	}

	/**
	 * The last step of an input stored in parts: summarize, in one
	 * transaction, the runs the parts left for the end. Costs about as much
	 * as the one summary a whole-input append makes. @returns their trace ids.
	 */
	finishParts(parts: AppendParts): string[] {
		const traces = [...parts.staleRuns.keys()];
		if (traces.length === 0) {
			return traces;
		}

		this.guard(() =>
			this.db
				.transaction(() => {
					for (const [traceId, lastEventMs] of parts.staleRuns) {
						this.recomputeRun(traceId, lastEventMs, this.stmts.getRun.get(traceId) as RunRow | undefined);
					}
				})
				.immediate(),
		);
		parts.staleRuns.clear();
		return traces;
	}

	/** Run a query; SQLite's report of a damaged file becomes a one-line StoreError, not an internal error. */
	private guard<T>(query: () => T): T {
		try {
			return query();
		} catch (error) {
			throw damagedStoreError(this.db.name, error);
		}
	}

	private appendInTransaction(events: readonly TraceEvent[], bodies: readonly string[], identities: readonly string[], parts: AppendParts | undefined): AppendResult {
		const inserted: StoredEvent[] = [];
		let duplicates = 0;
		for (const [i, event] of events.entries()) {
			const ts = eventTimeMs(event);
			if (!Number.isFinite(ts)) {
				// Callers validate at the edge; this keeps a bad caller from storing an undatable event.
				throw new InputError(`event ${event.trace_id}/${event.span_id} has an invalid timestamp "${event.timestamp}"`);
			}

			const info = this.stmts.insertEvent.run(event.trace_id, event.span_id, event.event_type, ts, identities[i]!, bodies[i]!);
			if (info.changes === 0) {
				duplicates++;
				// A part stored before, by an attempt that never reached finishParts: its run may still be stale.
				parts?.markStale(event.trace_id, ts);
			} else {
				inserted.push({id: Number(info.lastInsertRowid), event});
			}
		}

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
		for (const [traceId, traceEvents] of byTrace) {
			this.foldTrace(traceId, traceEvents, firstNewId, parts);
		}

		return {inserted, duplicates, traces: [...byTrace.keys()]};
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
	private foldTrace(traceId: string, events: readonly StoredEvent[], firstNewId: number, parts: AppendParts | undefined): void {
		const before = new Map<string, Span | undefined>();
		const after = new Map<string, Span>();
		// Spans that got more than log records: only these can change the run beyond its last event time.
		const reshaped = new Set<string>();
		const bySpan = new Map<string, TraceEvent[]>();
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

		for (const [spanId, spanEvents] of bySpan) {
			const stored = this.stmts.getSpan.get(traceId, spanId) as string | undefined;
			const previous = stored === undefined ? undefined : (JSON.parse(stored) as Span);
			let span: Span | undefined;
			if (previous === undefined) {
				// Stored before this batch, only log records can be waiting for it.
				const waiting = (this.stmts.earlierLogs.all(traceId, spanId, firstNewId) as string[]).map(body => JSON.parse(body) as TraceEvent);
				span = foldEvents(waiting.length === 0 ? spanEvents : [...waiting, ...spanEvents])[0];
			} else {
				// The span's first event in fold order is its earliest in this batch.
				const latestStored = this.stmts.latestEarlierEventMs.get(traceId, spanId, firstNewId) as number | null;
				span = latestStored !== null && eventTimeMs(spanEvents[0]!) <= latestStored ? this.refoldSpan(traceId, spanId) : spanEvents.reduce<Span>((folded, event) => applyEvent(folded, event), previous);
			}

			if (span !== undefined) {
				before.set(spanId, previous);
				after.set(spanId, span);
			}
		}

		for (const span of after.values()) {
			this.stmts.upsertSpan.run({
				trace_id: traceId,
				span_id: span.span_id,
				parent_span_id: span.parent_span_id,
				name: span.name,
				kind: span.kind,
				path: this.pathOf(traceId, span, after),
				start_ms: span.start_ms,
				end_ms: span.end_ms,
				status: span.status,
				body: JSON.stringify(span),
			});
		}

		if (parts?.staleRuns.has(traceId)) {
			// finishParts summarizes this run from all its spans; counting onto a stale summary would be lost work.
			parts.markStale(traceId, lastEventMs);
			return;
		}

		const row = this.stmts.getRun.get(traceId) as RunRow | undefined;
		const run = row === undefined ? undefined : (JSON.parse(row.body) as Run);
		const needsFull = row === undefined || run === undefined || this.reachesBeyondSpans(traceId, run, before, after, reshaped);
		if (needsFull && parts) {
			// Once at the end rather than once per part: a summary reads every span of the trace.
			parts.markStale(traceId, lastEventMs);
		} else if (needsFull) {
			this.recomputeRun(traceId, lastEventMs, row);
		} else {
			this.updateRunIncrementally(run, row.steps_seen, before, after, lastEventMs);
		}
	}

	/** A span folded again from every stored event of it (this batch's included), in fold order. */
	private refoldSpan(traceId: string, spanId: string): Span {
		const events = (this.stmts.eventsOfSpan.all(traceId, spanId) as string[]).map(body => JSON.parse(body) as TraceEvent);
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
	private reachesBeyondSpans(traceId: string, run: Run, before: Map<string, Span | undefined>, after: Map<string, Span>, reshaped: ReadonlySet<string>): boolean {
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

		return run.failed_step !== null && succeeded.length > 0 && this.anyAboveFailure(traceId, succeeded);
	}

	/** Whether any of the spans is an ancestor of a failed span of the trace (stored links, this batch included). */
	private anyAboveFailure(traceId: string, spanIds: readonly string[]): boolean {
		const wanted = new Set(spanIds);
		const seen = new Set<string>();
		for (const failedId of this.stmts.failedSpanIds.all(traceId) as string[]) {
			let id: string | null = failedId;
			while (id !== null && !seen.has(id)) {
				seen.add(id);
				const link = this.stmts.getSpanLink.get(traceId, id) as {parent_span_id: string | null} | undefined;
				id = link?.parent_span_id ?? null;
				if (id !== null && wanted.has(id)) {
					return true;
				}
			}
		}

		return false;
	}

	/** The span's step path from stored parents (and this batch's), as the tree would spell it. */
	private pathOf(traceId: string, span: Span, batch: Map<string, Span>): string {
		return walkStepPath(id => {
			const inBatch = id === span.span_id ? span : batch.get(id);
			if (inBatch) {
				return {parent: inBatch.parent_span_id, name: displayName(inBatch)};
			}

			const stored = this.stmts.getSpanLink.get(traceId, id) as {parent_span_id: string | null; name: string; kind: string; span_id: string} | undefined;
			return stored && {parent: stored.parent_span_id, name: displayName({name: stored.name, kind: stored.kind, span_id: id})};
		}, span.span_id);
	}

	private recomputeRun(traceId: string, lastEventMs: number, row: RunRow | undefined): void {
		const rows = this.stmts.spansOfTrace.all(traceId) as Array<{body: string; path: string}>;
		const spans = rows.map(r => JSON.parse(r.body) as Span);
		const tree = buildTree(spans);
		for (let i = 0; i < spans.length; i++) {
			const path = stepPath(tree, spans[i]!.span_id);
			if (path !== rows[i]!.path) {
				this.stmts.setSpanPath.run(path, traceId, spans[i]!.span_id);
			}
		}

		const previous = row ? (JSON.parse(row.body) as Run) : undefined;
		const run = summarizeRun(spans, Math.max(lastEventMs, previous?.last_event_ms ?? 0), tree);
		if (!run) {
			return;
		}

		run.run_id = this.uniqueRunId(run.run_id, traceId);
		this.writeRun(run, spans.filter(span => isStep(span)).length);
	}

	/**
	 * Two traces claiming one run id (a re-run under the same id) both stay
	 * visible: the later one gets a suffix from its trace id. The short suffix
	 * comes first (ids already stored keep it); padded 64-bit ids share their
	 * first eight characters, so the whole trace id follows when it is taken.
	 */
	private uniqueRunId(runId: string, traceId: string): string {
		for (const candidate of [runId, `${runId}~${traceId.slice(0, 8)}`]) {
			const owner = this.stmts.runIdTaken.get(candidate) as string | undefined;
			if (owner === undefined || owner === traceId) {
				return candidate;
			}
		}

		return `${runId}~${traceId}`;
	}

	private updateRunIncrementally(run: Run, stepsSeenBefore: number, before: Map<string, Span | undefined>, after: Map<string, Span>, lastEventMs: number): void {
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
		this.writeRun(run, stepsSeen);
	}

	private writeRun(run: Run, stepsSeen: number): void {
		const stored: Run = {...run, current_step: null};
		this.stmts.upsertRun.run({
			trace_id: run.trace_id,
			run_id: run.run_id,
			env: run.env,
			target: run.target,
			plan_hash: run.plan_hash,
			status: run.status,
			started_ms: Date.parse(run.started_at),
			ended_ms: run.ended_at === null ? null : Date.parse(run.ended_at),
			last_event_ms: run.last_event_ms,
			steps_seen: stepsSeen,
			failed_step: run.failed_step,
			user: run.user,
			body: JSON.stringify(stored),
		});
	}

	/** A stored run, with its current step filled in while it runs. */
	private hydrate(body: string): Run {
		const run = JSON.parse(body) as Run;
		if (run.status === 'running') {
			run.current_step = (this.stmts.currentStep.get(run.trace_id) as string | undefined) ?? null;
		}

		return run;
	}

	listRuns(filter: RunFilter = {}): Run[] {
		const where = new SqlWhere()
			.add('env = ?', filter.env)
			.add('target = ?', filter.target)
			.add('status = ?', filter.status)
			.add('started_ms >= ?', filter.sinceMs)
			.add('plan_hash = ?', filter.planHash)
			.add('user = ?', filter.user)
			.add('parent_trace_id = ?', filter.parentTraceId)
			.add('correlation_id = ?', filter.correlationId);
		const sql = `SELECT body FROM runs ${where.toSql()} ORDER BY started_ms DESC, run_id DESC LIMIT ?`;
		const params = [...where.params, filter.limit ?? -1];
		return this.guard(() =>
			(
				this.db
					.prepare(sql)
					.pluck()
					.all(...params) as string[]
			).map(body => this.hydrate(body)),
		);
	}

	/**
	 * The runs linked to the run of `traceId`: its parent run, the runs it
	 * started, and the other runs sharing its correlation id. Each list is
	 * capped (LINKED_RUNS_LIMIT), newest first.
	 */
	linkedRuns(traceId: string): LinkedRuns {
		const row = this.guard(() => this.stmts.getRun.get(traceId)) as RunRow | undefined;
		if (row === undefined) {
			throw new NotFoundError(`no run has trace ${traceId}`);
		}

		const run = this.hydrate(row.body);
		const parent = run.parent_trace_id === null ? undefined : (this.guard(() => this.stmts.getRun.get(run.parent_trace_id)) as RunRow | undefined);
		const children = this.listRuns({parentTraceId: traceId, limit: LINKED_RUNS_LIMIT});
		const correlated =
			run.correlation_id === null
				? []
				: this.listRuns({correlationId: run.correlation_id, limit: LINKED_RUNS_LIMIT + 1})
						.filter(other => other.trace_id !== traceId)
						.slice(0, LINKED_RUNS_LIMIT);
		return {run, parent: parent === undefined ? null : this.hydrate(parent.body), children, correlated};
	}

	/**
	 * Name a run by its id, its trace id, a unique prefix of either, or a
	 * unique trailing part of its id (the short sha people quote: "3f2a9c1"
	 * names run-20260301-101500-3f2a9c1), in that order: a prefix that
	 * matches wins over a trailing part.
	 */
	resolveRun(ref: string): Run {
		const exact = this.guard(() => this.stmts.runByExactId.get(ref, ref)) as string | undefined;
		if (exact !== undefined) {
			return this.guard(() => this.hydrate(exact));
		}

		const pattern = `${escapeLike(ref)}%`;
		let matches = this.guard(() => this.stmts.runsByPrefix.all(pattern, pattern)) as string[];
		if (matches.length === 0 && ref !== '') {
			matches = this.guard(() => this.stmts.runsBySuffix.all(`%${escapeLike(ref)}`)) as string[];
		}

		if (matches.length === 0) {
			throw new NotFoundError(`no run matches "${ref}"; list runs with: tracedeck runs list`);
		}

		if (matches.length > 1) {
			const ids = matches.slice(0, 5).map(body => (JSON.parse(body) as Run).run_id);
			throw new InputError(`"${ref}" matches several runs (${ids.join(', ')}${matches.length > 5 ? ', ...' : ''}); give more of the id`);
		}

		return this.guard(() => this.hydrate(matches[0]!));
	}

	spans(traceId: string): Span[] {
		return [...this.iterateSpans(traceId)];
	}

	/** A trace's spans parsed one row at a time, so a 100,000-span trace never holds all its raw JSON at once. */
	*iterateSpans(traceId: string): Generator<Span> {
		const rows = this.guard(() => this.stmts.spanBodies.iterate(traceId)) as Iterable<string>;
		for (const body of rows) {
			yield JSON.parse(body) as Span;
		}
	}

	/**
	 * Log records of a trace whose span is not stored (it never arrived, or
	 * the record named none), in time order: the run shows them itself.
	 */
	strayLogs(traceId: string): RunLog[] {
		const logs: RunLog[] = [];
		for (const row of this.guard(() => this.stmts.strayLogs.all(traceId)) as Array<{span_id: string; body: string}>) {
			insertLog(logs, {span_id: row.span_id, ...spanLogOf(JSON.parse(row.body) as TraceEvent)});
		}

		return logs;
	}

	/**
	 * Store log records that name no trace under their service, redacted,
	 * all or nothing; identity as for events (see appendEvents).
	 */
	appendServiceLogs(given: readonly ServiceLog[], options: AppendOptions = {}): ServiceLogsResult {
		this.serviceLogTable ??= new ServiceLogTable(this.db);
		const table = this.serviceLogTable;
		const prepared = table.prepare(given, options.input);
		const result = this.guard(() => this.db.transaction(() => table.insert(prepared.logs, prepared.identities)).immediate());
		prepared.commit();
		return result;
	}

	events(traceId: string): StoredEvent[] {
		return this.parseEvents(this.guard(() => this.stmts.eventsOfTrace.all(traceId)) as Array<{id: number; body: string}>);
	}

	/** Events that arrived after `cursor` (an event id), oldest first: the polling fallback's feed. */
	eventsAfter(cursor: number, traceId?: string, limit = 1000): StoredEvent[] {
		const rows = this.guard(() => (traceId === undefined ? this.stmts.eventsAfter.all(cursor, limit) : this.stmts.eventsOfTraceAfter.all(traceId, cursor, limit)));
		return this.parseEvents(rows as Array<{id: number; body: string}>);
	}

	maxEventId(): number {
		return this.guard(() => this.stmts.maxEventId.get()) as number;
	}

	private parseEvents(rows: Array<{id: number; body: string}>): StoredEvent[] {
		return rows.map(row => ({id: row.id, event: JSON.parse(row.body) as TraceEvent}));
	}
}
