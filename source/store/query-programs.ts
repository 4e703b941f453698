import {analyticsInputProgram} from './analytics-rows.js';
import {auditRunsProgram} from './audit.js';
import {lastSuccessBeforeProgram} from './baseline-run.js';
import {decisionHistoryProgram} from './decision-history.js';
import {countersProgram, deploymentEnvsProgram, histogramProgram, inProgressProgram, stuckProgram} from './deployment-figures.js';
import {doraRowsProgram} from './dora-rows.js';
import {finishPurge, purgeMode, purgeProgram} from './retention.js';
import {provideQueryPrograms} from './query-store.js';

export {finishPurge, purgeMode} from './retention.js';
import {firstRunsProgram, runFiguresProgram, runPageProgram, runsBetweenProgram} from './run-page.js';
import {searchProgram} from './search.js';
import type {SqlDialect} from './sql-program.js';

/**
 * The Store's query methods as programs (sql-program.ts), one per method,
 * each taking the dialect first and then the method's own arguments: a
 * store runs `QUERY_PROGRAMS.runPage(dialect, ...args)` in one read
 * transaction (purge: purgeMode(options), then finishPurge after the
 * commit). SqliteStore runs them with runSqliteQuery, PostgresStore with
 * runPostgres.
 */
export const QUERY_PROGRAMS = {
	runPage: runPageProgram,
	firstRuns: firstRunsProgram,
	runsBetween: runsBetweenProgram,
	runFigures: runFiguresProgram,
	search: searchProgram,
	auditRuns: auditRunsProgram,
	lastSuccessBefore: lastSuccessBeforeProgram,
	decisionHistory: decisionHistoryProgram,
	analyticsInput: analyticsInputProgram,
	doraRows: doraRowsProgram,
	purge: purgeProgram,
	counters: (_dialect: SqlDialect, name: string) => countersProgram(name),
	histogram: (_dialect: SqlDialect, name: string) => histogramProgram(name),
	inProgress: (_dialect: SqlDialect) => inProgressProgram(),
	stuck: (_dialect: SqlDialect, beforeMs: number) => stuckProgram(beforeMs),
	deploymentEnvs: deploymentEnvsProgram,
} as const;

provideQueryPrograms({QUERY_PROGRAMS, finishPurge, purgeMode});
