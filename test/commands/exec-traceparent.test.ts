import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import {buildRunReport} from '../../source/core/run-report.js';
import {readEventsFile} from '../../source/interop/input-files.js';
import {RunIndex} from '../../source/store/run-index.js';
import {cliEnv} from '../helpers/cli-env.js';
import {ensureBuilt} from '../helpers/built-dist.js';
import {BIN} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {REPO} from '../helpers/repo-root.js';

const CHILD = path.join(REPO, 'test/commands/traceparent-child.mjs');
// The CI system's own trace context, as a CI runner with OpenTelemetry hands it to its steps.
const CI_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CI_SPAN = '00f067aa0ba902b7';

describe('exec hands its step span to the command as TRACEPARENT', () => {
	let home: string;
	before(() => {
		// The CLI runs from dist, built from the sources as they are now (npm test builds first).
		ensureBuilt();
		home = tempHome('tracedeck-traceparent-');
	});

	it("the OpenTelemetry SDK in the command puts its span under the step, in the run; the CI trace is the run's parent", () => {
		const spansFile = path.join(home, 'child-spans.json');
		const env = cliEnv({home, env: {TRACEPARENT: `00-${CI_TRACE}-${CI_SPAN}-01`, TRACESTATE: 'ci=7'}});

		const exec = spawnSync(process.execPath, [BIN, 'exec', '--run', 'run-tp-1', '--step', 'deploy/migrate', '--', process.execPath, CHILD, spansFile], {cwd: REPO, env, encoding: 'utf8', timeout: 60_000});
		assert.equal(exec.status, 0, exec.stderr);
		const seen = JSON.parse(exec.stdout) as {traceparent: string; tracestate: string};

		const index = RunIndex.open(home);
		try {
			index.appendEvents(readEventsFile(spansFile));
			const run = index.resolveRun('run-tp-1');
			const report = buildRunReport(run, index.spans(run.trace_id));
			const step = report.spans.find(span => span.path === 'deploy/migrate')!;
			assert.equal(seen.traceparent, `00-${run.trace_id}-${step.span_id}-01`, "W3C form: the run's trace, the step's span, sampled");
			assert.match(seen.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
			assert.equal(seen.tracestate, 'ci=7', 'TRACESTATE passes on as it was');

			const child = report.spans.find(span => span.name === 'apply migrations');
			assert.ok(child, "the child's span landed in the run's trace");
			assert.equal(child.parent_span_id, step.span_id);
			assert.equal(child.parent_known, true);
			assert.equal(child.path, 'deploy/migrate/apply migrations');
			assert.equal(child.service, 'migrator');
			assert.equal(child.span_kind, 'client');
			assert.equal(report.run.run_id, 'run-tp-1', "the child's spans do not make a run of their own");
			assert.equal(index.listRuns().length, 1);

			const link = {trace_id: CI_TRACE, span_id: CI_SPAN, attributes: {source: 'TRACEPARENT'}};
			const root = report.spans.find(span => span.parent_span_id === null)!;
			assert.deepEqual(root.links, [link], 'the run links to the CI span it began under');
			assert.deepEqual(step.links, [link], 'and each step to the CI span that ran it');
			const rootStart = index
				.events(run.trace_id)
				.map(stored => stored.event)
				.find(event => event.span_id === root.span_id)!;
			assert.equal(rootStart.parent_trace_id, CI_TRACE, "the CI trace is the run's parent trace");
		} finally {
			index.close();
		}
	});
});
