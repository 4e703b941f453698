import type {AnalyticsInput} from '../core/analytics.js';
import type {DoraRow} from '../core/dora.js';
import {NotFoundError} from '../core/errors.js';
import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import type {AuditFilter} from './audit.js';
import type {DecisionHistoryRow} from './decision-history.js';
import {damagedStoreError, type OpenOptions} from './open-database.js';
import {QUERY_PROGRAMS} from './query-programs.js';
import {finishPurge, purgeMode, type PurgeOptions, type PurgeResult, type RetentionPolicy} from './retention.js';
import {RunIndex, type AppendOptions, type AppendResult, type LinkedRuns, type RunFilter, type StoredEvent} from './run-index.js';
import type {RunCounts, RunFigures, RunListing, RunPage} from './run-page.js';
import type {RunWindow} from './run-window.js';
import type {SearchHit, SearchQuery} from './search.js';
import type {SqlProgram, TransactionMode} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';
import type {ServiceLogsResult} from './service-logs.js';
import type {DeploymentReader, Store, TraceSnapshot} from './store.js';

/**
 * The embedded store: one SQLite file under the home (RunIndex). Its
 * statements are synchronous and fast (a page is read in well under a
 * millisecond), so each answer is computed at once and handed back as a
 * settled promise; callers await it like any store's.
 */
export class SqliteStore implements Store {
	static open(home: string, options?: OpenOptions): SqliteStore {
		return new SqliteStore(RunIndex.open(home, options));
	}

	readonly backend = 'sqlite';
	readonly location: string;

	constructor(readonly index: RunIndex) {
		this.location = index.db.name;
	}

	async appendEvents(events: readonly TraceEvent[], options?: AppendOptions): Promise<AppendResult> {
		return this.index.appendEvents(events, options);
	}

	async finishParts(parts: AppendParts): Promise<string[]> {
		return this.index.finishParts(parts);
	}

	async appendServiceLogs(logs: readonly ServiceLog[], options?: AppendOptions): Promise<ServiceLogsResult> {
		return this.index.appendServiceLogs(logs, options);
	}

	async listRuns(filter?: RunFilter): Promise<Run[]> {
		return this.index.listRuns(filter);
	}

	async linkedRuns(traceId: string): Promise<LinkedRuns> {
		return this.index.linkedRuns(traceId);
	}

	async resolveRun(ref: string): Promise<Run> {
		return this.index.resolveRun(ref);
	}

	async spans(traceId: string): Promise<Span[]> {
		return this.index.spans(traceId);
	}

	async strayLogs(traceId: string): Promise<RunLog[]> {
		return this.index.strayLogs(traceId);
	}

	async traceSnapshot(traceId: string): Promise<TraceSnapshot> {
		// One read transaction: the spans and the cursor describe the same moment.
		return this.index.db.transaction(() => ({spans: this.index.spans(traceId), cursor: this.index.maxEventId(), run: this.findRun(traceId)}))();
	}

	private findRun(traceId: string): Run | null {
		try {
			return this.index.resolveRun(traceId);
		} catch (error) {
			if (error instanceof NotFoundError) {
				return null;
			}

			throw error;
		}
	}

	async events(traceId: string): Promise<StoredEvent[]> {
		return this.index.events(traceId);
	}

	async eventsAfter(cursor: number, traceId?: string, limit?: number): Promise<StoredEvent[]> {
		return this.index.eventsAfter(cursor, traceId, limit);
	}

	async maxEventId(): Promise<number> {
		return this.index.maxEventId();
	}

	/** A query program (query-programs.ts) in one transaction, its SQLite errors told as the store's. */
	private run<T>(program: () => SqlProgram<T>, mode: TransactionMode = 'read'): T {
		try {
			return runSqliteQuery(this.index.db, program, mode);
		} catch (error) {
			throw damagedStoreError(this.index.db.name, error);
		}
	}

	async runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage> {
		return this.run(() => QUERY_PROGRAMS.runPage('sqlite', listing, selection, size));
	}

	async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		return this.run(() => QUERY_PROGRAMS.firstRuns('sqlite', listing, limit));
	}

	async runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]> {
		return this.run(() => QUERY_PROGRAMS.runsBetween('sqlite', listing, counts, from, to));
	}

	async runFigures(listing: RunListing): Promise<RunFigures> {
		return this.run(() => QUERY_PROGRAMS.runFigures('sqlite', listing));
	}

	async search(query: SearchQuery): Promise<SearchHit[]> {
		return this.run(() => QUERY_PROGRAMS.search('sqlite', query));
	}

	async auditRuns(filter?: AuditFilter): Promise<Run[]> {
		return this.run(() => QUERY_PROGRAMS.auditRuns('sqlite', filter));
	}

	async lastSuccessBefore(run: Pick<Run, 'trace_id'>): Promise<Run | null> {
		return this.run(() => QUERY_PROGRAMS.lastSuccessBefore('sqlite', run));
	}

	async decisionHistory(path: string, workflowName: string, limit: number): Promise<DecisionHistoryRow[]> {
		return this.run(() => QUERY_PROGRAMS.decisionHistory('sqlite', path, workflowName, limit));
	}

	async analyticsInput(window: RunWindow): Promise<AnalyticsInput> {
		return this.run(() => QUERY_PROGRAMS.analyticsInput('sqlite', window));
	}

	async doraRows(window: RunWindow): Promise<DoraRow[]> {
		return this.run(() => QUERY_PROGRAMS.doraRows('sqlite', window));
	}

	deploymentFigures(): DeploymentReader {
		return {
			counters: async name => this.run(() => QUERY_PROGRAMS.counters('sqlite', name)),
			histogram: async name => this.run(() => QUERY_PROGRAMS.histogram('sqlite', name)),
			inProgress: async () => this.run(() => QUERY_PROGRAMS.inProgress('sqlite')),
			stuck: async beforeMs => this.run(() => QUERY_PROGRAMS.stuck('sqlite', beforeMs)),
			deploymentEnvs: async () => this.run(() => QUERY_PROGRAMS.deploymentEnvs('sqlite')),
		};
	}

	async purge(home: string, policy: RetentionPolicy, options?: PurgeOptions): Promise<PurgeResult> {
		return finishPurge(
			home,
			this.run(() => QUERY_PROGRAMS.purge('sqlite', policy, options), purgeMode(options)),
		);
	}

	async close(): Promise<void> {
		this.index.close();
	}
}
