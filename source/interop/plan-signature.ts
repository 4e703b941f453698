import crypto from 'node:crypto';
import {canonicalJson} from '../core/canonical-json.js';
import {InputError, TracedeckError} from '../core/errors.js';

/**
 * Plan hashes and ed25519 plan signatures.
 *
 * The rule: a plan's hash is the sha256 (lowercase hex) of its canonical JSON
 * (core/canonical-json.ts), and a signature is ed25519 over those same
 * canonical bytes. Both cover the plan *as written to plan.json*, that is
 * with secrets already redacted as `<redacted:NNchars>`: that is the only
 * form tracedeck keeps, so it is the only form anyone can check later. Producers (exec) must therefore redact
 * first, then hash and sign. Formatting of plan.json does not matter; any
 * change to a key or value does.
 */

/** A plan that failed its check: tampered, signed by another key, or unsigned. Exit code 1. */
export class PlanVerificationError extends TracedeckError {
	constructor(message: string) {
		super(message, 1);
		this.name = 'PlanVerificationError';
	}
}

export function planHash(plan: unknown): string {
	return crypto.createHash('sha256').update(canonicalJson(plan), 'utf8').digest('hex');
}

/** A recorded plan hash as bare lowercase hex, as planHash gives it: producers may write "sha256:<hex>". */
export function barePlanHash(hash: string): string {
	return hash.replace(/^sha256:/i, '').toLowerCase();
}

/** Parse plan.json text; `where` names the file in the error. */
export function parsePlan(text: string, where: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new InputError(`${where} is not JSON: ${(error as Error).message}`);
	}
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A signature file holds the 64 raw signature bytes, or their base64 (standard or url-safe, whitespace allowed). */
export function parseSignature(bytes: Buffer, where: string): Buffer {
	if (bytes.length === 64) {
		return bytes;
	}

	const text = bytes.toString('latin1').replace(/\s+/g, '');
	if (BASE64.test(text)) {
		const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
		if (decoded.length === 64) {
			return decoded;
		}
	}

	throw new InputError(`${where} is not an ed25519 signature (expected 64 raw bytes or their base64)`);
}

/** An ed25519 public key from PEM (SPKI; a private key PEM also works, its public half is used). */
export function parsePublicKey(pem: string | Buffer, where: string): crypto.KeyObject {
	let key: crypto.KeyObject;
	try {
		key = crypto.createPublicKey(pem);
	} catch {
		throw new InputError(`${where} is not a PEM public key`);
	}

	if (key.asymmetricKeyType !== 'ed25519') {
		throw new InputError(`${where} is a ${key.asymmetricKeyType ?? 'unknown'} key; plan signatures are ed25519`);
	}

	return key;
}

export function verifyPlanSignature(plan: unknown, signature: Buffer, key: crypto.KeyObject): boolean {
	return crypto.verify(null, Buffer.from(canonicalJson(plan), 'utf8'), key, signature);
}

/** The signing side, for producers and tests: the 64 signature bytes. */
export function signPlan(plan: unknown, privateKey: crypto.KeyObject | string | Buffer): Buffer {
	return crypto.sign(null, Buffer.from(canonicalJson(plan), 'utf8'), privateKey);
}
