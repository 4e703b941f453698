import type {AnalyticsInput} from '../core/analytics.js';
import type {DoraRow} from '../core/dora.js';
import type {Run} from '../core/run.js';
import type {AuditFilter} from './audit.js';
import type {DecisionHistoryRow} from './decision-history.js';
import {QUERY_PROGRAMS} from './query-programs.js';
import {finishPurge, purgeMode, type PurgeOptions, type PurgeResult, type RetentionPolicy} from './retention.js';
import type {RunCounts, RunFigures, RunListing, RunPage} from './run-page.js';
import type {RunWindow} from './run-window.js';
import type {SearchHit, SearchQuery} from './search.js';
import type {SqlDialect, SqlProgram, TransactionMode} from './sql-program.js';
import type {DeploymentReader, Store} from './store.js';

/** The Store methods that are query programs (query-programs.ts): the same on every engine but for the dialect and how a program runs. */
type QueryMethods = Pick<Store, 'runPage' | 'firstRuns' | 'runsBetween' | 'runFigures' | 'search' | 'auditRuns' | 'lastSuccessBefore' | 'decisionHistory' | 'analyticsInput' | 'doraRows' | 'deploymentFigures' | 'purge'>;

/**
 * The query half of a store, written once: each method runs its program in
 * one transaction through the engine's runQuery. SqliteStore and
 * PostgresStore extend it and add their own writes and reads.
 */
export abstract class QueryStore implements QueryMethods {
	protected abstract readonly dialect: SqlDialect;

	/** Run a program in one transaction of `mode`, its engine's errors told as the store's. */
	protected abstract runQuery<T>(program: () => SqlProgram<T>, mode: TransactionMode): Promise<T>;

	async runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage> {
		return this.runQuery(() => QUERY_PROGRAMS.runPage(this.dialect, listing, selection, size), 'read');
	}

	async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		return this.runQuery(() => QUERY_PROGRAMS.firstRuns(this.dialect, listing, limit), 'read');
	}

	async runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]> {
		return this.runQuery(() => QUERY_PROGRAMS.runsBetween(this.dialect, listing, counts, from, to), 'read');
	}

	async runFigures(listing: RunListing): Promise<RunFigures> {
		return this.runQuery(() => QUERY_PROGRAMS.runFigures(this.dialect, listing), 'read');
	}

	async search(query: SearchQuery): Promise<SearchHit[]> {
		return this.runQuery(() => QUERY_PROGRAMS.search(this.dialect, query), 'read');
	}

	async auditRuns(filter?: AuditFilter): Promise<Run[]> {
		return this.runQuery(() => QUERY_PROGRAMS.auditRuns(this.dialect, filter), 'read');
	}

	async lastSuccessBefore(run: Pick<Run, 'trace_id'>): Promise<Run | null> {
		return this.runQuery(() => QUERY_PROGRAMS.lastSuccessBefore(this.dialect, run), 'read');
	}

	async decisionHistory(path: string, workflowName: string, limit: number): Promise<DecisionHistoryRow[]> {
		return this.runQuery(() => QUERY_PROGRAMS.decisionHistory(this.dialect, path, workflowName, limit), 'read');
	}

	async analyticsInput(window: RunWindow): Promise<AnalyticsInput> {
		return this.runQuery(() => QUERY_PROGRAMS.analyticsInput(this.dialect, window), 'read');
	}

	async doraRows(window: RunWindow): Promise<DoraRow[]> {
		return this.runQuery(() => QUERY_PROGRAMS.doraRows(this.dialect, window), 'read');
	}

	deploymentFigures(): DeploymentReader {
		const read = <T>(program: () => SqlProgram<T>): Promise<T> => this.runQuery(program, 'read');
		return {
			counters: async name => read(() => QUERY_PROGRAMS.counters(this.dialect, name)),
			histogram: async name => read(() => QUERY_PROGRAMS.histogram(this.dialect, name)),
			inProgress: async () => read(() => QUERY_PROGRAMS.inProgress(this.dialect)),
			stuck: async beforeMs => read(() => QUERY_PROGRAMS.stuck(this.dialect, beforeMs)),
			deploymentEnvs: async () => read(() => QUERY_PROGRAMS.deploymentEnvs(this.dialect)),
		};
	}

	/** The rows go in one transaction; the artifact folders after its commit (finishPurge). */
	async purge(home: string, policy: RetentionPolicy, options?: PurgeOptions): Promise<PurgeResult> {
		return finishPurge(home, await this.runQuery(() => QUERY_PROGRAMS.purge(this.dialect, policy, options), purgeMode(options)));
	}
}
