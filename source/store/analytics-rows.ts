import type {AnalyticsInput} from '../core/analytics.js';
import type {RunStatus} from '../core/run.js';
import type {Db} from './open-database.js';
import {runWindowWhere, type RunWindow} from './run-window.js';
import {asFlag, jsonValue, sqliteJsonValue} from './sql-dialect.js';
import {rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';
import {isCompensationSql, isDecisionSql, isStepSql} from './step-kind-sql.js';

/**
 * The rows `analyzeRuns` needs, aggregated in SQL so a wide window never
 * loads span bodies: run outcomes, finished step durations by path, and the
 * option each decision chose. The order of runs, of a path's durations and
 * of decisions is the engine's: analyzeRuns sorts what it reports.
 */
export function* analyticsInputProgram(dialect: SqlDialect, window: RunWindow): SqlProgram<AnalyticsInput> {
	const {clauses, params} = runWindowWhere(window);
	const sql = clauses.join(' AND ');
	const runs = yield* rows<{run_id: string; trace_id: string; started_ms: number; env: string | null; target: string | null; status: RunStatus; failed_step: string | null; compensated: number}>(
		`SELECT r.run_id, r.trace_id, r.started_ms, r.env, r.target, r.status, r.failed_step,
			${asFlag(`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = r.trace_id AND ${isCompensationSql('s', dialect)})`)} AS compensated
		FROM runs r WHERE ${sql}`,
		params,
	);
	const durations = yield* rows<{path: string; ms: number}>(
		`SELECT s.path, s.end_ms - s.start_ms AS ms FROM spans s JOIN runs r ON r.trace_id = s.trace_id
		WHERE ${sql} AND s.end_ms IS NOT NULL AND ${isStepSql('s.kind')} ORDER BY s.path`,
		params,
	);
	const byPath = new Map<string, number[]>();
	for (const {path, ms} of durations) {
		let list = byPath.get(path);
		if (!list) {
			list = [];
			byPath.set(path, list);
		}

		list.push(ms);
	}

	const decisions = yield* rows<{path: string; decision: unknown; run_status: RunStatus}>(
		`SELECT s.path, ${jsonValue(dialect, 's.body', ['attributes', 'decision'])} AS decision, r.status AS run_status
		FROM spans s JOIN runs r ON r.trace_id = s.trace_id
		WHERE ${sql} AND ${isDecisionSql('s', dialect)}`,
		params,
	);
	return {
		runs: runs.map(r => ({run_id: r.run_id, trace_id: r.trace_id, started_ms: r.started_ms, env: r.env, target: r.target, status: r.status, failed_step: r.failed_step, compensated: r.compensated === 1})),
		stepDurations: [...byPath].map(([path, durations_ms]) => ({path, durations_ms})),
		decisions: decisions
			.map(d => ({...d, decision: sqliteJsonValue(d.decision)}))
			.filter(d => typeof d.decision === 'string' || typeof d.decision === 'number')
			.map(d => ({path: d.path, decision: String(d.decision), run_status: d.run_status})),
	};
}

export function loadAnalyticsInput(db: Db, window: RunWindow): AnalyticsInput {
	return runSqliteQuery(db, () => analyticsInputProgram('sqlite', window));
}
