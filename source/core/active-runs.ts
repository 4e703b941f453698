import {formatDuration, parseDuration} from './format-duration.js';
import type {Run} from './run.js';
import {stepNumber} from './run-progress.js';

/** No event for this long and a running run counts as stuck. */
export const DEFAULT_STUCK_AFTER_MS = 5 * 60_000;

/**
 * A running run is stuck when it sent no event for longer than the threshold.
 * The console, the active-runs list and tracedeck_stuck_runs all ask this,
 * with the one threshold TRACEDECK_STUCK_AFTER sets.
 */
export function isStuck(run: Pick<Run, 'status' | 'last_event_ms'>, nowMs: number, stuckAfterMs: number): boolean {
	return run.status === 'running' && nowMs - run.last_event_ms > stuckAfterMs;
}

/** A running run as the "what is running right now" list shows it. */
export interface ActiveRun {
	run: Run;
	progress: {completed: number; total: number};
	/** The step being worked on, 1-based ("step 4 of 10"), capped at total; 0 before any step. */
	step_number: number;
	elapsed_ms: number;
	/** Time since the newest event. */
	idle_ms: number;
	/** Step path of the newest open step, if any. */
	current_step: string | null;
	/** No event for longer than the stuck threshold. */
	stuck: boolean;
}

/**
 * The running runs at `now` (epoch ms), in the order given (listRuns gives
 * newest first). Pure: the clock and the threshold are passed in.
 */
export function activeRuns(runs: readonly Run[], now: number, stuckAfterMs = DEFAULT_STUCK_AFTER_MS): ActiveRun[] {
	return runs
		.filter(run => run.status === 'running')
		.map(run => {
			const {completed, total} = run.progress;
			const started = Date.parse(run.started_at);
			const idle = Math.max(0, now - run.last_event_ms);
			return {
				run,
				progress: {completed, total},
				step_number: stepNumber(run),
				elapsed_ms: Number.isNaN(started) ? 0 : Math.max(0, now - started),
				idle_ms: idle,
				current_step: run.current_step,
				stuck: isStuck(run, now, stuckAfterMs),
			};
		});
}

/** "run-20250314-0900-abc1234, step 4 of 10 (deploy/migrate), 2m13s", plus why it is stuck. */
export function describeActiveRun(active: ActiveRun): string {
	const {run, progress} = active;
	const step = progress.total > 0 ? `, step ${active.step_number} of ${progress.total}` : '';
	const where = active.current_step ? ` (${active.current_step})` : '';
	const stuck = active.stuck ? `, stuck: no event for ${formatDuration(active.idle_ms)}` : '';
	return `${run.run_id}${step}${where}, ${formatDuration(active.elapsed_ms)}${stuck}`;
}

/**
 * The stuck threshold from its setting (TRACEDECK_STUCK_AFTER: "90s", "5m",
 * or milliseconds); the default when unset. Undefined when malformed, so the
 * caller can say where the bad value came from.
 */
export function parseStuckAfter(text: string | undefined): number | undefined {
	if (text === undefined || text.trim() === '') {
		return DEFAULT_STUCK_AFTER_MS;
	}

	const ms = parseDuration(text);
	return ms !== undefined && ms > 0 ? ms : undefined;
}
