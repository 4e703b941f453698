import type {DoraRow} from '../core/dora.js';
import type {Db} from './open-database.js';
import {runWindowWhere, type RunWindow} from './run-window.js';
import {jsonValue, sqliteJsonValue} from './sql-dialect.js';
import {rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

/** Deployments started in the window ([sinceMs, untilMs)), optionally one env and target. */
export type DoraFilter = RunWindow;

/** A DoraRow as the engine returns it: the git fields still raw JSON values, checked below (the two spellings of the commit time apart: JSON null is no value). */
type Row = Omit<DoraRow, 'git_sha' | 'committed_ms'> & {git_sha: unknown; committed_nested: unknown; committed_flat: unknown};

/** git.committed_at as epoch ms: an ISO date, or epoch seconds or milliseconds. */
export function commitTimeMs(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
		return value < 1e11 ? value * 1000 : value;
	}

	if (typeof value === 'string' && value !== '') {
		const asNumber = Number(value);
		if (Number.isFinite(asNumber)) {
			return commitTimeMs(asNumber);
		}

		const at = Date.parse(value);
		return Number.isNaN(at) ? null : at;
	}

	return null;
}

/**
 * The deployment rows doraFigures needs: runs with an environment. The commit
 * time is read from the root span, as `git: {committed_at}` (TraceEvent data)
 * or the flat `git.committed_at` attribute (OTLP).
 */
export function* doraRowsProgram(dialect: SqlDialect, filter: DoraFilter): SqlProgram<DoraRow[]> {
	const {clauses, params} = runWindowWhere(filter);
	clauses.unshift('r.env IS NOT NULL');
	const rootSpan = 'FROM spans s WHERE s.trace_id = r.trace_id AND s.parent_span_id IS NULL ORDER BY s.start_ms, s.span_id LIMIT 1';
	const found = yield* rows<Row>(
		`SELECT r.run_id, r.env, r.target, r.status, r.started_ms, r.ended_ms,
			${jsonValue(dialect, 'r.body', ['git', 'sha'])} AS git_sha,
			(SELECT ${jsonValue(dialect, 's.body', ['attributes', 'git', 'committed_at'])} ${rootSpan}) AS committed_nested,
			(SELECT ${jsonValue(dialect, 's.body', ['attributes', 'git.committed_at'])} ${rootSpan}) AS committed_flat
		FROM runs r WHERE ${clauses.join(' AND ')}
		ORDER BY r.started_ms, r.run_id`,
		params,
	);
	return found.map(row => {
		const gitSha = sqliteJsonValue(row.git_sha);
		return {
			run_id: row.run_id,
			env: row.env,
			target: row.target,
			status: row.status,
			started_ms: row.started_ms,
			ended_ms: row.ended_ms,
			git_sha: typeof gitSha === 'string' ? gitSha : null,
			committed_ms: commitTimeMs(sqliteJsonValue(row.committed_nested) ?? sqliteJsonValue(row.committed_flat)),
		};
	});
}

export function loadDoraRows(db: Db, filter: DoraFilter): DoraRow[] {
	return runSqliteQuery(db, () => doraRowsProgram('sqlite', filter));
}
