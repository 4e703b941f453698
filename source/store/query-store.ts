import type {AnalyticsInput} from '../core/analytics.js';
import type {DoraRow} from '../core/dora.js';
import type {Run} from '../core/run.js';
import type {AuditFilter} from './audit.js';
import type {DecisionHistoryRow} from './decision-history.js';
import type {PurgeOptions, PurgeResult, RetentionPolicy} from './retention.js';
import type {RunCounts, RunFigures, RunListing, RunPage} from './run-page.js';
import type {RunWindow} from './run-window.js';
import type {SearchHit, SearchQuery} from './search.js';
import type {SqlDialect, SqlProgram, TransactionMode} from './sql-program.js';
import type {DeploymentReader, Store} from './store.js';

/** The Store methods that are query programs (query-programs.ts): the same on every engine but for the dialect and how a program runs. */
type QueryMethods = Pick<Store, 'runPage' | 'firstRuns' | 'runsBetween' | 'runFigures' | 'search' | 'auditRuns' | 'lastSuccessBefore' | 'decisionHistory' | 'analyticsInput' | 'doraRows' | 'deploymentFigures' | 'purge'>;

type Programs = Pick<typeof import('./query-programs.js'), 'QUERY_PROGRAMS' | 'finishPurge' | 'purgeMode'>;
let programs: Programs | undefined;

/** query-programs.ts hands itself over as it loads (SqliteStore and PostgresStore import it; SqliteReadStore loads it on its first query). */
export function provideQueryPrograms(loaded: Programs): void {
	programs = loaded;
}

/**
 * The query programs and the modules under them (run pages, search, audit,
 * analytics, retention ...) need not load with a store: `runs list` and
 * `runs show` run none, and loading them costs a few milliseconds of every
 * read command's start-up. The full stores import them with themselves, so
 * their first query answers as soon as SQLite does.
 */
async function queryPrograms(): Promise<Programs> {
	if (programs === undefined) {
		await import('./query-programs.js');
	}

	return programs!;
}

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
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.runPage(this.dialect, listing, selection, size), 'read');
	}

	async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.firstRuns(this.dialect, listing, limit), 'read');
	}

	async runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.runsBetween(this.dialect, listing, counts, from, to), 'read');
	}

	async runFigures(listing: RunListing): Promise<RunFigures> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.runFigures(this.dialect, listing), 'read');
	}

	async search(query: SearchQuery): Promise<SearchHit[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.search(this.dialect, query), 'read');
	}

	async auditRuns(filter?: AuditFilter): Promise<Run[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.auditRuns(this.dialect, filter), 'read');
	}

	async lastSuccessBefore(run: Pick<Run, 'trace_id'>): Promise<Run | null> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.lastSuccessBefore(this.dialect, run), 'read');
	}

	async decisionHistory(path: string, workflowName: string, limit: number): Promise<DecisionHistoryRow[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.decisionHistory(this.dialect, path, workflowName, limit), 'read');
	}

	async analyticsInput(window: RunWindow): Promise<AnalyticsInput> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.analyticsInput(this.dialect, window), 'read');
	}

	async doraRows(window: RunWindow): Promise<DoraRow[]> {
		const {QUERY_PROGRAMS} = await queryPrograms();
		return this.runQuery(() => QUERY_PROGRAMS.doraRows(this.dialect, window), 'read');
	}

	deploymentFigures(): DeploymentReader {
		const read = async <T>(program: (all: Programs['QUERY_PROGRAMS']) => SqlProgram<T>): Promise<T> => {
			const {QUERY_PROGRAMS} = await queryPrograms();
			return this.runQuery(() => program(QUERY_PROGRAMS), 'read');
		};

		return {
			counters: async name => read(all => all.counters(this.dialect, name)),
			histogram: async name => read(all => all.histogram(this.dialect, name)),
			inProgress: async () => read(all => all.inProgress(this.dialect)),
			stuck: async beforeMs => read(all => all.stuck(this.dialect, beforeMs)),
			deploymentEnvs: async () => read(all => all.deploymentEnvs(this.dialect)),
		};
	}

	/** The rows go in one transaction; the artifact folders after its commit (finishPurge). */
	async purge(home: string, policy: RetentionPolicy, options?: PurgeOptions): Promise<PurgeResult> {
		const {QUERY_PROGRAMS, finishPurge, purgeMode} = await queryPrograms();
		return finishPurge(home, await this.runQuery(() => QUERY_PROGRAMS.purge(this.dialect, policy, options), purgeMode(options)));
	}
}
