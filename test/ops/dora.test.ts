import assert from 'node:assert/strict';
import {test} from 'node:test';
import {doraFigures, type DoraRow} from '../../source/core/dora.js';
import {commitTimeMs, loadDoraRows} from '../../source/store/dora-rows.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {DAY, deployEvents, HOUR} from './deploys.js';

const MIN = 60_000;
const D0 = Date.parse('2026-11-01T00:00:00Z');

function row(run_id: string, env: string, target: string, status: DoraRow['status'], endMs: number | null, committedMs: number | null = null): DoraRow {
	return {run_id, env, target, status, started_ms: (endMs ?? D0) - 10 * MIN, ended_ms: endMs, git_sha: null, committed_ms: committedMs};
}

const ROWS: DoraRow[] = [
	// prod/api: A ok (lead 70 min), B and C fail (one outage), D restores it 2 h after B (lead 3 h),
	// E ok without git data, F fails and is never restored; G running and H cancelled count for nothing.
	row('A', 'prod', 'api', 'success', D0 + 10 * HOUR + 10 * MIN, D0 + 9 * HOUR),
	row('B', 'prod', 'api', 'failed', D0 + DAY + 12 * HOUR),
	row('C', 'prod', 'api', 'failed', D0 + DAY + 12 * HOUR + 30 * MIN),
	row('D', 'prod', 'api', 'success', D0 + DAY + 14 * HOUR, D0 + DAY + 11 * HOUR),
	row('E', 'prod', 'api', 'success', D0 + 2 * DAY),
	row('F', 'prod', 'api', 'failed', D0 + 3 * DAY + 10 * HOUR),
	row('G', 'prod', 'api', 'running', null),
	row('H', 'prod', 'api', 'cancelled', D0 + 4 * DAY),
	// prod/web: W1 fails, W2 restores it 30 min later (lead 30 min). Listed out of order on purpose.
	row('W2', 'prod', 'web', 'success', D0 + 8 * HOUR + 30 * MIN, D0 + 8 * HOUR),
	row('W1', 'prod', 'web', 'failed', D0 + 8 * HOUR),
	// staging/api: one success, lead 10 min.
	row('S1', 'staging', 'api', 'success', D0 + 5 * HOUR, D0 + 5 * HOUR - 10 * MIN),
];

test('doraFigures: the four keys per env/target, hand-computed', () => {
	const figures = doraFigures(ROWS, 7 * DAY);
	const [api, web, staging] = figures.by_target;
	assert.deepEqual(api, {
		env: 'prod',
		target: 'api',
		deployments: 6,
		successful: 3,
		failed: 3,
		deployment_frequency_per_day: 3 / 7,
		// Lead times 70 and 180 min: the nearest-rank median of two is the lower one.
		lead_time_ms: 70 * MIN,
		lead_time_samples: 2,
		change_failure_rate: 0.5,
		// B (12:00) → D (14:00); C belongs to the same outage; F is never restored.
		time_to_restore_ms: 2 * HOUR,
		restores: 1,
		unrestored: 1,
	});
	assert.deepEqual(web, {
		env: 'prod',
		target: 'web',
		deployments: 2,
		successful: 1,
		failed: 1,
		deployment_frequency_per_day: 1 / 7,
		lead_time_ms: 30 * MIN,
		lead_time_samples: 1,
		change_failure_rate: 0.5,
		time_to_restore_ms: 30 * MIN,
		restores: 1,
		unrestored: 0,
	});
	assert.equal(staging!.env, 'staging');
	assert.equal(staging!.change_failure_rate, 0);
	assert.equal(staging!.time_to_restore_ms, null);

	// Overall: 5 successes, 4 failures; leads 10, 30, 70, 180 min → median 30 min; restores 30 min, 2 h → 30 min.
	assert.equal(figures.window_ms, 7 * DAY);
	assert.equal(figures.deployments, 9);
	assert.equal(figures.successful, 5);
	assert.equal(figures.deployment_frequency_per_day, 5 / 7);
	assert.equal(figures.change_failure_rate, 4 / 9);
	assert.equal(figures.lead_time_ms, 30 * MIN);
	assert.equal(figures.lead_time_samples, 4);
	assert.equal(figures.time_to_restore_ms, 30 * MIN);
	assert.equal(figures.restores, 2);
	assert.equal(figures.unrestored, 1);
});

test('doraFigures: no deployments, no figures; a commit after its deploy is zero lead time', () => {
	const empty = doraFigures([], DAY);
	assert.equal(empty.deployments, 0);
	assert.equal(empty.deployment_frequency_per_day, 0);
	assert.equal(empty.change_failure_rate, null);
	assert.equal(empty.lead_time_ms, null);
	assert.equal(empty.time_to_restore_ms, null);
	assert.deepEqual(empty.by_target, []);
	assert.equal(doraFigures([], 0).deployment_frequency_per_day, null);
	const skewed = doraFigures([row('X', 'prod', 'api', 'success', D0, D0 + MIN)], DAY);
	assert.equal(skewed.lead_time_ms, 0);
});

test('commit times: ISO dates, epoch seconds and milliseconds', () => {
	assert.equal(commitTimeMs('2026-11-01T09:00:00Z'), Date.parse('2026-11-01T09:00:00Z'));
	assert.equal(commitTimeMs(1_793_000_000), 1_793_000_000_000);
	assert.equal(commitTimeMs(1_793_000_000_000), 1_793_000_000_000);
	assert.equal(commitTimeMs('1793000000'), 1_793_000_000_000);
	assert.equal(commitTimeMs('yesterday'), null);
	assert.equal(commitTimeMs(null), null);
});

test('loadDoraRows reads deployments of the window with their commit times', () => {
	const index = RunIndex.open(tempHome());
	const start = Date.parse('2026-11-20T10:00:00Z');
	index.appendEvents(deployEvents({trace: 'a', env: 'prod', startMs: start, duration: 60, git: {sha: 'abc1234', committed_at: '2026-11-20T09:00:00Z'}}));
	// OTLP spans carry the flat attribute; epoch seconds.
	index.appendEvents(deployEvents({trace: 'b', env: 'prod', startMs: start + HOUR, duration: 60, status: 'failed', extra: {'git.committed_at': Date.parse('2026-11-20T10:30:00Z') / 1000}}));
	index.appendEvents(deployEvents({trace: 'c', env: null, startMs: start, duration: 60}));
	index.appendEvents(deployEvents({trace: 'old', env: 'prod', startMs: start - 10 * DAY, duration: 60}));
	const rows = loadDoraRows(index.db, {sinceMs: start - DAY});
	index.close();
	assert.deepEqual(rows, [
		{run_id: 'run-a', env: 'prod', target: 'api', status: 'success', started_ms: start, ended_ms: start + 60_000, git_sha: 'abc1234', committed_ms: Date.parse('2026-11-20T09:00:00Z')},
		{run_id: 'run-b', env: 'prod', target: 'api', status: 'failed', started_ms: start + HOUR, ended_ms: start + HOUR + 60_000, git_sha: null, committed_ms: Date.parse('2026-11-20T10:30:00Z')},
	]);
	const figures = doraFigures(rows, DAY);
	assert.equal(figures.lead_time_ms, HOUR + 60_000);
});
