import {InputError} from '../core/errors.js';
import {verifyRun} from '../interop/run-verification.js';
import {auditRow} from '../store/audit.js';
import {openCommandStore} from './command-store.js';
import {resolveHome} from '../live/settings.js';
import {COMMON_HELP, parseFlags, sinceToMs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {KEY_HELP, loadVerificationKey} from './verification-key.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs audit --user <name> [--since <dur|date>]

  Who ran what, where: the runs a user started, newest first, with the
  environment, target, status, plan hash and whether the stored plan checks
  out (see tracedeck runs verify: verified, unchecked, unsigned,
  hash-mismatch, bad-signature, no-plan-hash, no-plan, unreadable).

  Options
    --user <name>        the user (required)
    --since <dur|date>   only runs started within this window or after this date
    --env <env>          only runs in this environment
${KEY_HELP}
${COMMON_HELP}

  Examples
    $ tracedeck runs audit --user alice --since 30d
    $ tracedeck runs audit --user alice --key release.pub.pem --json
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {user: {type: 'string'}, since: {type: 'string'}, env: {type: 'string'}, key: {type: 'string'}});
	const {flags} = cli;
	if (flags.user === undefined || flags.user === '') {
		throw new InputError('missing --user <name>; see --help');
	}

	const key = loadVerificationKey(flags.key);
	const sinceMs = sinceToMs(flags.since);
	const home = resolveHome(flags.home);
	const index = await openCommandStore(flags, {readonly: true});
	let runs;
	try {
		runs = await index.auditRuns({user: flags.user, env: flags.env, sinceMs});
	} finally {
		await index.close();
	}

	const rows = runs.map(r => ({...auditRow(r), verification: verifyRun(r, home, key).status}));
	if (flags.json) {
		writeJson({user: flags.user, since: sinceMs === undefined ? null : new Date(sinceMs).toISOString(), key: key?.name ?? null, runs: rows});
		return 0;
	}

	if (rows.length === 0) {
		process.stdout.write(`no runs by ${flags.user}\n`);
		return 0;
	}

	const table = rows.map(r => [r.run_id, r.env ?? '-', r.target ?? '-', r.status, r.plan_hash?.slice(0, 12) ?? '-', r.started_at.replace('T', ' ').slice(0, 19), r.verification]);
	process.stdout.write(`${textTable(['RUN', 'ENV', 'TARGET', 'STATUS', 'PLAN', 'STARTED (UTC)', 'VERIFICATION'], table)}\n`);
	return 0;
}
