import type {Run} from '../core/run.js';
import {openCommandStore} from './command-store.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {writeJson} from './write-json.js';
import {filterValue, RUN_FILTER_FLAGS, RUN_FILTER_HELP, runFilterFromFlags} from './run-filter-flags.js';

const HELP = `
  Usage
    $ tracedeck runs list [filters]

  Options
${RUN_FILTER_HELP} (default 50)
    --parent <run>       only runs this run started (their parent trace is its trace)
    --correlation <id>   only runs with this correlation id (a business id, e.g. a loan id)
${COMMON_HELP}

  Examples
    $ tracedeck runs list --env prod --target deploy --since 48h
    $ tracedeck runs list --status failed --json | jq '.[0].run_id'
    $ tracedeck runs list --parent ab12cd3
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		...RUN_FILTER_FLAGS,
		limit: {type: 'number', default: 50},
		parent: {type: 'string'},
		correlation: {type: 'string'},
	});
	const {flags} = cli;
	const filter = runFilterFromFlags(flags);
	const index = await openCommandStore(flags, {readonly: true});
	let runs: Run[];
	try {
		// A run name, resolved as every command resolves one; its children name its trace.
		const parent = filterValue('parent', flags.parent);
		const parentTraceId = parent === undefined ? undefined : (await index.resolveRun(parent)).trace_id;
		runs = await index.listRuns({...filter, parentTraceId, correlationId: filterValue('correlation', flags.correlation)});
	} finally {
		await index.close();
	}

	if (flags.json) {
		writeJson(runs);
		return 0;
	}

	if (runs.length === 0) {
		process.stdout.write('no runs match\n');
		return 0;
	}

	const nowMs = Date.now();
	const {runsTable} = await import('./runs-list-text.js');
	process.stdout.write(`${runsTable(runs, nowMs)}\n`);
	return 0;
}
