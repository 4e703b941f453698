import {redactForStore} from '../core/redact.js';
import type {Run, RunStatus} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {InputOccurrences} from './event-digest.js';
import {appendProgram, finishPartsProgram} from './fold-program.js';
import * as migrations from './migrations.js';
import {openDatabase, type Db, type OpenOptions} from './open-database.js';
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

	private readonly checkpointTimer: NodeJS.Timeout | undefined;

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

	override close(): void {
		clearInterval(this.checkpointTimer);
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
	 * The last step of an input stored in parts: summarize, in one
	 * transaction, the runs the parts left for the end. Costs about as much
	 * as the one summary a whole-input append makes. @returns their trace ids.
	 */
	finishParts(parts: AppendParts): string[] {
		const traces = [...parts.staleRuns.keys()];
		if (traces.length === 0) {
			return traces;
		}

		this.run(() => finishPartsProgram(parts.staleRuns), 'write');
		parts.staleRuns.clear();
		return traces;
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
