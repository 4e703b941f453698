import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {InputError} from '../../source/core/errors.js';
import {toRedactedJson} from '../../source/core/redact.js';
import {buildRunReport} from '../../source/core/run-report.js';
import {AtomicFile, writeFileAtomic} from '../../source/interop/atomic-file.js';
import {writeRunArtifacts} from '../../source/interop/artifacts.js';
import {expandInputs, readEventsFile} from '../../source/interop/input-files.js';
import {RunIndex} from '../../source/store/run-index.js';
import {homeWith, sampleRunEvents} from './sample-run.js';
import {tempHome} from '../helpers/temp-home.js';

const PLAN = {
	target: 'api',
	env: {API_TOKEN: 'tok-123456789', REGION: 'eu-west-1', DB_PASSWORD: 'hunter2'},
	args: ['deploy', '--password', 'pa55', '--api-key=abcd', 'DEPLOY_SECRET=xyz', '--dry-run'],
	steps: [{name: 'migrate', command: 'migrate --token=t0k --verbose', credentials: {user: 'ci', key: 'k'}}],
	nothing: null,
};

/** sha256 of canonical JSON (keys sorted, no whitespace), written out by hand for this plan's shape. */
function canonical(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		return JSON.stringify(value);
	}

	if (Array.isArray(value)) {
		return `[${value.map(item => canonical(item)).join(',')}]`;
	}

	return `{${Object.keys(value)
		.sort()
		.map(key => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
		.join(',')}}`;
}

// The hash covers the plan as written to plan.json: secrets redacted.
const PLAN_HASH = crypto
	.createHash('sha256')
	.update(canonical(toRedactedJson(PLAN)))
	.digest('hex');
const NOW = Date.parse('2026-03-02T10:00:02.000Z');
const RUN_ID = 'run-20260302-100000-3f2a9c1';

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort();
}

