import {InputError} from '../core/errors.js';
import type {RunStatus} from '../core/run.js';
import type {RunFilter} from '../store/run-index.js';
import {sinceToMs} from './command-flags.js';

/** The run filters `runs list` and `runs export` share (meow flag specs). */
export const RUN_FILTER_FLAGS = {
	env: {type: 'string'},
	target: {type: 'string'},
	status: {type: 'string'},
	since: {type: 'string'},
	planHash: {type: 'string'},
} as const;

export const RUN_FILTER_HELP = `    --env <env>          only runs in this environment (prod, staging, dev)
    --target <target>    only runs of this target
    --status <status>    running | success | failed | cancelled
    --since <dur|date>   started within this window (24h, 7d) or after this date
    --plan-hash <hash>   only executions of this plan
    --limit <n>          at most n runs, 0 for all`;

const STATUSES = new Set<RunStatus>(['running', 'success', 'failed', 'cancelled']);

interface RunFilterFlags {
	env?: string;
	target?: string;
	status?: string;
	since?: string;
	planHash?: string;
	limit: number;
}

/**
 * A filter flag's value, refused when given empty (`--env` at the end of a
 * line, `--env=`): a filter on "" matches nothing and would read as "no runs".
 */
export function filterValue(flag: string, value: string | undefined): string | undefined {
	if (value !== undefined && value.trim() === '') {
		throw new InputError(`--${flag} needs a value`);
	}

	return value;
}

/** Validate the shared flags into a RunFilter; `--limit 0` means all. */
export function runFilterFromFlags(flags: RunFilterFlags): RunFilter {
	if (flags.status !== undefined && !STATUSES.has(flags.status as RunStatus)) {
		throw new InputError(`--status must be one of ${[...STATUSES].join(', ')}`);
	}

	if (!Number.isInteger(flags.limit) || flags.limit < 0) {
		throw new InputError('--limit must be a whole number ≥ 0');
	}

	return {
		env: filterValue('env', flags.env),
		target: filterValue('target', flags.target),
		status: flags.status as RunStatus | undefined,
		sinceMs: sinceToMs(flags.since),
		planHash: filterValue('plan-hash', flags.planHash),
		limit: flags.limit === 0 ? undefined : flags.limit,
	};
}
