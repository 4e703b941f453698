import type {Run} from '../core/run.js';

/**
 * `--exit-status` (as gh run view has it): what a script waiting on a run
 * reads from the exit code. 0 the run succeeded, 1 it failed or was
 * cancelled, 2 it is still running (runs show; runs tail waits for the end).
 */
export function exitStatusOf(run: Pick<Run, 'status'>): number {
	switch (run.status) {
		case 'success': {
			return 0;
		}

		case 'running': {
			return 2;
		}

		default: {
			return 1;
		}
	}
}

export const EXIT_STATUS_HELP = '--exit-status  exit 1 when the run failed or was cancelled, 2 while it still runs, 0 when it succeeded';
