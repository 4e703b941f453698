import {useEffect, useState} from 'react';
import type {Store} from '../../store/store.js';

/** A run's parent, children and correlated runs, as the store gives them. */
export type LinkedRuns = Awaited<ReturnType<Store['linkedRuns']>>;

export interface LinkedRunsData {
	linked: LinkedRuns | null;
	error: string | null;
}

const NONE: LinkedRunsData = {linked: null, error: null};

/**
 * The runs linked to a run (Store.linkedRuns: three index lookups), read
 * again when the run's trace or the runs list reloads (their versions): a
 * child or correlated run is another trace, which only the list follows.
 * An answer for another run, or an older version, is dropped.
 */
export function useLinkedRuns(store: Store, traceId: string | null, traceVersion: number, listVersion: number): LinkedRunsData {
	const [data, setData] = useState<{traceId: string | null; data: LinkedRunsData}>({traceId: null, data: NONE});
	// biome-ignore lint/correctness/useExhaustiveDependencies: the versions are what say the stored links may have changed
	useEffect(() => {
		if (traceId === null) {
			return;
		}

		let current = true;
		store.linkedRuns(traceId).then(
			linked => {
				if (current) {
					setData({traceId, data: {linked, error: null}});
				}
			},
			(error: unknown) => {
				if (current) {
					setData({traceId, data: {linked: null, error: error instanceof Error ? error.message : String(error)}});
				}
			},
		);
		return () => {
			current = false;
		};
	}, [store, traceId, traceVersion, listVersion]);

	// The last answer for this run stays shown while the next is read.
	return traceId !== null && data.traceId === traceId ? data.data : NONE;
}
