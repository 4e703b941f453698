import {percentile} from './percentile.js';
import type {RunStatus} from './run.js';

/**
 * Rows the store can produce with plain SQL aggregates; the arithmetic that
 * SQL does badly (percentiles, sorting rules, rates) happens here.
 */
export interface AnalyticsInput {
	/** One row per run in the window. `failed_step` is the root-cause step path. */
	runs: AnalyticsRun[];
	/** Per step path, the durations of its finished occurrences. */
	stepDurations: {path: string; durations_ms: number[]}[];
	/** One row per decision per run: the option chosen and how that run ended. */
	decisions: {path: string; decision: string; run_status: RunStatus}[];
}

/** A run as analytics sees it; the store also says which trace, env and target (the console groups and opens by them). */
export interface AnalyticsRun {
	run_id: string;
	status: RunStatus;
	failed_step: string | null;
	compensated: boolean;
	trace_id?: string;
	started_ms?: number;
	env?: string | null;
	target?: string | null;
}

/** Where a run counts as a failure point: a failed run, once, at its root-cause step; null for any other run. */
export function failurePointOf(run: Pick<AnalyticsRun, 'status' | 'failed_step'>): string | null {
	return run.status === 'failed' ? run.failed_step : null;
}

/** The runs a failure point counts, in the order given. */
export function runsAtFailurePoint<R extends Pick<AnalyticsRun, 'status' | 'failed_step'>>(runs: readonly R[], path: string): R[] {
	return runs.filter(run => failurePointOf(run) === path);
}

/** Runs, failures and failure rate of one env and target (null where a run has none). */
export interface GroupRate {
	env: string | null;
	target: string | null;
	runs: number;
	failed: number;
	failure_rate: number;
}

/** The failure rate per env/target, the worst first (then the busiest, then by name). */
export function failureRateByGroup(runs: readonly AnalyticsRun[]): GroupRate[] {
	const groups = new Map<string, GroupRate>();
	for (const run of runs) {
		const env = run.env ?? null;
		const target = run.target ?? null;
		const key = JSON.stringify([env, target]);
		const group = groups.get(key) ?? {env, target, runs: 0, failed: 0, failure_rate: 0};
		group.runs += 1;
		group.failed += run.status === 'failed' ? 1 : 0;
		groups.set(key, group);
	}

	const name = (g: GroupRate): string => `${g.env ?? ''}/${g.target ?? ''}`;
	return [...groups.values()].map(g => ({...g, failure_rate: rate(g.failed, g.runs)})).sort((a, b) => b.failure_rate - a.failure_rate || b.runs - a.runs || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

export interface FailurePoint {
	path: string;
	failures: number;
}

export interface StepTiming {
	path: string;
	count: number;
	p50_ms: number;
	p95_ms: number;
}

export interface DecisionRate {
	path: string;
	decision: string;
	runs: number;
	failed: number;
	failure_rate: number;
}

/** The `runs analyze --json` document. */
export interface Analysis {
	runs: number;
	failed: number;
	failure_rate: number;
	failure_points: FailurePoint[];
	slowest_steps: StepTiming[];
	compensation_rate: number;
	decisions: DecisionRate[];
}

export interface AnalyzeOptions {
	/** How many of the slowest steps to list. Default 10. */
	slowestSteps?: number;
}

function rate(part: number, whole: number): number {
	return whole === 0 ? 0 : part / whole;
}

function byPath(a: {path: string}, b: {path: string}): number {
	return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * Failure rate, where runs fail (each failed run counted once, at its root
 * cause), the slowest steps by p95 (nearest-rank), how often runs compensated,
 * and how each AI decision fared.
 */
export function analyzeRuns(input: AnalyticsInput, options: AnalyzeOptions = {}): Analysis {
	const runs = input.runs.length;
	const failedRuns = input.runs.filter(run => run.status === 'failed');
	const points = new Map<string, number>();
	for (const run of input.runs) {
		const point = failurePointOf(run);
		if (point !== null) {
			points.set(point, (points.get(point) ?? 0) + 1);
		}
	}

	const failurePoints = [...points].map(([path, failures]) => ({path, failures})).sort((a, b) => b.failures - a.failures || byPath(a, b));

	// The store may send one row per path and source; merge before taking percentiles.
	const durations = new Map<string, number[]>();
	for (const row of input.stepDurations) {
		const list = durations.get(row.path) ?? [];
		for (const ms of row.durations_ms) {
			if (Number.isFinite(ms)) {
				list.push(ms);
			}
		}

		durations.set(row.path, list);
	}

	const timings: StepTiming[] = [];
	for (const [path, list] of durations) {
		if (list.length === 0) {
			continue;
		}

		list.sort((a, b) => a - b);
		timings.push({path, count: list.length, p50_ms: percentile(list, 50)!, p95_ms: percentile(list, 95)!});
	}

	timings.sort((a, b) => b.p95_ms - a.p95_ms || byPath(a, b));

	const decisions = new Map<string, DecisionRate>();
	for (const row of input.decisions) {
		const key = JSON.stringify([row.path, row.decision]);
		const entry = decisions.get(key) ?? {path: row.path, decision: row.decision, runs: 0, failed: 0, failure_rate: 0};
		entry.runs += 1;
		entry.failed += row.run_status === 'failed' ? 1 : 0;
		decisions.set(key, entry);
	}

	const decisionRates = [...decisions.values()].map(entry => ({...entry, failure_rate: rate(entry.failed, entry.runs)})).sort((a, b) => byPath(a, b) || (a.decision < b.decision ? -1 : a.decision > b.decision ? 1 : 0));

	return {
		runs,
		failed: failedRuns.length,
		failure_rate: rate(failedRuns.length, runs),
		failure_points: failurePoints,
		slowest_steps: timings.slice(0, Math.max(0, options.slowestSteps ?? 10)),
		compensation_rate: rate(input.runs.filter(run => run.compensated).length, runs),
		decisions: decisionRates,
	};
}

/** "when the agent chose B, 3 of 4 runs failed" */
export function describeDecisionRate(rate: Pick<DecisionRate, 'decision' | 'runs' | 'failed'>): string {
	return `when the agent chose ${rate.decision}, ${rate.failed} of ${rate.runs} ${rate.runs === 1 ? 'run' : 'runs'} failed`;
}
