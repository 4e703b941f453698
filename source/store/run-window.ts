/** Runs started in a window, optionally one env and target: the filter analytics and DORA share. */
export interface RunWindow {
	sinceMs: number;
	untilMs?: number;
	env?: string;
	target?: string;
}

/** The WHERE clauses (over the runs table aliased `r`) and their parameters. */
export function runWindowWhere(window: RunWindow): {clauses: string[]; params: Array<string | number>} {
	const clauses = ['r.started_ms >= ?'];
	const params: Array<string | number> = [window.sinceMs];
	const add = (clause: string, value: string | number | undefined): void => {
		if (value !== undefined) {
			clauses.push(clause);
			params.push(value);
		}
	};

	add('r.started_ms < ?', window.untilMs);
	add('r.env = ?', window.env);
	add('r.target = ?', window.target);
	return {clauses, params};
}
