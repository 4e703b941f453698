import type {Run} from '../core/run.js';
import type {RunIndex} from './run-index.js';

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

/** Runs in the window, newest first; the user filter uses the runs_by_user index. */
export function auditRuns(index: RunIndex, filter: AuditFilter = {}): Run[] {
	const runs = index.listRuns({user: filter.user, env: filter.env, sinceMs: filter.sinceMs});
	return filter.untilMs === undefined ? runs : runs.filter(run => Date.parse(run.started_at) < filter.untilMs!);
}
