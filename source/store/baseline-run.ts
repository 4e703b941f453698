import type {Run} from '../core/run.js';
import {sanitize, sanitizeMessage} from '../core/sanitize.js';
import {damagedStoreError} from './open-database.js';
import type {RunIndex} from './run-index.js';
import {sameValue} from './sql-dialect.js';
import {one, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

/**
 * Matched against the run's own row, so env, target and start are the values
 * stored. `IS`, not `=`: a run without an env (or target) is compared with
 * others without one. Strictly before, so a run is never its own baseline;
 * ties on the start time go to the larger run id, as `runs list` orders them.
 */
export function* lastSuccessBeforeProgram(dialect: SqlDialect, run: Pick<Run, 'trace_id'>): SqlProgram<Run | null> {
	const row = yield* one<{body: string}>(
		`SELECT r.body FROM runs AS b
		JOIN runs AS r ON ${sameValue(dialect, 'r.env', 'b.env')} AND ${sameValue(dialect, 'r.target', 'b.target')} AND r.started_ms < b.started_ms
		WHERE b.trace_id = ? AND r.status = 'success'
		ORDER BY r.started_ms DESC, r.run_id DESC LIMIT 1`,
		[run.trace_id],
	);
	// A finished run: its stored body is the whole run (only running runs get a current step filled in).
	return row === undefined ? null : (JSON.parse(row.body) as Run);
}

/**
 * What `runs diff <run>` and the console's `d` compare a run with when no
 * other run is named: the last successful run of the same env and target
 * that started before it. Null when there is none.
 */
export function lastSuccessBefore(index: RunIndex, run: Pick<Run, 'trace_id'>): Run | null {
	try {
		return runSqliteQuery(index.db, () => lastSuccessBeforeProgram('sqlite', run));
	} catch (error) {
		throw damagedStoreError(index.db.name, error);
	}
}

/** "prod/api", with "(no env)" / "(no target)" for the missing half; safe to print. */
export function scopeLabel(run: Pick<Run, 'env' | 'target'>): string {
	return sanitize(`${run.env ?? '(no env)'}/${run.target ?? '(no target)'}`, true);
}

/** Why the baseline was picked: "the last successful prod/api run before this one". */
export function baselineReason(run: Pick<Run, 'env' | 'target'>): string {
	return `the last successful ${scopeLabel(run)} run before this one`;
}

/** The one-line answer when there is no baseline, saying what to do instead. */
export function noBaselineMessage(run: Pick<Run, 'env' | 'target' | 'run_id'>, instead: string): string {
	return `no successful ${scopeLabel(run)} run started before ${sanitizeMessage(run.run_id)}; ${instead}`;
}
