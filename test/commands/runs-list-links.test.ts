import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import type {Run} from '../../source/core/run.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';

// At the top: tempHome's clean-up then runs when the file ends, not when a hook does.
const home = tempHome();

function run(traceId: string, runId: string, startS: number, extras: Partial<TraceEvent> = {}): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(startS), data: {name: traceId, run_id: runId}, ...extras},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(startS + 1)},
	];
}

describe('runs list --parent and --correlation', () => {
	before(() => {
		const index = RunIndex.open(home);
		index.appendEvents([
			...run('t-loan', 'run-20261124-030000-aaaa111', 0, {correlation_id: 'loan-482913'}),
			...run('t-check', 'run-20261124-030100-bbbb222', 60, {parent_trace_id: 't-loan', correlation_id: 'loan-482913'}),
			...run('t-score', 'run-20261124-030200-cccc333', 120, {parent_trace_id: 't-loan'}),
			...run('t-else', 'run-20261124-030300-dddd444', 180, {correlation_id: 'loan-1'}),
		]);
		index.close();
	});
	const list = async (...args: string[]) => runInProcess(['runs', 'list', ...args], {home});
	const ids = (stdout: string) => (JSON.parse(stdout) as Run[]).map(r => r.run_id);

	it('--parent names the parent run as any command does (here by its short sha) and lists the runs it started', async () => {
		const result = await list('--parent', 'aaaa111', '--json');
		assert.equal(result.code, 0, result.stderr);
		assert.deepEqual(ids(result.stdout), ['run-20261124-030200-cccc333', 'run-20261124-030100-bbbb222']);
		const text = await list('--parent', 'run-20261124-030000-aaaa111');
		assert.match(text.stdout, /cccc333[\s\S]*bbbb222/);
	});

	it('--correlation lists the runs with that correlation id; with --parent, both must hold', async () => {
		assert.deepEqual(ids((await list('--correlation', 'loan-482913', '--json')).stdout), ['run-20261124-030100-bbbb222', 'run-20261124-030000-aaaa111']);
		assert.deepEqual(ids((await list('--correlation', 'loan-482913', '--parent', 'aaaa111', '--json')).stdout), ['run-20261124-030100-bbbb222']);
		assert.equal((await list('--correlation', 'nope')).stdout, 'no runs match\n');
	});

	it('a --parent that names no run is an error naming it; runs show --json gives both fields', async () => {
		const missing = await list('--parent', 'zzzz999');
		assert.notEqual(missing.code, 0);
		assert.match(missing.stderr, /no run matches "zzzz999"/);
		const shown = await runInProcess(['runs', 'show', 'bbbb222', '--json'], {home});
		const {run: shownRun} = JSON.parse(shown.stdout) as {run: Run};
		assert.deepEqual([shownRun.parent_trace_id, shownRun.correlation_id], ['t-loan', 'loan-482913']);
	});

	it('an empty --parent, --correlation or --env is a usage error, not "no runs match"', async () => {
		for (const flag of ['--parent=', '--correlation=', '--env=']) {
			const empty = await list(flag);
			assert.equal(empty.code, 2, flag);
			assert.match(empty.stderr, new RegExp(`^tracedeck: ${flag.slice(0, -1)} needs a value\n$`));
		}
	});
});
