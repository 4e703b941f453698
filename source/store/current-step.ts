import {isStepSql} from './step-kind-sql.js';

/**
 * A running run's current step: the newest started step that has not ended.
 * One rule for the run index (which fills `current_step` in when it reads a
 * run) and the runs page (which lists and filters by it in SQL).
 * `traceId` is the SQL for the run's trace id: `?`, or a column of an outer query.
 */
export function currentStepSql(traceId: string): string {
	return `SELECT cs.path FROM spans cs WHERE cs.trace_id = ${traceId} AND cs.end_ms IS NULL AND ${isStepSql('cs.kind')}
		ORDER BY cs.start_ms DESC LIMIT 1`;
}
