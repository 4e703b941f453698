import type {AnalyticsInput} from '../core/analytics.js';
import type {DoraRow} from '../core/dora.js';
import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import {loadAnalyticsInput} from './analytics-rows.js';
import type {AppendParts} from './append-parts.js';
import {auditRuns, type AuditFilter} from './audit.js';
import {lastSuccessBefore} from './baseline-run.js';
import {decisionHistory, type DecisionHistoryRow} from './decision-history.js';
import {DeploymentFigures} from './deployment-figures.js';
import {loadDoraRows} from './dora-rows.js';
import type {OpenOptions} from './open-database.js';
import {purgeRuns, type PurgeOptions, type PurgeResult, type RetentionPolicy} from './retention.js';
import {RunIndex, type AppendOptions, type AppendResult, type LinkedRuns, type RunFilter, type StoredEvent} from './run-index.js';
import {firstRuns, readRunFigures, readRunPage, runsBetween, type RunCounts, type RunFigures, type RunListing, type RunPage} from './run-page.js';
import type {RunWindow} from './run-window.js';
import {traceSnapshotProgram} from './run-reads.js';
import {searchRuns, type SearchHit, type SearchQuery} from './search.js';
import type {ServiceLogsResult} from './service-logs.js';
import {runSqlite} from './sql-program.js';
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
		return runSqlite(this.index.db, () => traceSnapshotProgram(traceId), 'read');
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

	async runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage> {
		return readRunPage(this.index.db, listing, selection, size);
	}

	async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		return firstRuns(this.index.db, listing, limit);
	}

	async runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]> {
		return runsBetween(this.index.db, listing, counts, from, to);
	}

	async runFigures(listing: RunListing): Promise<RunFigures> {
		return readRunFigures(this.index.db, listing);
	}

	async search(query: SearchQuery): Promise<SearchHit[]> {
		return searchRuns(this.index.db, query);
	}

	async auditRuns(filter?: AuditFilter): Promise<Run[]> {
		return auditRuns(this.index, filter);
	}

	async lastSuccessBefore(run: Pick<Run, 'trace_id'>): Promise<Run | null> {
		return lastSuccessBefore(this.index, run);
	}

	async decisionHistory(path: string, workflowName: string, limit: number): Promise<DecisionHistoryRow[]> {
		return decisionHistory(this.index.db, path, workflowName, limit);
	}

	async analyticsInput(window: RunWindow): Promise<AnalyticsInput> {
		return loadAnalyticsInput(this.index.db, window);
	}

	async doraRows(window: RunWindow): Promise<DoraRow[]> {
		return loadDoraRows(this.index.db, window);
	}

	deploymentFigures(): DeploymentReader {
		const figures = new DeploymentFigures(this.index.db);
		return {
			counters: async name => figures.counters(name),
			histogram: async name => figures.histogram(name),
			inProgress: async () => figures.inProgress(),
			stuck: async beforeMs => figures.stuck(beforeMs),
			deploymentEnvs: async () => figures.deploymentEnvs(),
		};
	}

	async purge(home: string, policy: RetentionPolicy, options?: PurgeOptions): Promise<PurgeResult> {
		return purgeRuns(this.index, home, policy, options);
	}

	async close(): Promise<void> {
		this.index.close();
	}
}
