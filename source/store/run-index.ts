import {redactForStore} from '../core/redact.js';
import type {Run, RunStatus} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {CheckpointWorker} from './checkpoint-worker.js';
import {InputOccurrences} from './event-digest.js';
import {appendProgram, finishPartsProgram} from './fold-program.js';
import * as migrations from './migrations.js';
import {damagedStoreError, openDatabase, type Db, type OpenOptions} from './open-database.js';
import {RunReader} from './run-reader.js';
import {insertServiceLogs, prepareServiceLogs, type ServiceLogsResult} from './service-logs.js';

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

/** One input of a group commit (Store.appendInputs): its events, numbered within it as a call of their own would number them. */
export interface AppendInput {
	events: readonly TraceEvent[];
	input?: InputOccurrences;
}

/**
 * One AppendResult per input out of the result of their concatenation:
 * each inserted event goes to the input it came from (the same object), the
 * rest of an input's events are its duplicates, and its traces are those of
 * its inserted events. The same on both engines.
 */
export function splitResult(result: AppendResult, inputs: ReadonlyArray<readonly TraceEvent[]>): AppendResult[] {
	const owner = new Map<TraceEvent, number>();
	for (const [n, events] of inputs.entries()) {
		for (const event of events) {
			owner.set(event, n);
		}
	}

	const split = inputs.map(() => ({inserted: [] as StoredEvent[], traces: new Set<string>()}));
	for (const stored of result.inserted) {
		const part = split[owner.get(stored.event)!]!;
		part.inserted.push(stored);
		part.traces.add(stored.event.trace_id);
	}

	return split.map((part, n) => ({inserted: part.inserted, duplicates: inputs[n]!.length - part.inserted.length, traces: [...part.traces]}));
}

const CHECKPOINT_INTERVAL_MS = 1000;

export {EVENTS_PAGE} from './run-reader.js';

/**
 * The SQLite run index: raw events as they arrived, spans folded from them,
 * and one summary row per run. Every write is one synchronous transaction;
 * what each does is written once for both engines (fold-program.ts,
 * run-reads.ts) and run here with runSqlite. The reads are RunReader's.
 */
export class RunIndex extends RunReader {
	static override open(home: string, options?: OpenOptions): RunIndex {
		return new RunIndex(openDatabase(home, options, migrations));
	}

	private checkpointTimer: NodeJS.Timeout | undefined;
	private checkpointWorker: CheckpointWorker | undefined;

	constructor(db: Db) {
		super(db);
		if (!db.readonly) {
			// SQLite's automatic checkpoint runs inside whichever commit crosses the
			// threshold, putting a multi-millisecond stall on one emit in ~50. Checkpoint
			// on a timer instead, between writes, and on close.
			db.pragma('wal_autocheckpoint = 0');
			this.checkpointTimer = setInterval(() => this.checkpoint(), CHECKPOINT_INTERVAL_MS);
			this.checkpointTimer.unref();
		}
	}

	/**
	 * Checkpoint on a worker thread with its own connection instead of this
	 * event loop's timer (serve: a checkpoint on the loop stalls every request
	 * in flight). Idempotent; a read-only index has nothing to checkpoint.
	 */
	checkpointInWorker(intervalMs = CHECKPOINT_INTERVAL_MS): CheckpointWorker | undefined {
		if (this.checkpointWorker === undefined && this.checkpointTimer !== undefined && this.db.name !== ':memory:' && this.db.name !== '') {
			clearInterval(this.checkpointTimer);
			this.checkpointTimer = undefined;
			this.checkpointWorker = new CheckpointWorker(this.db.name, intervalMs);
		}

		return this.checkpointWorker;
	}

	override close(): void {
		clearInterval(this.checkpointTimer);
		this.checkpointWorker?.stop();
		super.close();
	}

	/**
	 * Store events and fold them into spans and runs, all or nothing. An event
	 * whose identity is stored already (its producer's event id, or its content
	 * as often as it came before in the input) is skipped, so re-ingesting
	 * changes nothing while two identical lines stay two events.
	 */
	appendEvents(given: readonly TraceEvent[], options: AppendOptions = {}): AppendResult {
		const prepared = prepareEvents(given, options);
		const result = this.run(() => appendProgram(prepared.events, prepared.bodies, prepared.identities, options.parts), 'write');
		prepared.commit();
		return result;
	}

	/**
	 * Several inputs (OTLP requests) in one transaction, all or nothing
	 * together: a group commit. Each input's identities are numbered as its
	 * own appendEvents would number them, so an event sent in two inputs is
	 * stored once, whether the two share a transaction or not; within the
	 * batch, inputs keep their order (ids, and the fold, follow it).
	 */
	appendInputs(inputs: readonly AppendInput[]): AppendResult[] {
		const prepared = inputs.map(input => prepareEvents(input.events, {input: input.input}));
		const events = prepared.flatMap(one => one.events);
		const bodies = prepared.flatMap(one => one.bodies);
		const identities = prepared.flatMap(one => one.identities);
		const result = this.run(() => appendProgram(events, bodies, identities, undefined), 'write');
		for (const one of prepared) {
			one.commit();
		}

		return splitResult(
			result,
			prepared.map(one => one.events),
		);
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

		this.run(() => finishPartsProgram(parts), 'write');
		parts.clear();
		return traces;
	}

	/**
	 * Begin a write transaction that the writes after it join (each as a
	 * savepoint of its own, better-sqlite3's nesting) until commitWrite or
	 * rollbackWrite: one input stored in parts between which the caller
	 * awaits (a file read a piece at a time), all or nothing. IMMEDIATE, as
	 * every write here: the write lock is taken now, so no part fails on a
	 * busy upgrade; SQLITE_BUSY here is for the caller to retry. Nothing else
	 * may write through this index meanwhile: it would join the transaction.
	 */
	beginWrite(): void {
		try {
			this.db.prepare('BEGIN IMMEDIATE').run();
		} catch (error) {
			throw damagedStoreError(this.db.name, error);
		}
	}

	commitWrite(): void {
		try {
			this.db.prepare('COMMIT').run();
		} catch (error) {
			this.rollbackWrite();
			throw damagedStoreError(this.db.name, error);
		}
	}

	/** Harmless when SQLite has rolled back already (a full disk does). */
	rollbackWrite(): void {
		if (this.db.inTransaction) {
			this.db.prepare('ROLLBACK').run();
		}
	}

	/**
	 * Store log records that name no trace under their service, redacted,
	 * all or nothing; identity as for events (see appendEvents).
	 */
	appendServiceLogs(given: readonly ServiceLog[], options: AppendOptions = {}): ServiceLogsResult {
		const prepared = prepareServiceLogs(given, options.input);
		const result = this.run(() => insertServiceLogs(prepared.logs, prepared.identities), 'write');
		prepared.commit();
		return result;
	}
}

/**
 * Events as they will be stored: redacted before anything is serialized
 * (the identity is of what is stored, and `inserted`, what Redis gets,
 * holds no secret), with their identities within the input. `commit` once
 * they are stored, as InputOccurrences asks. The same on both engines.
 */
export function prepareEvents(given: readonly TraceEvent[], options: AppendOptions): {events: TraceEvent[]; bodies: string[]; identities: readonly string[]; commit(): void} {
	const events = redactForStore(given);
	const bodies = events.map(event => JSON.stringify(event));
	const numbered = (options.parts?.input ?? options.input ?? new InputOccurrences()).number(events, bodies);
	return {events, bodies, identities: numbered.identities, commit: () => numbered.commit()};
}
