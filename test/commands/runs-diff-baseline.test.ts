import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {lastSuccessBefore} from '../../source/store/baseline-run.js';
import {runArtifactDir} from '../../source/store/artifact-dir.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

type End = 'success' | 'failed' | 'cancelled' | 'running';

/** A one-stage run starting at `startS` (seconds after the test epoch); it ends 5 s later unless running. */
function runEvents(id: string, env: string | null, target: string | null, startS: number, end: End): TraceEvent[] {
	const data: Record<string, unknown> = {name: `deploy ${id}`, run_id: `run-${id}`};
	if (env !== null) {
		data['env'] = env;
	}

	if (target !== null) {
		data['target'] = target;
	}

	const events: TraceEvent[] = [
		{trace_id: id, span_id: 'r', event_type: 'workflow:started', timestamp: at(startS), data},
		{trace_id: id, span_id: 'b', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(startS + 1), data: {name: 'Build'}},
	];
	if (end === 'success' || end === 'failed') {
		events.push({trace_id: id, span_id: 'b', event_type: end === 'success' ? 'stage:completed' : 'stage:failed', status: end, timestamp: at(startS + 4)}, {trace_id: id, span_id: 'r', event_type: end === 'success' ? 'workflow:completed' : 'workflow:failed', status: end, timestamp: at(startS + 5)});
	} else if (end === 'cancelled') {
		events.push({trace_id: id, span_id: 'r', event_type: 'workflow:cancelled', timestamp: at(startS + 5)});
	}

	return events;
}

/**
 * The run asked about is x: prod/api, failed, started at 100 s. By hand, its
 * baseline is s2: the only prod/api success that started strictly before 100 s
 * and after every other such success (s1 at 10 s). Not f1 (failed), r1
 * (running), c1 (cancelled), o1 (staging), o2 (target web), o3 (no env: NULL
 * is not prod), tie (started at 100 s too: not before), l1 (after).
 * Null scopes: n (no env, no target) → nn1, not p0 (prod, no target) nor o3
 * (no env, api); na (no env, api, at 95 s) → o3, not s2 (prod/api).
 */
function seed(home: string): void {
	const index = RunIndex.open(home);
	const runs: Array<[string, string | null, string | null, number, End]> = [
		['s1', 'prod', 'api', 10, 'success'],
		['nn1', null, null, 40, 'success'],
		['s2', 'prod', 'api', 50, 'success'],
		['p0', 'prod', null, 60, 'success'],
		['f1', 'prod', 'api', 60, 'failed'],
		['r1', 'prod', 'api', 70, 'running'],
		['c1', 'prod', 'api', 75, 'cancelled'],
		['o1', 'staging', 'api', 80, 'success'],
		['o2', 'prod', 'web', 85, 'success'],
		['o3', null, 'api', 88, 'success'],
		['na', null, 'api', 95, 'failed'],
		['tie', 'prod', 'api', 100, 'success'],
		['x', 'prod', 'api', 100, 'failed'],
		['n', null, null, 100, 'failed'],
		['l1', 'prod', 'api', 120, 'success'],
	];
	for (const [id, env, target, start, end] of runs) {
		index.appendEvents(runEvents(id, env, target, start, end));
	}

	// The statuses the hand answer relies on.
	assert.deepEqual(
		['r1', 'c1', 'f1', 'tie'].map(id => index.resolveRun(`run-${id}`).status),
		['running', 'cancelled', 'failed', 'success'],
	);
	assert.equal(index.resolveRun('run-n').env, null);
	index.close();
}

function writePlan(home: string, runId: string, plan: unknown): void {
	const index = RunIndex.open(home, {readonly: true});
	const dir = runArtifactDir(home, index.resolveRun(runId));
	index.close();
	fs.mkdirSync(dir, {recursive: true});
	fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
}

interface DiffJson {
	a: {run_id: string};
	b: {run_id: string};
	steps: Array<{path: string; change: string}>;
	plan: {args: unknown[]; env: unknown[]; steps: unknown[]; resolved_values: unknown[]; recorded: {a: boolean; b: boolean}};
	baseline: {run_id: string; trace_id: string; reason: string} | null;
}

test('lastSuccessBefore picks the last success of the same env and target started before the run; null env/target match null', () => {
	const home = tempHome();
	seed(home);
	const index = RunIndex.open(home, {readonly: true});
	const baseline = (id: string): string | null => lastSuccessBefore(index, index.resolveRun(`run-${id}`))?.run_id ?? null;
	assert.equal(baseline('x'), 'run-s2');
	assert.equal(baseline('n'), 'run-nn1');
	assert.equal(baseline('na'), 'run-o3');
	// l1 (prod/api at 120 s): tie (100 s) is the newest success before it; s1 has none before it.
	assert.equal(baseline('l1'), 'run-tie');
	assert.equal(baseline('s1'), null);
	index.close();
});

