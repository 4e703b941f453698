import {activeRuns, parseStuckAfter, type ActiveRun} from '../core/active-runs.js';
import {InputError} from '../core/errors.js';
import type {Store} from '../store/store.js';
import {loadConfig} from './config-file.js';

export type {ActiveRun} from '../core/active-runs.js';

/** The stuck threshold's text: TRACEDECK_STUCK_AFTER, else the config file's stuck_after (checked when read), else unset. */
export function stuckAfterText(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const value = env['TRACEDECK_STUCK_AFTER'];
	return value !== undefined && value.trim() !== '' ? value : loadConfig(env).stuck_after;
}

/** The stuck threshold from TRACEDECK_STUCK_AFTER, else the config file's stuck_after (default 5 min). */
export function stuckAfterMs(env: NodeJS.ProcessEnv = process.env): number {
	const value = stuckAfterText(env);
	const ms = parseStuckAfter(value);
	if (ms === undefined) {
		throw new InputError(`TRACEDECK_STUCK_AFTER="${value}" is not a duration (90s, 5m, 1h)`);
	}

	return ms;
}

export interface ActiveRunsOptions {
	now?: number;
	/** Overrides TRACEDECK_STUCK_AFTER. */
	stuckAfterMs?: number;
	env?: NodeJS.ProcessEnv;
}

/** What is running right now, from the run index: progress, elapsed time, current step, stuck or not. */
export async function listActiveRuns(index: Pick<Store, 'listRuns'>, options: ActiveRunsOptions = {}): Promise<ActiveRun[]> {
	const threshold = options.stuckAfterMs ?? stuckAfterMs(options.env);
	return activeRuns(await index.listRuns({status: 'running'}), options.now ?? Date.now(), threshold);
}
