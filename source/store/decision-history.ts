import type {RunStatus} from '../core/run.js';
import type {Span} from '../core/span.js';
import type {Db} from './open-database.js';
import {jsonText} from './sql-dialect.js';
import {rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

export interface DecisionHistoryRow {
	span: Span;
	run_status: RunStatus;
	trace_id: string;
}

/**
 * Spans at one step path in finished runs of one workflow (root name), newest
 * first: the history behind "when the agent chose B, 3 of 4 runs failed".
 * Runs that started at the same moment go by run id, then span id, so both
 * engines give the same rows at the limit.
 */
export function* decisionHistoryProgram(dialect: SqlDialect, path: string, workflowName: string, limit: number): SqlProgram<DecisionHistoryRow[]> {
	const found = yield* rows<{span: string; run_status: RunStatus; trace_id: string}>(
		`SELECT s.body AS span, r.status AS run_status, r.trace_id AS trace_id
		FROM spans s JOIN runs r ON r.trace_id = s.trace_id
		WHERE s.path = ? AND r.status != 'running' AND ${jsonText(dialect, 'r.body', ['name'])} = ?
		ORDER BY r.started_ms DESC, r.run_id DESC, s.span_id LIMIT ?`,
		[path, workflowName, limit],
	);
	return found.map(row => ({span: JSON.parse(row.span) as Span, run_status: row.run_status, trace_id: row.trace_id}));
}

export function decisionHistory(db: Db, path: string, workflowName: string, limit: number): DecisionHistoryRow[] {
	return runSqliteQuery(db, () => decisionHistoryProgram('sqlite', path, workflowName, limit));
}
