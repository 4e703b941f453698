import {useEffect, useState} from 'react';
import {analyzeRuns, type DecisionRate} from '../../core/analytics.js';
import type {DecisionOutcome} from '../../core/decisions.js';
import type {Run, RunStatus} from '../../core/run.js';
import {isDecision} from '../../core/step-kind.js';
import type {Store} from '../../store/store.js';

/** How many earlier runs of the same workflow the outcome rates look back over. */
export const DECISION_LOOKBACK_RUNS = 50;

export interface DecisionStats {
	/** Rates per option, keyed by decision step path. */
	byPath: ReadonlyMap<string, DecisionRate[]>;
	/** Runs looked at per path (finished runs of the same workflow that reached the decision). */
	runsByPath: ReadonlyMap<string, number>;
	lookback: number;
	/** Still being read (a network store can take a moment): the screen says so rather than "no runs". */
	reading?: boolean;
}

function optionText(value: unknown): string | null {
	if (typeof value === 'string') {
		return value;
	}

	return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' ? String(value) : null;
}

/**
 * For each decision path of this run: how runs of the same workflow fared
 * after each option, over the last DECISION_LOOKBACK_RUNS finished runs.
 * One bounded SQL query per path over spans(path, kind), the same rows
 * `runs analyze` counts.
 */
export async function decisionStats(store: Store, run: Run, decisions: readonly DecisionOutcome[], lookback = DECISION_LOOKBACK_RUNS): Promise<DecisionStats> {
	const byPath = new Map<string, DecisionRate[]>();
	const runsByPath = new Map<string, number>();
	for (const path of new Set(decisions.map(d => d.path))) {
		// eslint-disable-next-line no-await-in-loop
		const rows = await store.decisionHistory(path, run.name, lookback * 4);
		const traces = new Set<string>();
		const input: Array<{path: string; decision: string; run_status: RunStatus}> = [];
		for (const row of rows) {
			if (!traces.has(row.trace_id) && traces.size >= lookback) {
				continue;
			}

			const {span} = row;
			const decision = isDecision(span) ? optionText(span.attributes['decision']) : null;
			if (decision === null) {
				continue;
			}

			traces.add(row.trace_id);
			input.push({path, decision, run_status: row.run_status});
		}

		byPath.set(path, analyzeRuns({runs: [], stepDurations: [], decisions: input}).decisions);
		runsByPath.set(path, traces.size);
	}

	return {byPath, runsByPath, lookback};
}

const NONE: DecisionStats = {byPath: new Map(), runsByPath: new Map(), lookback: DECISION_LOOKBACK_RUNS};
const READING: DecisionStats = {...NONE, reading: true};

/** Cross-run outcome rates for the run's decisions; read when the decisions change, not per keypress. */
export function useDecisionStats(store: Store, run: Run | null, decisions: readonly DecisionOutcome[] | null): DecisionStats {
	const [stats, setStats] = useState<{traceId: string | null; stats: DecisionStats}>({traceId: null, stats: NONE});
	// biome-ignore lint/correctness/useExhaustiveDependencies: read again when the run is another run or its decisions change, not when the same run is re-read
	useEffect(() => {
		if (run === null || decisions === null || decisions.length === 0) {
			setStats({traceId: null, stats: NONE});
			return;
		}

		let current = true;
		decisionStats(store, run, decisions).then(
			next => {
				if (current) {
					setStats({traceId: run.trace_id, stats: next});
				}
			},
			() => {
				// The rates are a hint beside the decision: without them the tab still answers.
				if (current) {
					setStats({traceId: run.trace_id, stats: NONE});
				}
			},
		);
		return () => {
			current = false;
		};
	}, [store, run?.trace_id, run?.name, decisions]);

	// Another run's rates never show for this one; this run's stay while they are read again.
	if (run !== null && stats.traceId === run.trace_id) {
		return stats.stats;
	}

	return run !== null && decisions !== null && decisions.length > 0 ? READING : NONE;
}
