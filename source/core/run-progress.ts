import type {Run} from './run.js';

/**
 * The step a running run is on, 1-based, as "step 4 of 10" counts it: the
 * steps done plus the one being worked on, never past the total; 0 before
 * any step. One function, so the runs list, the console, `runs show` and the
 * active-runs list never number the same run differently.
 */
export function stepNumber(run: Pick<Run, 'progress' | 'current_step'>): number {
	const {completed, total} = run.progress;
	const working = run.current_step !== null;
	return Math.min(completed + (working ? 1 : 0), Math.max(total, completed));
}

/** "step 4/10" while running, "10/10 steps" once ended; empty when the run counts no steps. */
export function stepLabel(run: Pick<Run, 'progress' | 'current_step' | 'status'>): string {
	const {completed, total} = run.progress;
	if (total <= 0) {
		return '';
	}

	return run.status === 'running' ? `step ${stepNumber(run)}/${total}` : `${completed}/${total} steps`;
}
