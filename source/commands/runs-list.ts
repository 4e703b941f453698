import {InputError} from '../core/errors.js';
import {formatDuration} from '../core/format-duration.js';
import type {Run, RunStatus} from '../core/run.js';
import {RunIndex} from '../store/run-index.js';
import {COMMON_HELP, parseCommand, resolveHome, sinceToMs, writeJson} from './command-line.js';
import {statusSymbol} from './run-status-symbol.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs list [filters]

  Options
    --env <env>          only runs in this environment (prod, staging, dev)
    --target <target>    only runs of this target
    --status <status>    running | success | failed | cancelled
    --since <dur|date>   started within this window (24h, 7d) or after this date
    --plan-hash <hash>   only executions of this plan
    --limit <n>          at most n runs (default 50; 0 for all)
${COMMON_HELP}

  Examples
    $ tracedeck runs list --env prod --target deploy --since 48h
    $ tracedeck runs list --status failed --json | jq '.[0].run_id'
`;

const STATUSES = new Set<RunStatus>(['running', 'success', 'failed', 'cancelled']);

export function runDurationMs(run: Run, now = Date.now()): number {
	const end = run.ended_at === null ? now : Date.parse(run.ended_at);
	return end - Date.parse(run.started_at);
}

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {
		env: {type: 'string'},
		target: {type: 'string'},
		status: {type: 'string'},
		since: {type: 'string'},
		planHash: {type: 'string'},
		limit: {type: 'number', default: 50},
	});
	const {flags} = cli;
	if (flags.status !== undefined && !STATUSES.has(flags.status as RunStatus)) {
		throw new InputError(`--status must be one of ${[...STATUSES].join(', ')}`);
	}

	if (!Number.isInteger(flags.limit) || flags.limit < 0) {
		throw new InputError('--limit must be a whole number ≥ 0');
	}

	const index = RunIndex.open(resolveHome(flags.home), {readonly: true});
	let runs: Run[];
	try {
		runs = index.listRuns({
			env: flags.env,
			target: flags.target,
			status: flags.status as RunStatus | undefined,
			sinceMs: sinceToMs(flags.since),
			planHash: flags.planHash,
			limit: flags.limit === 0 ? undefined : flags.limit,
		});
	} finally {
		index.close();
	}

	if (flags.json) {
		writeJson(runs);
		return 0;
	}

	if (runs.length === 0) {
		process.stdout.write('no runs match\n');
		return 0;
	}

	const rows = runs.map(r => [
		r.run_id,
		`${statusSymbol(r.status)} ${r.status}`,
		r.env ?? '-',
		r.target ?? '-',
		r.started_at.replace('T', ' ').slice(0, 19),
		formatDuration(runDurationMs(r)),
		r.status === 'running' ? `step ${r.progress.completed}/${r.progress.total}${r.current_step ? ` ${r.current_step}` : ''}` : r.failed_step ?? '',
	]);
	process.stdout.write(`${textTable(['RUN', 'STATUS', 'ENV', 'TARGET', 'STARTED (UTC)', 'DURATION', 'STEP'], rows)}\n`);
	return 0;
}
