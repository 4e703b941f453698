import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {planHash} from '../../source/interop/plan-signature.js';
import {legacyRunArtifactDir, runArtifactDir} from '../../source/store/artifact-dir.js';
import {at, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Issue 14, item 3, as a user meets it: two runs whose ids the old naming
 * mapped to one folder, each finished by `exec --finish`. Before, the second
 * finish overwrote the first run's report.html, summary.json and
 * otlp-traces.json.
 */

interface Summary {
	run_id: string;
}

function finishedRun(home: string, runId: string): string {
	const step = runCli(['exec', '--run', runId, '--step', 'build', '--', process.execPath, '-e', `console.log(${JSON.stringify(runId)})`], {home});
	assert.equal(step.code, 0, step.stderr);
	const finish = runCli(['exec', '--run', runId, '--finish', '--json'], {home});
	assert.equal(finish.code, 0, finish.stderr);
	const dir = (JSON.parse(finish.stdout) as {artifacts: string}).artifacts;
	assert.ok(dir.startsWith(path.join(home, 'artifacts') + path.sep), dir);
	return dir;
}

function assertOwnFolder(dir: string, runId: string): void {
	const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
	assert.equal(summary.run_id, runId, `${dir}/summary.json is run ${runId}'s`);
	assert.ok(fs.readFileSync(path.join(dir, 'otlp-traces.json'), 'utf8').includes(JSON.stringify(runId)), `${dir}/otlp-traces.json holds run ${runId}`);
	assert.ok(fs.readFileSync(path.join(dir, 'report.html'), 'utf8').length > 0);
}

for (const [title, first, second, reopen] of [
	['col/x and col_x', 'col/x', 'col_x', true],
	['two long ids with the same first 128 characters', `run-${'a'.repeat(130)}-1`, `run-${'a'.repeat(130)}-2`, false],
] as const) {
	test(`artifact folders (issue 14.3): runs ${title} finished by exec keep their own report, summary and trace file`, () => {
		const home = tempHome();
		const a = finishedRun(home, first);
		const b = finishedRun(home, second);
		assert.notEqual(a, b);
		assertOwnFolder(a, first);
		assertOwnFolder(b, second);
		// And runs open writes each run's report into its own folder again.
		for (const runId of reopen ? [first, second] : []) {
			const open = runCli(['runs', 'open', runId, '--no-browser', '--json'], {home});
			assert.equal(open.code, 0, open.stderr);
			assertOwnFolder((JSON.parse(open.stdout) as {dir: string}).dir, runId);
		}

		assertOwnFolder(a, first);
		assertOwnFolder(b, second);
	});
}

const PLAN_A = {args: {replicas: 2}, env: {REGION: 'eu-west-1'}};
const PLAN_B = {args: {replicas: 3}, env: {REGION: 'eu-west-1'}};

function runEvents(traceId: string, runId: string, plan: unknown, startS: number, env = 'prod'): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(startS), data: {name: 'deploy', run_id: runId, env, target: 'api', plan_hash: planHash(plan)}},
		{trace_id: traceId, span_id: 's', parent_span_id: 'r', event_type: 'step:started', timestamp: at(startS + 1), data: {name: 'migrate'}},
		{trace_id: traceId, span_id: 's', parent_span_id: 'r', event_type: 'step:completed', status: 'success', timestamp: at(startS + 2)},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(startS + 3)},
	];
}

/** Artifacts as an older tracedeck left them: under the old folder name, summary.json naming the run. */
function writeOldFolder(home: string, run: {run_id: string; env: string; plan: unknown}): string {
	const dir = legacyRunArtifactDir(home, {run_id: run.run_id, env: run.env, target: 'api', plan_hash: planHash(run.plan)});
	fs.mkdirSync(dir, {recursive: true});
	fs.writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(run.plan, null, 2)}\n`);
	fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify({run_id: run.run_id})}\n`);
	return dir;
}

