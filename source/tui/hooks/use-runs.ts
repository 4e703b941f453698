import {useEffect, useState} from 'react';
import type {Run} from '../../core/run.js';
import type {ChangeFeed} from '../../live/change-feed.js';
import type {RunIndex} from '../../store/run-index.js';
import {coalesce} from './coalesce.js';

export interface RunsData {
	runs: Run[];
	error: string | null;
	/** Bumps on every reload. */
	version: number;
}

/** How many recent runs the runs screen holds; running runs are always added. */
export const RECENT_RUNS = 1000;

/** Enough runs to fill the first screen; the rest load right after it is drawn. */
const FIRST_SCREEN_RUNS = 60;

function load(index: RunIndex, limit = RECENT_RUNS): Run[] {
	const recent = index.listRuns({limit});
	const seen = new Set(recent.map(run => run.trace_id));
	const running = index.listRuns({status: 'running', limit: RECENT_RUNS}).filter(run => !seen.has(run.trace_id));
	return [...running, ...recent];
}

/** The runs list, reloaded when the feed says any trace changed. */
export function useRuns(index: RunIndex, feed: ChangeFeed, reloadMs = 150): RunsData {
	const [data, setData] = useState<RunsData>(() => {
		try {
			return {runs: load(index, FIRST_SCREEN_RUNS), error: null, version: 0};
		} catch (error) {
			return {runs: [], error: (error as Error).message, version: 0};
		}
	});
	useEffect(() => {
		const reload = coalesce(() => {
			try {
				const runs = load(index);
				setData(previous => ({runs, error: null, version: previous.version + 1}));
			} catch (error) {
				setData(previous => ({...previous, error: (error as Error).message}));
			}
		}, reloadMs);
		const off = feed.onChange(() => {
			reload.trigger();
		});
		// The first frame showed a screenful; the full list follows once it is on screen.
		const rest = setTimeout(() => {
			reload.trigger();
		}, 0);
		return () => {
			off();
			clearTimeout(rest);
			reload.cancel();
		};
	}, [index, feed, reloadMs]);

	return data;
}
