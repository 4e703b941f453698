import type {Run} from '../core/run.js';
import type {RunIndex} from './run-index.js';
import {RUN_COLUMNS, toRun} from './run-page.js';
import {rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {SqlWhere} from './sql-where.js';
import {runSqliteQuery} from './sqlite-query.js';

/** Who ran what, where: the run fields an auditor asks about. */
export interface AuditRow {
	run_id: string;
	user: string | null;
	env: string | null;
	target: string | null;
	status: Run['status'];
	plan_hash: string | null;
	started_at: string;
	ended_at: string | null;
	runner: string | null;
	git_sha: string | null;
}

export interface AuditFilter {
	user?: string;
	env?: string;
	/** Runs started at or after this epoch ms. */
	sinceMs?: number;
	/** Runs started before this epoch ms. */
	untilMs?: number;
}

export function auditRow(run: Run): AuditRow {
	return {
		run_id: run.run_id,
		user: run.user,
		env: run.env,
		target: run.target,
		status: run.status,
		plan_hash: run.plan_hash,
		started_at: run.started_at,
		ended_at: run.ended_at,
		runner: run.runner,
		git_sha: run.git?.sha ?? null,
	};
}

/** Runs in the window, newest first (ties: the larger run id, as `runs list`); the user filter uses the runs_by_user index. */
export function* auditRunsProgram(_dialect: SqlDialect, filter: AuditFilter = {}): SqlProgram<Run[]> {
	const where = new SqlWhere().add('runs.env = ?', filter.env).add('runs.started_ms >= ?', filter.sinceMs).add('runs."user" = ?', filter.user);
	const found = yield* rows<{body: string; current_step: string | null}>(`SELECT ${RUN_COLUMNS} FROM runs ${where.toSql()} ORDER BY runs.started_ms DESC, runs.run_id DESC`, where.params);
	const runs = found.map(row => toRun(row));
	return filter.untilMs === undefined ? runs : runs.filter(run => Date.parse(run.started_at) < filter.untilMs!);
}

export function auditRuns(index: RunIndex, filter: AuditFilter = {}): Run[] {
	return runSqliteQuery(index.db, () => auditRunsProgram('sqlite', filter));
}
