import {useMemo} from 'react';
import type {LinkedRuns, RunIndex} from '../../store/run-index.js';

export interface LinkedRunsData {
	linked: LinkedRuns | null;
	error: string | null;
}

const NONE: LinkedRunsData = {linked: null, error: null};

/**
 * The runs linked to a run (RunIndex.linkedRuns: three index lookups), read
 * again when the run's trace or the runs list reloads (their versions): a
 * child or correlated run is another trace, which only the list follows.
 */
export function useLinkedRuns(index: RunIndex, traceId: string | null, traceVersion: number, listVersion: number): LinkedRunsData {
	// biome-ignore lint/correctness/useExhaustiveDependencies: the versions are what say the stored links may have changed
	return useMemo(() => {
		if (traceId === null) {
			return NONE;
		}

		try {
			return {linked: index.linkedRuns(traceId), error: null};
		} catch (error) {
			return {linked: null, error: error instanceof Error ? error.message : String(error)};
		}
	}, [index, traceId, traceVersion, listVersion]);
}
