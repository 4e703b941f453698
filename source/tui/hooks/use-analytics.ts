import {useEffect, useRef, useState} from 'react';
import {analyzeRuns, failureRateByGroup, type Analysis, type AnalyticsInput, type GroupRate} from '../../core/analytics.js';
import type {Store} from '../../store/store.js';
import {runWindowOf, type AnalyticsScope} from '../state/analytics-scope.js';
import {serialTask, type SerialTask} from './serial-task.js';

/** What the analytics screens show: `runs analyze`'s document and the rows it came from, for one scope. */
export interface AnalyticsData {
	/** The scope these figures are for; null before the first answer. */
	scope: AnalyticsScope | null;
	analysis: Analysis | null;
	/** The window's runs as the store gave them: a failure point's runs are picked from these. */
	input: AnalyticsInput | null;
	byGroup: readonly GroupRate[];
	error: string | null;
}

const NONE: AnalyticsData = {scope: null, analysis: null, input: null, byGroup: [], error: null};

function sameScope(a: AnalyticsScope | null, b: AnalyticsScope | null): boolean {
	return a !== null && b !== null && a.window === b.window && a.env === b.env && a.target === b.target;
}

/**
 * The figures of `runs analyze` for a scope: Store.analyticsInput (SQL over
 * the whole window, never the rows the list holds) through core analyzeRuns,
 * read again when the scope changes or the runs list reloads (`version`: new
 * runs came in). One read at a time; an answer for a scope no longer asked
 * for is dropped; a store that fails is an error for the status line, and
 * the last figures of the same scope stay.
 */
export function useAnalytics(store: Store, scope: AnalyticsScope | null, version: number, clock: () => number = Date.now): AnalyticsData {
	const [data, setData] = useState<AnalyticsData>(NONE);
	const wanted = useRef(scope);
	wanted.current = scope;
	const task = useRef<SerialTask | null>(null);
	// One task per store: asked again while it reads, it reads once more after, for the scope wanted then.
	useEffect(() => {
		let asked: AnalyticsScope | null = null;
		const reads = serialTask(
			async () => {
				asked = wanted.current;
				if (asked === null) {
					return;
				}

				const scopeRead = asked;
				const input = await store.analyticsInput(runWindowOf(scopeRead, clock()));
				if (!reads.stopped() && sameScope(wanted.current, scopeRead)) {
					setData({scope: scopeRead, analysis: analyzeRuns(input), input, byGroup: failureRateByGroup(input.runs), error: null});
				}
			},
			error => {
				const failed = asked;
				if (failed !== null && sameScope(wanted.current, failed)) {
					setData(previous => ({...(sameScope(previous.scope, failed) ? previous : {...NONE, scope: failed}), error: error instanceof Error ? error.message : String(error)}));
				}
			},
		);
		task.current = reads;
		reads.run();
		return () => {
			reads.stop();
		};
	}, [store, clock]);
	const key = scope === null ? null : `${scope.window}\u0000${scope.env ?? ''}\u0000${scope.target ?? ''}`;
	// biome-ignore lint/correctness/useExhaustiveDependencies: the key is the scope; version says the index changed
	useEffect(() => {
		if (key !== null) {
			task.current?.run();
		}
	}, [key, version]);

	// Another scope's figures never show as this one's.
	return sameScope(data.scope, scope) ? data : NONE;
}
