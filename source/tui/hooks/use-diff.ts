import {useEffect, useRef, useState} from 'react';
import type {Run} from '../../core/run.js';
import {diffRuns, type RunDiff} from '../../core/run-diff.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import {noBaselineMessage} from '../../store/baseline-run.js';
import {readRunPlan} from '../../store/run-plan.js';
import type {Store} from '../../store/store.js';
import type {DiffBase} from '../state/console-state.js';
import {coalesce} from './coalesce.js';
import {serialTask} from './serial-task.js';

export interface DiffData {
	diff: RunDiff | null;
	error: string | null;
	/** Run A when it was picked as B's last success (not named): the screen says so. */
	baseline: Run | null;
}

/** A run's plan.json from its artifact folder (store/run-plan), when there is a home to look in. */
export function readPlan(home: string | undefined, run: Run): unknown {
	return home === undefined ? undefined : readRunPlan(home, run);
}

const NO_BASELINE_HINT = 'press m on a run, then d on another to diff the two';

async function compute(store: Store, a: DiffBase, b: string, home: string | undefined): Promise<DiffData> {
	const runB = await store.resolveRun(b);
	const baseline = a === 'last-success' ? await store.lastSuccessBefore(runB) : null;
	const runA = a === 'last-success' ? baseline : await store.resolveRun(a.traceId);
	if (runA === null) {
		return {...NONE, error: noBaselineMessage(runB, NO_BASELINE_HINT)};
	}

	const planA = readPlan(home, runA);
	const planB = readPlan(home, runB);
	const [spansA, spansB] = await Promise.all([store.spans(runA.trace_id), store.spans(runB.trace_id)]);
	const diff = diffRuns({run: runA, spans: spansA}, {run: runB, spans: spansB}, {planA, planB});
	return {diff, error: null, baseline};
}

const NONE: DiffData = {diff: null, error: null, baseline: null};

/**
 * Two runs aligned step by step (core/run-diff), recomputed while either is
 * still changing. `a` may be 'last-success': B's baseline is looked up here,
 * where the store is. `home` is where the runs' artifacts (plan.json) are;
 * without it, no plan is recorded for either side.
 */
export function useDiff(store: Store, feed: ChangeFeed, a: DiffBase | null, b: string | null, home?: string): DiffData {
	const [data, setData] = useState<{key: string; data: DiffData}>({key: '', data: NONE});
	const aKey = a === null ? null : a === 'last-success' ? '\u0001last-success' : a.traceId;
	const key = aKey !== null && b !== null ? `${aKey}\u0000${b}` : '';
	// The trace the refresh listens for besides B's: A's, once known.
	const watched = useRef<string | null>(null);
	// biome-ignore lint/correctness/useExhaustiveDependencies: keyed on `key`, which names both runs; the objects a and b are new on every render
	useEffect(() => {
		if (a === null || b === null) {
			return;
		}

		// One computation at a time: a slow one finishing after a newer one would show the older diff.
		const task = serialTask(
			async () => {
				const next = await compute(store, a, b, home);
				if (!task.stopped()) {
					watched.current = next.diff?.a.trace_id ?? null;
					setData({key, data: next});
				}
			},
			error => {
				watched.current = null;
				setData({key, data: {...NONE, error: error instanceof Error ? error.message : String(error)}});
			},
		);
		task.run();
		const refresh = coalesce(() => task.run(), 250);
		const off = feed.onChange(traceIds => {
			// Until A is found (no baseline yet, an error), any change may bring it.
			if (watched.current === null || traceIds.includes(watched.current) || traceIds.includes(b)) {
				refresh.trigger();
			}
		});
		return () => {
			off();
			refresh.cancel();
			task.stop();
		};
		// `key` stands for `a` and `b`: a fresh RunRef object for the same run is the same diff.
	}, [store, feed, key, home]);

	return data.key === key ? data.data : NONE;
}
