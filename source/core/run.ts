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
	/** The trace of the run that started this one (its root span's parent_trace_id), or null. */
	parent_trace_id: string | null;
	/** The business id linking runs (the root span's correlation_id, else the earliest span's that has one), or null. */
	correlation_id: string | null;
	/** Step path of the newest started step that has not ended, while running. */
	current_step: string | null;
}
