import {SqlWhere} from './sql-where.js';

/** Runs started in a window, optionally one env and target: the filter analytics and DORA share. */
export interface RunWindow {
	sinceMs: number;
	untilMs?: number;
	env?: string;
	target?: string;
}

/** The WHERE clauses (over the runs table aliased `r`) and their parameters. */
export function runWindowWhere(window: RunWindow): SqlWhere {
	return new SqlWhere().add('r.started_ms >= ?', window.sinceMs).add('r.started_ms < ?', window.untilMs).add('r.env = ?', window.env).add('r.target = ?', window.target);
}
