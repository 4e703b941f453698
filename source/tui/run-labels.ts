import {formatDuration} from '../core/format-duration.js';
import type {Run} from '../core/run.js';
import {stepLabel} from '../core/run-progress.js';
import {isStuck} from '../core/active-runs.js';
import {runDurationMs} from '../core/run-duration.js';
import type {StatusLike, Symbols} from '../core/symbols.js';
import {statusSegment} from './theme.js';
import {clean, type Line} from './text.js';

/** A run's state for display: running runs that went quiet are stuck. */
export function runState(run: Run, nowMs: number, stuckAfterMs: number): StatusLike {
	return isStuck(run, nowMs, stuckAfterMs) ? 'stuck' : run.status;
}

/** "step 4/10 · 2m13s" while running, else how long it took. */
export function progressText(run: Run, nowMs: number, symbols: Symbols): string {
	const took = formatDuration(runDurationMs(run, nowMs));
	if (run.status !== 'running') {
		return took;
	}

	const step = stepLabel(run);
	return step === '' ? took : `${step} ${symbols.dot} ${took}`;
}

/** "5m ago" within a day, else the date it started ("2025-03-14"). */
export function ageText(run: Run, nowMs: number): string {
	const started = Date.parse(run.started_at);
	const age = nowMs - started;
	if (!Number.isFinite(started)) {
		return '-';
	}

	return age >= 0 && age < 86_400_000 ? `${formatDuration(age)} ago` : new Date(started).toISOString().slice(0, 10);
}

/** Where the run is or where it broke: current step, failed step, or how long it has been quiet. */
export function whereText(run: Run, nowMs: number, stuckAfterMs: number): string {
	if (isStuck(run, nowMs, stuckAfterMs)) {
		return `quiet ${formatDuration(nowMs - run.last_event_ms)}${run.current_step ? ` at ${clean(run.current_step)}` : ''}`;
	}

	if (run.status === 'running') {
		return run.current_step ? clean(run.current_step) : '';
	}

	return run.failed_step ? clean(run.failed_step) : '';
}

/** One line about a run: "✗ failed · 3m12s · prod/api · 10/10 steps · at deploy/migrate". */
export function runSummary(run: Run, nowMs: number, stuckAfterMs: number, symbols: Symbols): Line {
	const state = runState(run, nowMs, stuckAfterMs);
	const sep = {text: ` ${symbols.dot} `, dim: true};
	const line: Line = [statusSegment(state, symbols), sep, {text: progressText(run, nowMs, symbols)}];
	const where = [run.env, run.target]
		.filter(v => v !== null)
		.map(v => clean(v!))
		.join('/');
	if (where !== '') {
		line.push(sep, {text: where});
	}

	if (run.status !== 'running' && run.progress.total > 0) {
		line.push(sep, {text: stepLabel(run)});
	}

	const at = whereText(run, nowMs, stuckAfterMs);
	if (at !== '') {
		line.push(sep, {text: run.status === 'failed' ? `failed at ${at}` : at, color: run.status === 'failed' ? 'red' : undefined});
	}

	if (run.retries > 0) {
		line.push(sep, {text: `${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}`, color: 'yellow'});
	}

	line.push(sep, {text: clean(run.run_id), dim: true});
	return line;
}
