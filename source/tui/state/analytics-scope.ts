import {parseDuration} from '../../core/format-duration.js';
import type {RunWindow} from '../../store/run-window.js';
import type {AnalyticsWindow} from './console-state.js';
import {parseRunQuery} from './run-filter.js';

/**
 * The analytics window as `runs analyze --since <window> [--env] [--target]`
 * would read it: the runs list's env and target (one of each at most, an
 * exact match, as the flags are), the other filter words left out.
 */
export interface AnalyticsScope {
	window: AnalyticsWindow;
	env?: string;
	target?: string;
	/** Filter words the figures leave out, for the screen to say so; null when none. */
	ignored: string | null;
}

export function analyticsScope(window: AnalyticsWindow, runsFilter: string): AnalyticsScope {
	const query = parseRunQuery(runsFilter);
	const scope: AnalyticsScope = {window, ignored: null};
	const left: string[] = [];
	if (query.env.length === 1) {
		scope.env = query.env[0]!;
	} else if (query.env.length > 1) {
		left.push(`env:${query.env.join(',')}`);
	}

	if (query.target.length === 1) {
		scope.target = query.target[0]!;
	} else if (query.target.length > 1) {
		left.push(`target:${query.target.join(',')}`);
	}

	for (const field of ['status', 'user', 'branch'] as const) {
		if (query[field].length > 0) {
			left.push(`${field}:${query[field].join(',')}`);
		}
	}

	left.push(...query.text);
	scope.ignored = left.length === 0 ? null : left.join(' ');
	return scope;
}

/** The store's window for a scope, ending now. */
export function runWindowOf(scope: AnalyticsScope, nowMs: number): RunWindow {
	return {sinceMs: nowMs - parseDuration(scope.window)!, env: scope.env, target: scope.target};
}