test('runs diff <run> compares with the last success and says which it picked (text and --json)', () => {
	const home = tempHome();
	seed(home);
	const json = runCli(['runs', 'diff', 'run-x', '--json'], {home});
	assert.equal(json.code, 0, json.stderr);
	const diff = JSON.parse(json.stdout) as DiffJson;
	assert.deepEqual(diff.baseline, {run_id: 'run-s2', trace_id: 's2', reason: 'last_success'});
	assert.equal(diff.a.run_id, 'run-s2');
	assert.equal(diff.b.run_id, 'run-x');
	// Build succeeded in s2 and failed in x.
	assert.deepEqual(
		diff.steps.map(step => [step.path, step.change]),
		[['Build', 'status']],
	);
	assert.deepEqual(diff.plan.recorded, {a: false, b: false});
	const nullScope = JSON.parse(runCli(['runs', 'diff', 'run-na', '--json'], {home}).stdout) as DiffJson;
	assert.equal(nullScope.baseline?.run_id, 'run-o3');
	const text = runCli(['runs', 'diff', 'x'], {home});
	assert.equal(text.code, 0, text.stderr);
	const lines = text.stdout.split('\n');
	assert.equal(lines[0], 'comparing with run-s2 (the last successful prod/api run before this one)');
	assert.equal(lines[1], 'A run-s2 (success)');
	assert.equal(lines[2], 'B run-x (failed)');
	assert.match(text.stdout, /\n\nno plan recorded for either run\n$/);
	assert.match(runCli(['runs', 'diff', 'run-n'], {home}).stdout, /^comparing with run-nn1 \(the last successful \(no env\)\/\(no target\) run before this one\)\n/);
	// Two runs named: no baseline, as before (the key is there, null).
	const two = JSON.parse(runCli(['runs', 'diff', 'run-s1', 'run-x', '--json'], {home}).stdout) as DiffJson;
	assert.equal(two.baseline, null);
	assert.equal(two.a.run_id, 'run-s1');
});

test('runs diff <run> without an earlier success: exit 3, one line saying so and what to do', () => {
	const home = tempHome();
	seed(home);
	for (const args of [
		['runs', 'diff', 'run-s1'],
		['runs', 'diff', 'run-s1', '--json'],
	]) {
		const result = runCli(args, {home});
		assert.equal(result.code, 3);
		assert.equal(result.stdout, '');
		assert.equal(result.stderr, 'tracedeck: no successful prod/api run started before run-s1; name two runs to compare: tracedeck runs diff <A> <B>\n');
	}

	const tooMany = runCli(['runs', 'diff', 'run-s1', 'run-s2', 'run-x'], {home});
	assert.equal(tooMany.code, 2);
	assert.match(tooMany.stderr, /takes one or two runs, not 3/);
	assert.equal(runCli(['runs', 'diff', 'run-nope'], {home}).code, 3);
});

test('runs diff: devcmd plans compared by step id and resolved value key, secrets redacted; missing plans said so', () => {
	const home = tempHome();
	seed(home);
	writePlan(home, 'run-s2', {
		steps: [
			{id: 'main/build', command: 'npm run build', decorator: 'shell', estimated_duration: '30s'},
			{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api/', decorator: 'shell', estimated_duration: '15s'},
		],
		resolved_values: {1: '@env(API_TOKEN) → <redacted:32chars>', 2: '@var(REPLICAS) → 3'},
	});
	writePlan(home, 'run-x', {
		steps: [
			{id: 'main/build', command: 'npm run build', decorator: 'shell', estimated_duration: '30s'},
			{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api-v2/', decorator: 'shell', estimated_duration: '15s'},
			{id: 'main/smoke', command: 'curl -f https://api/health', decorator: 'retry'},
		],
		resolved_values: {1: '@env(API_TOKEN) → <redacted:40chars>', 2: '@var(REPLICAS) → 3'},
	});
	// s2 → x: deploy/api's command changed, smoke is new, build is the same; the token rotated, replicas did not.
	const text = runCli(['runs', 'diff', 'run-x'], {home});
	assert.equal(text.code, 0, text.stderr);
	const tail = text.stdout.slice(text.stdout.indexOf('\n\nplan:'));
	assert.equal(
		tail,
		[
			'',
			'',
			'plan: 2 steps, 1 resolved value changed',
			'',
			'PLAN STEPS',
			'  ~ main/deploy/api',
			'      command: "kubectl apply -f k8s/api/" -> "kubectl apply -f k8s/api-v2/"',
			'  + main/smoke (added)',
			'      command: "curl -f https://api/health"',
			'      decorator: "retry"',
			'',
			'PLAN RESOLVED VALUES',
			'  1: "@env(API_TOKEN) → <redacted>" -> "@env(API_TOKEN) → <redacted>"  (redacted; values differ)',
			'',
		].join('\n'),
	);
	assert.doesNotMatch(text.stdout, /chars>/);
	const json = JSON.parse(runCli(['runs', 'diff', 'run-x', '--json'], {home}).stdout) as DiffJson;
	assert.deepEqual(json.plan.recorded, {a: true, b: true});
	assert.equal(json.plan.steps.length, 2);
	assert.deepEqual(json.plan.resolved_values, [{key: '1', a: '@env(API_TOKEN) → <redacted>', b: '@env(API_TOKEN) → <redacted>'}]);
	// s1 has no plan.json, x has one; f1 and o1 have none.
	const oneSide = runCli(['runs', 'diff', 'run-s1', 'run-x'], {home});
	assert.match(oneSide.stdout, /\n\nplan recorded for B only \(A has none\): not compared\n$/);
	assert.match(runCli(['runs', 'diff', 'run-x', 'run-s1'], {home}).stdout, /\n\nplan recorded for A only \(B has none\): not compared\n$/);
	assert.match(runCli(['runs', 'diff', 'run-f1', 'run-o1'], {home}).stdout, /\n\nno plan recorded for either run\n$/);
	// The same plan on both sides: only then "no changes".
	writePlan(home, 'run-l1', JSON.parse(fs.readFileSync(path.join(runArtifactDir(home, {env: 'prod', target: 'api', plan_hash: null, run_id: 'run-x'}), 'plan.json'), 'utf8')));
	assert.match(runCli(['runs', 'diff', 'run-x', 'run-l1'], {home}).stdout, /\n\nplan: no changes\n$/);
});
