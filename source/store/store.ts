import type {AnalyticsInput} from '../core/analytics.js';
import type {DoraRow} from '../core/dora.js';
import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceChanges, TraceHead} from './trace-pages.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import type {AuditFilter} from './audit.js';
import type {DecisionHistoryRow} from './decision-history.js';
import type {CounterSeries, EnvCount, HistogramFigures} from './deployment-figures.js';
import type {PurgeOptions, PurgeResult, RetentionPolicy} from './retention.js';
import type {AppendInput, AppendOptions, AppendResult, LinkedRuns, RunFilter, StoredEvent} from './run-index.js';
import type {RunCounts, RunFigures, RunListing, RunPage} from './run-page.js';
import type {RunWindow} from './run-window.js';
import type {SearchHit, SearchQuery} from './search.js';
import type {ServiceLogsResult} from './service-logs.js';

/** Which engine holds the index. */
export type StoreBackend = 'sqlite' | 'postgres';

/** A trace as one consistent read: its spans, the run, and the event cursor they are as of (live views resume after it). */
export interface TraceSnapshot {
	spans: Span[];
	run: Run | null;
	cursor: number;
}

/** The deployment figures /metrics serves: counters and histograms kept at write time, and two live counts. */
export interface DeploymentReader {
	counters(name: string): Promise<CounterSeries[]>;
	histogram(name: string): Promise<HistogramFigures>;
	/** Deployments (runs with an env) running now, per env. */
	inProgress(): Promise<EnvCount[]>;
	/** Running runs with no event since `beforeMs`, per env. */
	stuck(beforeMs: number): Promise<EnvCount[]>;
	/** Envs that ever had a finished deployment. */
	deploymentEnvs(): Promise<string[]>;
}

/**
 * The run index as every part of tracedeck sees it: the embedded SQLite file
 * (sqlite-store.ts) or a shared PostgreSQL database (postgres-store.ts).
 * Async, because a network database is; answers are the same on both, so
 * every command's JSON is too.
 *
 * Writes are all or nothing per call, and idempotent: an event whose
 * identity is stored already is counted as a duplicate, never stored twice,
 * whichever writer on whichever machine sent it first.
 */
export interface Store {
	readonly backend: StoreBackend;
	/** Where the index lives, for messages: a file path, or a URL without its password. */
	readonly location: string;

	appendEvents(events: readonly TraceEvent[], options?: AppendOptions): Promise<AppendResult>;
	/**
	 * Group commit: several inputs in one transaction, all or nothing
	 * together, one result per input, each as its own appendEvents would have
	 * given. Absent where the engine gains nothing from it (callers append
	 * one input at a time).
	 */
	readonly appendInputs?: (inputs: readonly AppendInput[]) => Promise<AppendResult[]>;
	/**
	 * Run the engine's housekeeping (SQLite's WAL checkpoints) off this
	 * thread, for a long-lived writer such as serve. Absent where there is none.
	 */
	readonly checkpointInBackground?: () => void;
	/**
	 * Begin one write transaction held open across awaits: the appends and
	 * finishParts after it, until commit or rollback, are in it. For one
	 * input too big to hold at once (a file of a million events), stored in
	 * parts all or nothing. Nothing else may use the store until it ends.
	 * Throws the engine's busy error when another writer holds the lock (the
	 * caller waits and tries again, as EventWriter does).
	 */
	readonly beginWrite?: () => Promise<WriteTransaction>;
	/** The last step of an input stored in parts (see append-parts.ts): @returns the trace ids summarized. */
	finishParts(parts: AppendParts): Promise<string[]>;
	appendServiceLogs(logs: readonly ServiceLog[], options?: AppendOptions): Promise<ServiceLogsResult>;

	listRuns(filter?: RunFilter): Promise<Run[]>;
	linkedRuns(traceId: string): Promise<LinkedRuns>;
	/** A run by id, trace id, unique prefix or unique trailing part (see RunIndex.resolveRun). */
	resolveRun(ref: string): Promise<Run>;
	spans(traceId: string): Promise<Span[]>;
	strayLogs(traceId: string): Promise<RunLog[]>;
	traceSnapshot(traceId: string): Promise<TraceSnapshot>;
	/** A big trace in pieces (trace-pages.ts): the top of its tree, its spans by pages of id, what changed meanwhile. */
	traceHead(traceId: string, limit: number): Promise<TraceHead>;
	traceSpansPage(traceId: string, after: string, limit: number): Promise<Span[]>;
	traceChanges(traceId: string, cursor: number): Promise<TraceChanges>;

	events(traceId: string): Promise<StoredEvent[]>;
	/** Events stored after `cursor`, in cursor order: the polling and NOTIFY feeds' read. */
	eventsAfter(cursor: number, traceId?: string, limit?: number): Promise<StoredEvent[]>;
	maxEventId(): Promise<number>;

	/** The console's runs list: a window around the selection, with its counts and figures, from one snapshot. */
	runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage>;
	/** The first `limit` runs of a listing, uncounted. */
	firstRuns(listing: RunListing, limit: number): Promise<Run[]>;
	/** Rows [from, to) of a counted listing. */
	runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]>;
	runFigures(listing: RunListing): Promise<RunFigures>;

	search(query: SearchQuery): Promise<SearchHit[]>;
	auditRuns(filter?: AuditFilter): Promise<Run[]>;
	/** The newest successful run of the same env and target that started before this one. */
	lastSuccessBefore(run: Pick<Run, 'trace_id'>): Promise<Run | null>;
	decisionHistory(path: string, workflowName: string, limit: number): Promise<DecisionHistoryRow[]>;
	analyticsInput(window: RunWindow): Promise<AnalyticsInput>;
	doraRows(window: RunWindow): Promise<DoraRow[]>;
	deploymentFigures(): DeploymentReader;
	/** Delete runs past retention (and their artifact folders under `home`), in one transaction. */
	purge(home: string, policy: RetentionPolicy, options?: PurgeOptions): Promise<PurgeResult>;

	/**
	 * Be told when any writer, on any machine, stores events: where the engine
	 * can tell (PostgreSQL's LISTEN/NOTIFY). Absent where it cannot (SQLite:
	 * readers poll eventsAfter). `onStored` gets no events, only the news;
	 * readers read them with eventsAfter from their own cursor, so a lost or
	 * merged notification loses nothing. `onLost` says the feed stopped.
	 */
	readonly subscribe?: (onStored: () => void, onLost: (error: Error) => void) => Promise<StoreSubscription>;

	close(): Promise<void>;
}

/** A transaction begun by Store.beginWrite. rollback never throws: it is called on the way out of another error. */
export interface WriteTransaction {
	commit(): Promise<void>;
	rollback(): Promise<void>;
}

export interface StoreSubscription {
	close(): Promise<void>;
}
