import {sanitizeMessage} from '../core/sanitize.js';
import {describeRetention, resolveRetention} from '../store/retention.js';
import {openCommandStore, storeLocation} from './command-store.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {writeJson} from './write-json.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs purge [--dry-run] [--keep <env>=<dur>,...]

  Deletes runs past their retention: the run, its spans and events (in one
  transaction) and its artifact folder. A run's age counts from its end, or
  its newest event if later. Running runs are never deleted. Log records
  sent without a trace (kept under their service) go once they are older
  than the longest retention of any env.

  Retention: prod 90d, staging 30d, dev 7d, any other env 30d; override per
  env with TRACEDECK_RETENTION and then --keep, same syntax ("*" names every
  other env).

  Options
    --dry-run            list what would be deleted, delete nothing
    --keep <policy>      e.g. prod=180d,dev=3d,*=14d
${COMMON_HELP}

  Examples
    $ tracedeck runs purge --dry-run
    $ TRACEDECK_RETENTION=prod=365d tracedeck runs purge --json
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {dryRun: {type: 'boolean', default: false}, keep: {type: 'string'}});
	const policy = resolveRetention(cli.flags.keep);
	const {home} = storeLocation(cli.flags);
	const index = await openCommandStore(cli.flags);
	let result;
	try {
		result = await index.purge(home, policy, {dryRun: cli.flags.dryRun});
	} finally {
		await index.close();
	}

	if (cli.flags.json) {
		writeJson({...result, retention: describeRetention(policy)});
	} else {
		const verb = result.dry_run ? 'would delete' : 'deleted';
		if (result.runs.length > 0) {
			const rows = result.runs.map(r => [r.run_id, r.status, r.env ?? '-', r.target ?? '-', r.last_activity_at.replace('T', ' ').slice(0, 19), String(r.artifact_dirs.length)]);
			process.stdout.write(`${textTable(['RUN', 'STATUS', 'ENV', 'TARGET', 'LAST ACTIVITY (UTC)', 'ARTIFACT DIRS'], rows)}\n`);
		}

		const dirs = result.runs.reduce((sum, r) => sum + r.artifact_dirs.length, 0);
		process.stdout.write(`${verb} ${result.runs.length} runs (${result.spans} spans, ${result.events} events, ${dirs} artifact folders)${result.service_logs > 0 ? ` and ${result.service_logs} service log records` : ''}\n`);
	}

	for (const warning of result.warnings) {
		process.stderr.write(`tracedeck: warning: ${sanitizeMessage(warning)}\n`);
	}

	return result.warnings.length > 0 ? 1 : 0;
}
