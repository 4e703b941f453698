import fs from 'node:fs';
import path from 'node:path';
import {InputError, NotFoundError} from '../core/errors.js';
import {parsePlan, parseSignature, planHash, PlanVerificationError, verifyPlanSignature} from '../interop/plan-signature.js';
import {COMMON_HELP, parseFlags, requireArgs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {KEY_HELP, loadVerificationKey} from './verification-key.js';

const HELP = `
  Usage
    $ tracedeck verify <plan.json> --key <pub.pem> [--sig <plan.sig>]

  Checks an ed25519 plan signature. The signature covers the plan's canonical
  JSON (keys sorted, no whitespace) as written in the file, secrets redacted;
  its sha256 is the plan hash runs record. Exit code 0 when the signature
  verifies, 1 when it does not.

  Options
    --sig <plan.sig>     the signature: 64 raw bytes or base64
                         (default: beside the plan, <name>.sig)
${KEY_HELP}
${COMMON_HELP}

  Examples
    $ tracedeck verify plan.json --sig plan.sig --key release.pub.pem
    $ tracedeck verify artifacts/prod/api/3f2a.../run-.../plan.json --key release.pub.pem --json
`;

function read(file: string, what: string): Buffer {
	try {
		return fs.readFileSync(file);
	} catch {
		throw new NotFoundError(`cannot read ${what} ${file}`);
	}
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {sig: {type: 'string'}, key: {type: 'string'}});
	requireArgs(cli.input, 1, 'the plan file to verify');
	const planFile = cli.input[0]!;
	const key = loadVerificationKey(cli.flags.key);
	if (!key) {
		throw new InputError('missing --key <pub.pem> (or TRACEDECK_PLAN_KEY)');
	}

	const sigFile = cli.flags.sig ?? path.join(path.dirname(planFile), `${path.basename(planFile, path.extname(planFile))}.sig`);
	const plan = parsePlan(read(planFile, 'the plan').toString('utf8'), planFile);
	const signature = parseSignature(read(sigFile, 'the signature'), sigFile);
	const hash = planHash(plan);
	const ok = verifyPlanSignature(plan, signature, key.key);
	if (cli.flags.json) {
		writeJson({ok, plan: planFile, signature: sigFile, key: key.name, plan_hash: hash});
	}

	if (!ok) {
		throw new PlanVerificationError(`${planFile}: signature ${sigFile} does not verify with ${key.name}: the plan was tampered with or signed by another key`);
	}

	if (!cli.flags.json) {
		process.stdout.write(`ok: ${planFile} is signed by ${key.name} (plan hash ${hash})\n`);
	}

	return 0;
}
