import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {RunIndex} from '../../source/store/run-index.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {deployEvents} from '../ops/deploys.js';

const T0 = Date.parse('2026-03-01T10:15:00.000Z');

// At the top: tempHome's clean-up then runs when the file ends, not when a hook does.
const home = tempHome();

describe('run names people use, and --exit-status', () => {
	before(() => {
		const index = RunIndex.open(home);
		index.appendEvents(deployEvents({trace: 'trace-green', runId: 'run-20260301-101500-3f2a9c1', startMs: T0, duration: 60, stages: [{name: 'build', start: 0, end: 50}]}));
		index.appendEvents(deployEvents({trace: 'trace-red', runId: 'run-20260301-111500-77aa001', startMs: T0 + 3_600_000, duration: 60, status: 'failed', stages: [{name: 'migrate', start: 0, end: 50, status: 'failed', error: 'lock timeout'}]}));
		index.appendEvents(deployEvents({trace: 'trace-open', runId: 'run-20260301-121500-88bb001', startMs: T0 + 7_200_000, stages: [{name: 'deploy', start: 0, end: null}]}));
		index.close();
	});
	const show = async (...args: string[]) => runInProcess(['runs', 'show', ...args], {home});

	it('run names: the short sha at the end of a run id names that run', async () => {
		const shown = await show('3f2a9c1', '--json');
		assert.equal(shown.code, 0, shown.stderr + shown.stdout);
		assert.equal((JSON.parse(shown.stdout) as {run: {run_id: string}}).run.run_id, 'run-20260301-101500-3f2a9c1');
	});

	it('run names: an ambiguous trailing part lists the candidates; a prefix wins over a trailing part', async () => {
		const both = await show('001', '--json');
		assert.equal(both.code, 2);
		assert.match(both.stderr, /"001" matches several runs \(run-20260301-111500-77aa001, run-20260301-121500-88bb001|run-20260301-121500-88bb001, run-20260301-111500-77aa001/);
		// "trace-red" is a whole trace id; "run-20260301-11" a prefix of one run id only.
		assert.equal((JSON.parse((await show('run-20260301-11', '--json')).stdout) as {run: {trace_id: string}}).run.trace_id, 'trace-red');
		const none = await show('zzz9', '--json');
		assert.equal(none.code, 3);
	});

	it('--exit-status: 0 for a run that succeeded, 1 for one that failed, 2 while it runs', async () => {
		assert.equal((await show('3f2a9c1', '--json', '--exit-status')).code, 0);
		assert.equal((await show('77aa001', '--text', '--exit-status')).code, 1);
		assert.equal((await show('88bb001', '--json', '--exit-status')).code, 2);
		// Without the flag, showing a failed run is a success of the command.
		assert.equal((await show('77aa001', '--json')).code, 0);
	});

	it('--exit-status on runs tail: an ended run that failed exits 1, one that succeeded 0', async () => {
		assert.equal((await runInProcess(['runs', 'tail', '77aa001', '--exit-status'], {home})).code, 1);
		assert.equal((await runInProcess(['runs', 'tail', '3f2a9c1', '--exit-status'], {home})).code, 0);
		assert.equal((await runInProcess(['runs', 'tail', '77aa001'], {home})).code, 0);
	});
});
