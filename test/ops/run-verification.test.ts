import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {planHash, signPlan} from '../../source/interop/plan-signature.js';
import {runArtifactDir} from '../../source/store/artifact-dir.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {deployEvents, HOUR} from './deploys.js';

const PLAN = {target: 'api', steps: ['migrate', 'deploy'], env: {DB_PASSWORD: '<redacted:16chars>'}};

interface Fixture {
	home: string;
	pub: string;
	otherPub: string;
}

/**
 * good: signed by our key. tampered: plan.json changed after the run.
 * wrongkey: signed by another key. unsigned: no plan.sig (bob's).
 * noplan: no artifacts and no user. prefixed: the run recorded "sha256:<hex>".
 */
function seed(): Fixture {
	const home = tempHome();
	const mine = crypto.generateKeyPairSync('ed25519');
	const other = crypto.generateKeyPairSync('ed25519');
	const pub = path.join(home, 'pub.pem');
	const otherPub = path.join(home, 'other.pem');
	fs.writeFileSync(pub, mine.publicKey.export({type: 'spki', format: 'pem'}));
	fs.writeFileSync(otherPub, other.publicKey.export({type: 'spki', format: 'pem'}));
	const hash = planHash(PLAN);
	const index = RunIndex.open(home);
	const runs: Array<[string, string | undefined, string]> = [
		['good', 'alice', hash],
		['tampered', 'alice', hash],
		['wrongkey', 'alice', hash],
		['unsigned', 'bob', hash],
		['noplan', undefined, hash],
		['prefixed', 'alice', `sha256:${hash.toUpperCase()}`],
	];
	runs.forEach(([trace, user, recorded], i) => {
		index.appendEvents(deployEvents({trace, runId: `run-${trace}`, env: 'prod', user, planHash: recorded, startMs: Date.now() - (i + 1) * HOUR, duration: 60}));
	});
	for (const [trace, , recorded] of runs) {
		if (trace === 'noplan') {
			continue;
		}

		const dir = runArtifactDir(home, {run_id: `run-${trace}`, env: 'prod', target: 'api', plan_hash: recorded});
		fs.mkdirSync(dir, {recursive: true});
		const written = trace === 'tampered' ? {...PLAN, steps: ['migrate', 'deploy', 'drop-db']} : PLAN;
		fs.writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(written, null, 2)}\n`);
		if (trace !== 'unsigned') {
			fs.writeFileSync(path.join(dir, 'plan.sig'), signPlan(PLAN, trace === 'wrongkey' ? other.privateKey : mine.privateKey).toString('base64'));
		}
	}

	index.close();
	return {home, pub, otherPub};
}

test('tracedeck runs verify: matching plans pass, tampered and wrongly signed ones fail with one line', () => {
	const {home, pub} = seed();
	const good = runCli(['runs', 'verify', 'run-good', '--key', pub], {home});
	assert.equal(good.code, 0, good.stderr);
	assert.equal(good.stdout, `ok: run run-good: plan hash matches and plan.sig verifies with ${pub}\n`);
	assert.equal(runCli(['runs', 'verify', 'run-prefixed', '--key', pub], {home}).code, 0, '"sha256:" and upper case are the same hash');
	const noKey = runCli(['runs', 'verify', 'run-good'], {home});
	assert.equal(noKey.stdout, 'ok: run run-good: plan hash matches; signed, signature not checked (give --key)\n');

	const tampered = runCli(['runs', 'verify', 'run-tampered', '--key', pub], {home});
	assert.equal(tampered.code, 1);
	assert.match(tampered.stderr, /^tracedeck: run run-tampered: plan\.json hashes to [0-9a-f]{12}… but the run recorded [0-9a-f]{12}…: the plan was changed after the run \(or its producer hashed the plan before redacting secrets, which artifacts cannot check\)\n$/);
	const wrongKey = runCli(['runs', 'verify', 'run-wrongkey', '--key', pub], {home});
	assert.equal(wrongKey.code, 1);
	assert.equal(wrongKey.stderr, `tracedeck: run run-wrongkey: plan.sig does not verify with ${pub}: the plan was tampered with or signed by another key\n`);
	assert.equal(runCli(['runs', 'verify', 'run-unsigned'], {home}).code, 0, 'without a key, a matching hash passes');
	const unsigned = runCli(['runs', 'verify', 'run-unsigned', '--key', pub], {home});
	assert.equal(unsigned.code, 1);
	assert.match(unsigned.stderr, /no plan\.sig beside it\n$/);
	const noPlan = runCli(['runs', 'verify', 'run-noplan', '--json'], {home});
	assert.equal(noPlan.code, 1);
	assert.equal(JSON.parse(noPlan.stdout).status, 'no-plan');
	assert.equal(runCli(['runs', 'verify', 'run-nope'], {home}).code, 3);
});

test("tracedeck runs audit: one user's runs with their verification status", () => {
	const {home, pub} = seed();
	const result = runCli(['runs', 'audit', '--user', 'alice', '--since', '7d', '--key', pub, '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	const audit = JSON.parse(result.stdout) as {user: string; key: string; runs: Array<Record<string, unknown>>};
	assert.equal(audit.user, 'alice');
	assert.equal(audit.key, pub);
	assert.deepEqual(
		audit.runs.map(r => [r['run_id'], r['env'], r['target'], r['status'], r['verification']]),
		[
			['run-good', 'prod', 'api', 'success', 'verified'],
			['run-tampered', 'prod', 'api', 'success', 'hash-mismatch'],
			['run-wrongkey', 'prod', 'api', 'success', 'bad-signature'],
			['run-prefixed', 'prod', 'api', 'success', 'verified'],
		],
	);
	assert.equal(audit.runs[0]!['plan_hash'], planHash(PLAN));
	const text = runCli(['runs', 'audit', '--user', 'bob'], {home});
	assert.match(text.stdout, /^RUN\s+ENV\s+TARGET\s+STATUS\s+PLAN\s+STARTED \(UTC\)\s+VERIFICATION\nrun-unsigned\s+prod\s+api\s+success\s+[0-9a-f]{12}\s+\S+ \S+\s+unsigned\n$/);
	assert.equal(runCli(['runs', 'audit'], {home}).code, 2);
});

test('tracedeck runs report --format sox: every run, its verification, and the exceptions', () => {
	const {home, pub} = seed();
	const result = runCli(['runs', 'report', '--format', 'sox', '--since', '7d', '--key', pub, '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	const report = JSON.parse(result.stdout) as {format: string; summary: Record<string, unknown>; exceptions: Array<{run_id: string; reason: string}>};
	assert.equal(report.format, 'sox');
	assert.equal(report.summary['runs'], 6);
	assert.equal(report.summary['users'], 3, 'alice, bob and nobody');
	assert.deepEqual(report.summary['by_verification'], {verified: 2, 'hash-mismatch': 1, 'bad-signature': 1, unsigned: 1, 'no-plan': 1});
	assert.deepEqual(
		report.exceptions.map(e => e.run_id),
		['run-tampered', 'run-wrongkey', 'run-unsigned', 'run-noplan'],
	);
	assert.match(report.exceptions[3]!.reason, /^no user recorded; run run-noplan: no plan\.json in /);

	const text = runCli(['runs', 'report', '--format', 'sox', '--since', '7d'], {home});
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /^SOX change report \S+ \.\. \S+\n6 runs by 3 users; plan signatures not checked \(no --key\); 2 exceptions\n/);
	assert.match(text.stdout, /\nExceptions\n {2}run-tampered: run run-tampered: plan\.json hashes to/);
	const bad = runCli(['runs', 'report', '--format', 'csv'], {home});
	assert.equal(bad.code, 2);
	assert.equal(bad.stderr, 'tracedeck: --format must be one of sox\n');
});
