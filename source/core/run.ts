export type RunStatus = 'running' | 'success' | 'failed' | 'cancelled';

export interface GitInfo {
	sha?: string;
	branch?: string;
}

export interface Run {
	run_id: string;
	trace_id: string;
	env: string | null;
	target: string | null;
	plan_hash: string | null;
	status: RunStatus;
	/** ISO 8601 */
	started_at: string;
	ended_at: string | null;
	/** Step path of the root-cause failure, when the run failed. */
	failed_step: string | null;
	retries: number;
	runner: string | null;
	git: GitInfo | null;
	user: string | null;
	progress: {completed: number; total: number};
	policy: {deny_network?: boolean; readonly_fs?: boolean} | null;
	/** Name of the root span, e.g. "deploy api". */
	name: string;
	/** Epoch ms of the newest event seen for the run; drives stuck detection. */
	last_event_ms: number;
	/** Step path of the newest started step that has not ended, while running. */
	current_step: string | null;
}
