import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeRuns, describeDecisionRate, type AnalyticsInput} from '../../source/core/analytics.js';
import {percentile} from '../../source/core/percentile.js';

test('nearest-rank percentile: rank ceil(p/100 × n), always an observed value', () => {
	const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
	assert.equal(percentile(ten, 50), 50); // rank 5
	assert.equal(percentile(ten, 95), 100); // rank ceil(9.5) = 10
	assert.equal(percentile(ten, 90), 90); // rank 9
	assert.equal(percentile(ten, 0), 10);
	assert.equal(percentile(ten, 100), 100);
	assert.equal(percentile(ten, 150), 100);
	assert.equal(percentile([7], 95), 7);
	assert.equal(percentile([1, 2, 3, 4], 50), 2); // rank 2, not the 2.5 interpolation gives
	assert.equal(percentile([], 50), null);
});

test('the analyze document for ten runs', () => {
	// 10 runs, 4 failed: 3 at deploy/migrate, 1 at build; 2 compensated.
	// A cancelled run is not a failure; its failed_step is ignored.
	const input: AnalyticsInput = {
		runs: [
			{run_id: 'r1', status: 'failed', failed_step: 'deploy/migrate', compensated: true},
			{run_id: 'r2', status: 'failed', failed_step: 'deploy/migrate', compensated: true},
			{run_id: 'r3', status: 'failed', failed_step: 'build', compensated: false},
			{run_id: 'r4', status: 'failed', failed_step: 'deploy/migrate', compensated: false},
			{run_id: 'r5', status: 'success', failed_step: null, compensated: false},
			{run_id: 'r6', status: 'success', failed_step: null, compensated: false},
			{run_id: 'r7', status: 'success', failed_step: null, compensated: false},
			{run_id: 'r8', status: 'cancelled', failed_step: 'test', compensated: false},
			{run_id: 'r9', status: 'running', failed_step: null, compensated: false},
			{run_id: 'r10', status: 'success', failed_step: null, compensated: false},
		],
		stepDurations: [
			{path: 'build', durations_ms: [300, 100, 200, 400, 500, 600, 700, 800, 900, 1000]},
			{path: 'deploy', durations_ms: [5000]},
			{path: 'deploy/migrate', durations_ms: [50, 60]},
			{path: 'deploy/migrate', durations_ms: [5000, Number.NaN]},
			{path: 'never-finished', durations_ms: []},
		],
		decisions: [
			{path: 'plan/choose-route', decision: 'B', run_status: 'failed'},
			{path: 'plan/choose-route', decision: 'B', run_status: 'failed'},
			{path: 'plan/choose-route', decision: 'B', run_status: 'failed'},
			{path: 'plan/choose-route', decision: 'B', run_status: 'success'},
			{path: 'plan/choose-route', decision: 'A', run_status: 'success'},
		],
	};
	assert.deepEqual(analyzeRuns(input), {
		runs: 10,
		failed: 4,
		failure_rate: 0.4,
		failure_points: [
			{path: 'deploy/migrate', failures: 3},
			{path: 'build', failures: 1},
		],
		slowest_steps: [
			// deploy/migrate merged: [50, 60, 5000] → p50 rank 2 = 60, p95 rank 3 = 5000; ties deploy on p95, path order.
			{path: 'deploy', count: 1, p50_ms: 5000, p95_ms: 5000},
			{path: 'deploy/migrate', count: 3, p50_ms: 60, p95_ms: 5000},
			{path: 'build', count: 10, p50_ms: 500, p95_ms: 1000},
		],
		compensation_rate: 0.2,
		decisions: [
			{path: 'plan/choose-route', decision: 'A', runs: 1, failed: 0, failure_rate: 0},
			{path: 'plan/choose-route', decision: 'B', runs: 4, failed: 3, failure_rate: 0.75},
		],
	});
});

test('no runs: zero rates, empty lists', () => {
	assert.deepEqual(analyzeRuns({runs: [], stepDurations: [], decisions: []}), {
		runs: 0,
		failed: 0,
		failure_rate: 0,
		failure_points: [],
		slowest_steps: [],
		compensation_rate: 0,
		decisions: [],
	});
});

test('failure points tie on count by path; slowest steps are capped', () => {
	const input: AnalyticsInput = {
		runs: [
			{run_id: '1', status: 'failed', failed_step: 'zeta', compensated: false},
			{run_id: '2', status: 'failed', failed_step: 'alpha', compensated: false},
			{run_id: '3', status: 'failed', failed_step: null, compensated: false},
		],
		stepDurations: Array.from({length: 15}, (_, i) => ({path: `step-${String(i).padStart(2, '0')}`, durations_ms: [i * 10]})),
		decisions: [],
	};
	const analysis = analyzeRuns(input);
	assert.deepEqual(analysis.failure_points, [
		{path: 'alpha', failures: 1},
		{path: 'zeta', failures: 1},
	]);
	assert.equal(analysis.failed, 3);
	assert.equal(analysis.slowest_steps.length, 10);
	assert.equal(analysis.slowest_steps[0]!.path, 'step-14');
	assert.equal(analyzeRuns(input, {slowestSteps: 2}).slowest_steps.length, 2);
});

test('describeDecisionRate reads as a sentence', () => {
	assert.equal(describeDecisionRate({decision: 'B', runs: 4, failed: 3}), 'when the agent chose B, 3 of 4 runs failed');
	assert.equal(describeDecisionRate({decision: 'A', runs: 1, failed: 0}), 'when the agent chose A, 0 of 1 run failed');
});
