import type {DoraRow} from '../core/dora.js';
import type {Db} from './open-database.js';
import {runWindowWhere, type RunWindow} from './run-window.js';

/** Deployments started in the window ([sinceMs, untilMs)), optionally one env and target. */
export type DoraFilter = RunWindow;

/** A DoraRow as SQLite returns it: the git fields still raw JSON values, checked below. */
type Row = Omit<DoraRow, 'git_sha' | 'committed_ms'> & {git_sha: unknown; committed_at: unknown};

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
export function loadDoraRows(db: Db, filter: DoraFilter): DoraRow[] {
	const {clauses, params} = runWindowWhere(filter);
	clauses.unshift('r.env IS NOT NULL');
	const rows = db
		.prepare(`SELECT r.run_id, r.env, r.target, r.status, r.started_ms, r.ended_ms,
			json_extract(r.body, '$.git.sha') AS git_sha,
			(SELECT coalesce(json_extract(s.body, '$.attributes.git.committed_at'), json_extract(s.body, '$.attributes."git.committed_at"'))
				FROM spans s WHERE s.trace_id = r.trace_id AND s.parent_span_id IS NULL ORDER BY s.start_ms LIMIT 1) AS committed_at
		FROM runs r WHERE ${clauses.join(' AND ')}
		ORDER BY r.started_ms`)
		.all(...params) as Row[];
	return rows.map(row => ({
		run_id: row.run_id,
		env: row.env,
		target: row.target,
		status: row.status,
		started_ms: row.started_ms,
		ended_ms: row.ended_ms,
		git_sha: typeof row.git_sha === 'string' ? row.git_sha : null,
		committed_ms: commitTimeMs(row.committed_at),
	}));
}