test('artifact folders (issue 14.3): folders written under the old naming are still found by runs verify and runs diff, moved by runs open, removed by runs purge', () => {
	const home = tempHome();
	const file = path.join(home, 'runs.jsonl');
	// col/x is old-named "col_x"; "col_x" is also today's name of the run col_x, whose folder it must never take.
	fs.writeFileSync(file, toJsonl([...runEvents('t-slash', 'col/x', PLAN_A, 0), ...runEvents('t-under', 'col_x', PLAN_B, 10)]));
	assert.equal(runCli(['ingest', file], {home}).code, 0);
	const old = writeOldFolder(home, {run_id: 'col/x', env: 'prod', plan: PLAN_A});
	assert.equal(path.basename(old), 'col_x');
	assert.notEqual(old, runArtifactDir(home, {run_id: 'col/x', env: 'prod', target: 'api', plan_hash: planHash(PLAN_A)}));

	const verify = runCli(['runs', 'verify', 'col/x', '--json'], {home});
	assert.equal(verify.code, 0, verify.stderr);
	assert.deepEqual((({status, plan_path}) => ({status, plan_path}))(JSON.parse(verify.stdout) as {status: string; plan_path: string}), {status: 'unsigned', plan_path: path.join(old, 'plan.json')});
	// col_x's own plan is elsewhere (none written): the old folder names col/x, so it is not col_x's.
	const verifyOther = runCli(['runs', 'verify', 'col_x', '--json'], {home});
	assert.equal((JSON.parse(verifyOther.stdout) as {status: string}).status, 'no-plan');

	const diff = runCli(['runs', 'diff', 'col/x', 'col_x', '--json'], {home});
	assert.equal(diff.code, 0, diff.stderr);
	// A's plan comes from the old folder, B has none: replicas 2 against nothing.
	const plan = (JSON.parse(diff.stdout) as {plan: {args: unknown; env: unknown; recorded: unknown}}).plan;
	assert.deepEqual({args: plan.args, env: plan.env, recorded: plan.recorded}, {args: [{key: 'replicas', a: 2, b: null}], env: [{key: 'REGION', a: 'eu-west-1', b: null}], recorded: {a: true, b: false}});

	const open = runCli(['runs', 'open', 'col/x', '--no-browser', '--json'], {home});
	assert.equal(open.code, 0, open.stderr);
	const now = (JSON.parse(open.stdout) as {dir: string}).dir;
	assert.equal(path.basename(now), 'col%2Fx');
	assert.deepEqual(fs.readdirSync(now).sort(), ['otlp-traces.json', 'plan.json', 'report.html', 'summary.json'], 'the old folder moved, plan.json with it');
	assert.ok(!fs.existsSync(old));

	// Purge: an old-named dev run's folder goes with it (the dates are days before the test's clock, beyond dev=1d).
	const purgeHome = tempHome();
	const purgeFile = path.join(purgeHome, 'runs.jsonl');
	fs.writeFileSync(purgeFile, toJsonl(runEvents('t-old', 'dev/1', PLAN_A, 0, 'dev')));
	assert.equal(runCli(['ingest', purgeFile], {home: purgeHome}).code, 0);
	const oldDev = writeOldFolder(purgeHome, {run_id: 'dev/1', env: 'dev', plan: PLAN_A});
	const purge = runCli(['runs', 'purge', '--keep', 'dev=1d', '--json'], {home: purgeHome});
	assert.equal(purge.code, 0, purge.stderr);
	const result = JSON.parse(purge.stdout) as {runs: {run_id: string; artifact_dirs: string[]}[]};
	assert.deepEqual(
		result.runs.map(run => [run.run_id, run.artifact_dirs]),
		[['dev/1', [oldDev]]],
	);
	assert.deepEqual(fs.readdirSync(path.join(purgeHome, 'artifacts')), [], 'the folder and the env/target/hash folders it left empty');
});

test('artifact folders (issue 14.3): an old-named folder whose summary.json names another run is neither read nor purged for this one', () => {
	const home = tempHome();
	const file = path.join(home, 'runs.jsonl');
	fs.writeFileSync(file, toJsonl(runEvents('t-dev', 'dev/2', PLAN_A, 0, 'dev')));
	assert.equal(runCli(['ingest', file], {home}).code, 0);
	// The folder both dev/2 and dev_2 were given by the old naming, last written by dev_2.
	const shared = writeOldFolder(home, {run_id: 'dev_2', env: 'dev', plan: PLAN_A});
	assert.equal(shared, legacyRunArtifactDir(home, {run_id: 'dev/2', env: 'dev', target: 'api', plan_hash: planHash(PLAN_A)}));
	assert.equal((JSON.parse(runCli(['runs', 'verify', 'dev/2', '--json'], {home}).stdout) as {status: string}).status, 'no-plan');
	const purge = runCli(['runs', 'purge', '--keep', 'dev=1d', '--json'], {home});
	assert.deepEqual(
		(JSON.parse(purge.stdout) as {runs: {artifact_dirs: string[]}[]}).runs.map(run => run.artifact_dirs),
		[[]],
	);
	assert.ok(fs.existsSync(shared), "dev_2's files are not dev/2's to delete");
});
