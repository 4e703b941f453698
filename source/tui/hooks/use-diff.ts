import {useEffect, useState} from 'react';
import type {Run} from '../../core/run.js';
import {diffRuns, type RunDiff} from '../../core/run-diff.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {RunIndex} from '../../store/run-index.js';
import {readRunPlan} from '../../store/run-plan.js';
import {coalesce} from './coalesce.js';

export interface DiffData {
	diff: RunDiff | null;
	error: string | null;
	/** Whether plan.json was found for each side (plan changes need both). */
	plans: {a: boolean; b: boolean};
}

/** A run's plan.json from its artifact folder (store/run-plan), when there is a home to look in. */
export function readPlan(home: string | undefined, run: Run): unknown {
	return home === undefined ? undefined : readRunPlan(home, run);
}

function compute(index: RunIndex, a: string, b: string, home: string | undefined): DiffData {
	const runA = index.resolveRun(a);
	const runB = index.resolveRun(b);
	const planA = readPlan(home, runA);
	const planB = readPlan(home, runB);
	const diff = diffRuns({run: runA, spans: index.spans(runA.trace_id)}, {run: runB, spans: index.spans(runB.trace_id)}, {planA, planB});
	return {diff, error: null, plans: {a: planA !== undefined, b: planB !== undefined}};
}

const NONE: DiffData = {diff: null, error: null, plans: {a: false, b: false}};

/** Two runs aligned step by step (core/run-diff), recomputed while either is still changing. */
/** `home` is where the runs' artifacts (plan.json) are; without it, plan changes are not compared. */
export function useDiff(index: RunIndex, feed: ChangeFeed, a: string | null, b: string | null, home?: string): DiffData {
	const [data, setData] = useState<{key: string; data: DiffData}>({key: '', data: NONE});
	const key = a !== null && b !== null ? `${a}\u0000${b}` : '';
	useEffect(() => {
		if (a === null || b === null) {
			return;
		}

		const run = (): void => {
			try {
				setData({key, data: compute(index, a, b, home)});
			} catch (error) {
				setData({key, data: {...NONE, error: (error as Error).message}});
			}
		};

		run();
		const refresh = coalesce(run, 250);
		const off = feed.onChange(traceIds => {
			if (traceIds.includes(a) || traceIds.includes(b)) {
				refresh.trigger();
			}
		});
		return () => {
			off();
			refresh.cancel();
		};
	}, [index, feed, a, b, home, key]);

	return data.key === key ? data.data : NONE;
}
