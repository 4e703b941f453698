import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Run} from '../../source/core/run.js';
import {finishedRunDurationMs, runDurationMs} from '../../source/core/run-duration.js';
import {RUN_COLUMNS, runCsvValues} from '../../source/interop/csv-export.js';

const START = '2026-03-02T10:00:00.000Z';

function run(ended_at: string | null): Run {
	return {run_id: 'r', trace_id: 't', status: ended_at === null ? 'running' : 'success', started_at: START, ended_at, progress: {completed: 0, total: null}} as unknown as Run;
}

test("a run's duration: to its end, or to now while it runs, never negative", () => {
	const now = Date.parse(START) + 90_000;
	assert.equal(runDurationMs(run('2026-03-02T10:00:05.000Z'), now), 5000);
	assert.equal(runDurationMs(run(null), now), 90_000);
	assert.equal(finishedRunDurationMs(run(null)), null);
	assert.equal(finishedRunDurationMs(run('2026-03-02T10:00:05.000Z')), 5000);
});

test('one answer for an end stamped before the start: 0 in the console, runs list and the CSV export alike (the CSV and runs list said -3000)', () => {
	const skewed = run('2026-03-02T09:59:57.000Z');
	assert.equal(runDurationMs(skewed, Date.now()), 0);
	assert.equal(runCsvValues(skewed)[RUN_COLUMNS.indexOf('duration_ms')], 0);
});
