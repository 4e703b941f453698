import type crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {Run} from '../core/run.js';
import {sanitize} from '../core/sanitize.js';
import {runArtifactDir} from '../store/artifact-dir.js';
import {findRunArtifactDir} from '../store/artifact-lookup.js';
import {barePlanHash, parsePlan, parseSignature, planHash, verifyPlanSignature} from './plan-signature.js';

/**
 * How a stored run's plan checks out against its artifacts
 * (`<env>/<target>/<plan-hash>/<run-id>/plan.json`, `plan.sig` beside it):
 * - verified       hash matches and plan.sig verifies with the key
 * - unchecked      hash matches, plan.sig present, no key given
 * - unsigned       hash matches, no plan.sig
 * - hash-mismatch  plan.json is not the plan the run recorded (tampered)
 * - bad-signature  plan.sig does not verify with the key (tampered or another key)
 * - no-plan-hash   the run recorded no plan hash, so there is nothing to check against
 * - no-plan        no plan.json for the run
 * - unreadable     plan.json or plan.sig cannot be parsed
 */
export type VerificationStatus = 'verified' | 'unchecked' | 'unsigned' | 'hash-mismatch' | 'bad-signature' | 'no-plan-hash' | 'no-plan' | 'unreadable';

export interface RunVerification {
	status: VerificationStatus;
	/** Whether the run passes: with a key only "verified"; without one, a matching hash. */
	ok: boolean;
	plan_path: string | null;
	recorded_hash: string | null;
	actual_hash: string | null;
	signed: boolean;
	/** One line saying what was found. */
	message: string;
}

export interface VerificationKey {
	key: crypto.KeyObject;
	/** How to name the key in messages, e.g. its file. */
	name: string;
}

function readOptional(file: string): Buffer | undefined {
	try {
		return fs.readFileSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return undefined;
		}

		throw error;
	}
}

const short = (hash: string | null): string => (hash === null ? '-' : hash.slice(0, 12));

/** Check a run's stored plan (under `home`'s artifacts) against its recorded hash and, with a key, its signature. */
export function verifyRun(run: Run, home: string, key?: VerificationKey): RunVerification {
	const result = (status: VerificationStatus, message: string, extra: Partial<RunVerification> = {}): RunVerification => ({
		status,
		ok: key ? status === 'verified' : status === 'verified' || status === 'unchecked' || status === 'unsigned',
		plan_path: null,
		recorded_hash: run.plan_hash,
		actual_hash: null,
		signed: false,
		// Run ids and paths come from producers: keep the line printable.
		message: sanitize(`run ${run.run_id}: ${message}`, true),
		...extra,
	});
	if (run.plan_hash === null) {
		return result('no-plan-hash', 'the run recorded no plan hash; nothing to verify');
	}

	// plan.sig is read beside the plan.json found: today's folder name first, then an older tracedeck's.
	const dir = findRunArtifactDir(home, run, 'plan.json') ?? runArtifactDir(home, run);
	const planPath = path.join(dir, 'plan.json');
	const planBytes = readOptional(planPath);
	if (planBytes === undefined) {
		return result('no-plan', `no plan.json in ${dir}`);
	}

	let plan: unknown;
	try {
		plan = parsePlan(planBytes.toString('utf8'), planPath);
	} catch (error) {
		return result('unreadable', (error as Error).message, {plan_path: planPath});
	}

	const actual = planHash(plan);
	const sigPath = path.join(dir, 'plan.sig');
	const sigBytes = readOptional(sigPath);
	const found = {plan_path: planPath, actual_hash: actual, signed: sigBytes !== undefined};
	if (actual !== barePlanHash(run.plan_hash)) {
		// A producer that hashed the plan before redacting it cannot be checked from artifacts: say so.
		const hint = planBytes.includes('<redacted:') ? ' (or its producer hashed the plan before redacting secrets, which artifacts cannot check)' : '';
		return result('hash-mismatch', `plan.json hashes to ${short(actual)}… but the run recorded ${short(barePlanHash(run.plan_hash))}…: the plan was changed after the run${hint}`, found);
	}

	if (sigBytes === undefined) {
		return result('unsigned', key ? `plan.json matches its hash but has no plan.sig beside it` : 'plan hash matches; unsigned', found);
	}

	if (!key) {
		return result('unchecked', 'plan hash matches; signed, signature not checked (give --key)', found);
	}

	let signature: Buffer;
	try {
		signature = parseSignature(sigBytes, sigPath);
	} catch (error) {
		return result('unreadable', (error as Error).message, found);
	}

	return verifyPlanSignature(plan, signature, key.key) ? result('verified', `plan hash matches and plan.sig verifies with ${key.name}`, found) : result('bad-signature', `plan.sig does not verify with ${key.name}: the plan was tampered with or signed by another key`, found);
}
