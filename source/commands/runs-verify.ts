import {PlanVerificationError} from '../interop/plan-signature.js';
import {verifyRun} from '../interop/run-verification.js';
import {openCommandStore} from './command-store.js';
import {resolveHome} from '../live/settings.js';
import {COMMON_HELP, parseFlags, requireArgs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {KEY_HELP, loadVerificationKey} from './verification-key.js';

const HELP = `
  Usage
    $ tracedeck runs verify <run> [--key <pub.pem>]

  Checks that the plan stored with a run is the plan it ran: the sha256 of
  artifacts/<env>/<target>/<plan-hash>/<run-id>/plan.json (canonical JSON,
  secrets redacted, as written) must equal the run's recorded plan hash, and
  with a key, plan.sig beside it must verify. Exit code 0 when it checks out,
  1 when the plan was changed, is unsigned (with --key) or the signature fails.

  Options
${KEY_HELP}
${COMMON_HELP}

  Examples
    $ tracedeck runs verify run-20261124-0315 --key release.pub.pem
    $ tracedeck runs verify run-20261124-0315 --json | jq .status
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {key: {type: 'string'}});
	requireArgs(cli.input, 1, 'the run to verify');
	const key = loadVerificationKey(cli.flags.key);
	const home = resolveHome(cli.flags.home);
	const index = await openCommandStore(cli.flags, {readonly: true});
	let found;
	try {
		found = await index.resolveRun(cli.input[0]!);
	} finally {
		await index.close();
	}

	const verification = verifyRun(found, home, key);
	if (cli.flags.json) {
		writeJson({run_id: found.run_id, env: found.env, target: found.target, ...verification});
	}

	if (!verification.ok) {
		throw new PlanVerificationError(verification.message);
	}

	if (!cli.flags.json) {
		process.stdout.write(`ok: ${verification.message}\n`);
	}

	return 0;
}
