import {damagedStoreError, type Db} from './open-database.js';
import {runQueryWhere, type RunClock, type RunQuery} from './run-query-sql.js';

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
export function daySummary(db: Db, query: RunQuery, clock: RunClock): DaySummary {
	const where = runQueryWhere(db, query, clock).add('runs.started_ms >= ?', clock.nowMs - DAY_MS);
	try {
		const totals = db.prepare(`SELECT count(*) AS total, coalesce(sum(runs.status = 'failed'), 0) AS failed FROM runs ${where.toSql()}`).get(...where.params) as {total: number; failed: number};
		const top = db
			.prepare(`SELECT runs.failed_step AS step, count(*) AS count FROM runs ${where.toSql()}
				AND runs.status = 'failed' AND runs.failed_step IS NOT NULL AND runs.failed_step <> ''
			GROUP BY runs.failed_step ORDER BY count(*) DESC, runs.failed_step LIMIT 1`)
			.get(...where.params) as {step: string; count: number} | undefined;
		return {total: totals.total, failed: totals.failed, top: top ?? null};
	} catch (error) {
		throw damagedStoreError(db.name, error);
	}
}