describe('run artifacts', () => {
	it('writes plan.json (redacted), otlp-traces.json, summary.json and report.html under env/target/plan-hash/run-id', async () => {
		const home = homeWith(sampleRunEvents({planHash: PLAN_HASH}));
		const artifacts = await writeRunArtifacts({home}, RUN_ID, {plan: PLAN, nowMs: NOW});
		assert.equal(artifacts.dir, path.join(home, 'artifacts', 'prod', 'api', PLAN_HASH, RUN_ID));
		assert.equal(artifacts.plan_hash, PLAN_HASH, 'the hash is of the redacted plan');
		assert.deepEqual(fs.readdirSync(artifacts.dir).sort(), ['otlp-traces.json', 'plan.json', 'report.html', 'summary.json'], 'no temp files left');

		const plan = JSON.parse(fs.readFileSync(artifacts.files.plan!, 'utf8'));
		assert.deepEqual(plan, {
			target: 'api',
			env: {API_TOKEN: '<redacted:13chars>', REGION: 'eu-west-1', DB_PASSWORD: '<redacted:7chars>'},
			args: ['deploy', '--password', '<redacted:4chars>', '--api-key=<redacted:4chars>', 'DEPLOY_SECRET=<redacted:3chars>', '--dry-run'],
			// A secret object's NN is the length of its JSON, {"user":"ci","key":"k"}: 23 characters.
			steps: [{name: 'migrate', command: 'migrate --token=<redacted:3chars> --verbose', credentials: '<redacted:23chars>'}],
			nothing: null,
		});

		const summary = JSON.parse(fs.readFileSync(artifacts.files.summary, 'utf8'));
		assert.deepEqual(Object.keys(summary), ['run_id', 'trace_id', 'env', 'target', 'plan_hash', 'status', 'started_at', 'ended_at', 'failed_step', 'retries', 'runner', 'git', 'user', 'progress', 'policy']);
		assert.equal(summary.run_id, RUN_ID);
		assert.equal(summary.status, 'failed');
		assert.equal(summary.failed_step, 'deploy/migrate <db>');
		assert.deepEqual(summary.progress, {completed: 5, total: 6});

		const report = fs.readFileSync(artifacts.files.report, 'utf8');
		assert.match(report, /^<!doctype html>/);
		assert.ok(report.includes('migrate &#60;db&#62;'));
	});

	it('ingesting the artifact folder gives back the same run', async () => {
		const source = homeWith(sampleRunEvents({planHash: PLAN_HASH}));
		const artifacts = await writeRunArtifacts({home: source}, RUN_ID, {plan: PLAN, nowMs: NOW});
		const copy = tempHome();
		const files = expandInputs([artifacts.dir]);
		assert.deepEqual(files, [artifacts.files.otlp], 'a run folder contributes its otlp-traces.json');
		const index = RunIndex.open(copy);
		try {
			index.appendEvents(readEventsFile(files[0]!));
		} finally {
			index.close();
		}

		const reportIn = (home: string) => {
			const idx = RunIndex.open(home, {readonly: true});
			try {
				const run = idx.resolveRun(RUN_ID);
				return buildRunReport(run, idx.spans(run.trace_id), NOW);
			} finally {
				idx.close();
			}
		};

		const before = reportIn(source);
		const after = reportIn(copy);
		assert.deepEqual(after.spans, before.spans);
		assert.deepEqual(after.failure, before.failure);
		assert.equal(after.run.plan_hash, PLAN_HASH);
	});

	it('refuses a plan that is not the one the run recorded', async () => {
		const home = homeWith(sampleRunEvents({planHash: 'b'.repeat(64)}));
		await assert.rejects(
			() => writeRunArtifacts({home}, RUN_ID, {plan: PLAN}),
			(error: unknown) => error instanceof InputError && /hashes to/.test(error.message),
		);
		assert.ok(!fs.existsSync(path.join(home, 'artifacts')), 'nothing written');
	});

	it('without a plan writes the rest, filed under the recorded hash', async () => {
		const home = homeWith(sampleRunEvents());
		const artifacts = await writeRunArtifacts({home}, RUN_ID, {nowMs: NOW});
		assert.equal(artifacts.files.plan, null);
		assert.equal(path.basename(path.dirname(artifacts.dir)), 'a'.repeat(64));
		assert.deepEqual(fs.readdirSync(artifacts.dir).sort(), ['otlp-traces.json', 'report.html', 'summary.json']);
	});

	it('keeps hostile env, target and run ids inside the artifacts folder, "_" for what is missing', async () => {
		const events = sampleRunEvents({env: '../../../etc', runId: 'run/../../x'}).map(event => (event.span_id === 'root' && event.data ? {...event, data: {...event.data, target: undefined, plan_hash: undefined}} : event));
		const home = homeWith(events);
		const artifacts = await writeRunArtifacts({home}, 'run/../../x', {nowMs: NOW});
		const root = path.join(home, 'artifacts');
		assert.ok(artifacts.dir.startsWith(`${root}${path.sep}`));
		const segments = path.relative(root, artifacts.dir).split(path.sep);
		assert.equal(segments.length, 4);
		assert.deepEqual(segments.slice(1, 3), ['_', '_']);
		for (const segment of segments) {
			assert.ok(segment !== '..' && segment !== '.' && !segment.includes('/'), segment);
		}

		assert.deepEqual(filesUnder(root).filter(file => file.endsWith('.json') || file.endsWith('.html')).length, 3);
	});

	it('says in one line when the artifacts folder cannot be written', async () => {
		const home = homeWith(sampleRunEvents());
		fs.writeFileSync(path.join(home, 'artifacts'), 'a file where the folder should be');
		await assert.rejects(() => writeRunArtifacts({home}, RUN_ID), /cannot write the artifacts of run .* \((ENOTDIR|EEXIST)\)/);
	});

	it('names an unknown run', async () => {
		await assert.rejects(() => writeRunArtifacts({home: homeWith(sampleRunEvents())}, 'run-nope'), /no run matches "run-nope"/);
	});
});

describe('plan redaction', () => {
	it('is idempotent and leaves the input alone', async () => {
		const input = structuredClone(PLAN);
		const once = toRedactedJson(PLAN);
		assert.deepEqual(toRedactedJson(once), once);
		assert.deepEqual(PLAN, input);
	});

	it('handles __proto__ keys and deep nesting without harm', async () => {
		const hostile = JSON.parse('{"__proto__": {"token": "x"}, "a": 1}') as unknown;
		const out = toRedactedJson(hostile) as Record<string, unknown>;
		assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.deepEqual(out['__proto__'], {token: '<redacted:1chars>'});
		let deep: unknown = 'leaf';
		for (let i = 0; i < 5000; i++) {
			deep = {next: deep};
		}

		assert.doesNotThrow(() => toRedactedJson(deep));
	});
});

describe('atomic files', () => {
	it('replaces a file whole, and an aborted write leaves the old one', async () => {
		const dir = tempHome();
		const file = path.join(dir, 'out.json');
		writeFileAtomic(file, 'first');
		const partial = new AtomicFile(file);
		partial.write('half of the sec');
		assert.equal(fs.readFileSync(file, 'utf8'), 'first', 'readers never see a write in progress');
		partial.abort();
		assert.equal(fs.readFileSync(file, 'utf8'), 'first');
		writeFileAtomic(file, 'second');
		assert.equal(fs.readFileSync(file, 'utf8'), 'second');
		assert.deepEqual(fs.readdirSync(dir), ['out.json']);
	});
});
