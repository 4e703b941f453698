import type {RunStatus} from '../core/run.js';
import type {Span} from '../core/span.js';
import type {Db} from './open-database.js';

export interface DecisionHistoryRow {
	span: Span;
	run_status: RunStatus;
	trace_id: string;
}

/**
 * Spans at one step path in finished runs of one workflow (root name), newest
 * first: the history behind "when the agent chose B, 3 of 4 runs failed".
 */
export function decisionHistory(db: Db, path: string, workflowName: string, limit: number): DecisionHistoryRow[] {
	const rows = db
		.prepare(`SELECT s.body AS span, r.status AS run_status, r.trace_id AS trace_id
		FROM spans s JOIN runs r ON r.trace_id = s.trace_id
		WHERE s.path = ? AND r.status != 'running' AND json_extract(r.body, '$.name') = ?
		ORDER BY r.started_ms DESC LIMIT ?`)
		.all(path, workflowName, limit) as Array<{span: string; run_status: RunStatus; trace_id: string}>;
	return rows.map(row => ({span: JSON.parse(row.span) as Span, run_status: row.run_status, trace_id: row.trace_id}));
}
