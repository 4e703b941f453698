import {damagedStoreError, type Db} from './open-database.js';
import {runQueryWhere, type RunClock, type RunQuery} from './run-query-sql.js';
import {asFlag} from './sql-dialect.js';
import {one, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

export const DAY_MS = 86_400_000;

/** Question 5 at a glance: runs started in the last 24 hours, how many failed, and where most of them broke. */
export interface DaySummary {
	total: number;
	failed: number;
	/** The step most failed runs broke at (ties: the first by name), when any failed run names one. */
	top: {step: string; count: number} | null;
}

/**
 * The last 24 hours (runs started at or after now - 24 h) of the runs a
 * query keeps, counted by SQLite over the whole index: the range on
 * started_ms is what the runs_by_start index answers, so the figure costs a
 * day's runs, not the index's.
 */
export function* daySummaryProgram(dialect: SqlDialect, query: RunQuery, clock: RunClock): SqlProgram<DaySummary> {
	const where = runQueryWhere(dialect, query, clock).add('runs.started_ms >= ?', clock.nowMs - DAY_MS);
	const totals = yield* one<{total: number; failed: number}>(`SELECT count(*) AS total, coalesce(sum(${asFlag("runs.status = 'failed'")}), 0) AS failed FROM runs ${where.toSql()}`, where.params);
	const top = yield* one<{step: string; count: number}>(
		`SELECT runs.failed_step AS step, count(*) AS count FROM runs ${where.toSql()}
			AND runs.status = 'failed' AND runs.failed_step IS NOT NULL AND runs.failed_step <> ''
		GROUP BY runs.failed_step ORDER BY count(*) DESC, runs.failed_step LIMIT 1`,
		where.params,
	);
	return {total: totals?.total ?? 0, failed: totals?.failed ?? 0, top: top ?? null};
}

export function daySummary(db: Db, query: RunQuery, clock: RunClock): DaySummary {
	try {
		return runSqliteQuery(db, () => daySummaryProgram('sqlite', query, clock));
	} catch (error) {
		throw damagedStoreError(db.name, error);
	}
}
