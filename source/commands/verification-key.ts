import fs from 'node:fs';
import {NotFoundError} from '../core/errors.js';
import {parsePublicKey} from '../interop/plan-signature.js';
import type {VerificationKey} from '../interop/run-verification.js';

/** The public key for plan signatures: --key, else TRACEDECK_PLAN_KEY; undefined when neither is set. */
export function loadVerificationKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): VerificationKey | undefined {
	const file = flag ?? (env['TRACEDECK_PLAN_KEY'] || undefined);
	if (file === undefined) {
		return undefined;
	}

	let pem: Buffer;
	try {
		pem = fs.readFileSync(file);
	} catch {
		throw new NotFoundError(`cannot read the key ${file}`);
	}

	return {key: parsePublicKey(pem, file), name: file};
}

export const KEY_HELP = `    --key <pub.pem>      ed25519 public key (PEM) to check plan signatures with
                         (env TRACEDECK_PLAN_KEY)`;
