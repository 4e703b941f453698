import type {Run} from './run.js';

/**
 * How long a run took: start to end, or up to `nowMs` while it runs. Never
 * negative: a producer's clock may stamp the end before the start. The runs
 * page orders by the same rule in SQL (store/run-page.ts), and the DORA
 * triggers clamp the same way (store/migrations.ts).
 */
export function runDurationMs(run: Pick<Run, 'started_at' | 'ended_at'>, nowMs: number): number {
	const end = run.ended_at === null ? nowMs : Date.parse(run.ended_at);
	return Math.max(0, end - Date.parse(run.started_at));
}

/** A finished run's duration (as runDurationMs); null while it runs. */
export function finishedRunDurationMs(run: Pick<Run, 'started_at' | 'ended_at'>): number | null {
	return run.ended_at === null ? null : runDurationMs(run, Number.NaN);
}
