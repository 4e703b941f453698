import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at, failedDeploy} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/** Deploy that succeeds: Build 1..3 s (2 s), Deploy 3..9 s (6 s); an agent picks `choice` at 2 s. */
function goodDeploy(traceId: string, runId: string, shiftS: number, choice = 'A'): TraceEvent[] {
	const t = (s: number): string => at(s + shiftS);
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: t(0), data: {name: 'deploy api', run_id: runId, env: 'prod', target: 'api'}},
		{trace_id: traceId, span_id: 'b', parent_span_id: 'r', event_type: 'stage:started', timestamp: t(1), data: {name: 'Build'}},
		{
			trace_id: traceId,
			span_id: 'ai',
			parent_span_id: 'r',
			event_type: 'ai:decision',
			timestamp: t(2),
			data: {
				name: 'choose-route',
				decision: choice,
				alternatives: [
					{option: 'A', score: 0.6},
					{option: 'B', score: 0.4},
				],
				reasoning: 'cheaper',
				confidence: 0.6,
			},
		},
		{trace_id: traceId, span_id: 'b', event_type: 'stage:completed', status: 'success', timestamp: t(3)},
		{trace_id: traceId, span_id: 'd', parent_span_id: 'r', event_type: 'stage:started', timestamp: t(3), data: {name: 'Deploy'}},
		{trace_id: traceId, span_id: 'd', event_type: 'stage:completed', status: 'success', timestamp: t(9)},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: t(10)},
	];
}

function seed(home: string): void {
	const index = RunIndex.open(home);
	// Relative to now so `--since 24h` holds them: 3 h, 2 h and 1 h ago.
	// Whole seconds: a fractional shift rounds each timestamp to the millisecond on its own and a 4 s step can last 4001 ms.
	const hoursAgo = (h: number): number => Math.floor((Date.now() - Date.parse(at(0))) / 1000) - h * 3600;
	index.appendEvents(goodDeploy('g1', 'run-good-1', hoursAgo(3)));
	index.appendEvents(goodDeploy('g2', 'run-good-2', hoursAgo(2)));
	const failed = [...failedDeploy('f1', 'run-bad-1'), {trace_id: 'f1', span_id: 'ai', parent_span_id: 'r', event_type: 'ai:decision', timestamp: at(2), data: {name: 'choose-route', decision: 'B'}} satisfies TraceEvent];
	index.appendEvents(failed.map(e => ({...e, timestamp: new Date(Date.parse(e.timestamp) + hoursAgo(1) * 1000).toISOString()})));
	index.close();
}

test('runs analyze gives the hand-computed figures', () => {
	const home = tempHome();
	seed(home);
	const result = runCli(['runs', 'analyze', '--since', '24h', '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	const analysis = JSON.parse(result.stdout) as Record<string, unknown>;
	// 3 runs, 1 failed at Deploy. Build took 2 s, 2 s, 4 s; Deploy 6 s, 6 s, 4 s (the failed one, 5..9 s).
	assert.equal(analysis['runs'], 3);
	assert.equal(analysis['failed'], 1);
	assert.equal(analysis['failure_rate'], 1 / 3);
	assert.deepEqual(analysis['failure_points'], [{path: 'Deploy', failures: 1}]);
	assert.deepEqual(analysis['slowest_steps'], [
		{path: 'Deploy', count: 3, p50_ms: 6000, p95_ms: 6000},
		{path: 'Build', count: 3, p50_ms: 2000, p95_ms: 4000},
	]);
	assert.equal(analysis['compensation_rate'], 0);
	assert.deepEqual(analysis['decisions'], [
		{path: 'choose-route', decision: 'A', runs: 2, failed: 0, failure_rate: 0},
		{path: 'choose-route', decision: 'B', runs: 1, failed: 1, failure_rate: 1},
	]);
	const text = runCli(['runs', 'analyze'], {home});
	assert.match(text.stdout, /3 runs in the last 24h, 1 failed \(33\.3%\)/);
	assert.match(text.stdout, /when the agent chose B, 1 of 1 run/);
	// DORA: the 3 prod deploys finished, 1 failed, and nothing succeeded after the failure.
	const dora = (JSON.parse(runCli(['runs', 'analyze', '--dora', '--json'], {home}).stdout) as {dora: {deployments: number; failed: number; change_failure_rate: number; unrestored: number}}).dora;
	assert.deepEqual([dora.deployments, dora.failed, dora.change_failure_rate, dora.unrestored], [3, 1, 1 / 3, 1]);
	const prodOnly = JSON.parse(runCli(['runs', 'analyze', '--env', 'staging', '--json'], {home}).stdout) as {runs: number};
	assert.equal(prodOnly.runs, 0);
});

test('runs diff aligns steps by path and marks the changes', () => {
	const home = tempHome();
	seed(home);
	const plans = {
		'run-good-1': {args: {replicas: 2, image: 'api:1'}, env: {API_TOKEN: '<redacted:12chars>', REGION: 'eu'}},
		'run-bad-1': {args: {replicas: 3, image: 'api:1'}, env: {API_TOKEN: '<redacted:14chars>', REGION: 'eu'}},
	};
	const index = RunIndex.open(home);
	for (const [runId, plan] of Object.entries(plans)) {
		const run = index.resolveRun(runId);
		const dir = path.join(home, 'artifacts', run.env!, run.target!, '_', run.run_id);
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
	}

	index.close();
	const result = runCli(['runs', 'diff', 'run-good-1', 'run-bad-1', '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	const diff = JSON.parse(result.stdout) as {steps: Array<{path: string; change: string}>; plan: {args: unknown[]; env: Array<{key: string; a: unknown; b: unknown}>}};
	const changes = Object.fromEntries(diff.steps.map(step => [step.path, step.change]));
	// Build 2 s → 4 s is slower; Deploy went from success to failed.
	assert.deepEqual(changes, {Build: 'slower', 'choose-route': 'same', Deploy: 'status'});
	assert.deepEqual(diff.plan.args, [{key: 'replicas', a: 2, b: 3}]);
	assert.deepEqual(diff.plan.env, [{key: 'API_TOKEN', a: '<redacted>', b: '<redacted>'}]);
	const text = runCli(['runs', 'diff', 'run-good-1', 'run-bad-1'], {home});
	assert.match(text.stdout, /! +Deploy +success 6\.0s +failed 4\.0s/);
	assert.doesNotMatch(text.stdout, /12chars|14chars/);
});
