import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

function at(ms: number): string {
	return new Date(T0 + ms).toISOString();
}

/**
 * A deploy run that exercises every span feature export has to carry: run
 * fields on the root, retries, stderr, a failure with error, stack and input,
 * output, tags, a saga compensation (one failed, leaving an orphan), an AI
 * decision with alternatives, an unnamed span, a still-open span, and
 * attribute values that are null, nested, fractional or hostile to HTML.
 */
export function sampleRunEvents(options: {traceId?: string; runId?: string; planHash?: string; env?: string} = {}): TraceEvent[] {
	const traceId = options.traceId ?? 'trace-deploy-1';
	const runId = options.runId ?? 'run-20260302-100000-3f2a9c1';
	const e = (span: string, parent: string | undefined, type: string, ms: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({
		trace_id: traceId,
		span_id: span,
		...(parent ? {parent_span_id: parent} : {}),
		event_type: type,
		timestamp: at(ms),
		...extra,
	});
	return [
		e('root', undefined, 'workflow:started', 0, {
			data: {
				name: 'deploy api',
				run_id: runId,
				env: options.env ?? 'prod',
				target: 'api',
				plan_hash: options.planHash ?? 'a'.repeat(64),
				git: {sha: '3f2a9c1', branch: 'main'},
				user: 'alice',
				runner: 'ci-7',
				total_steps: 6,
				policy: {deny_network: true, readonly_fs: false},
			},
		}),
		e('build', 'root', 'stage:started', 10, {data: {name: 'build', input: {image: 'api:1.2'}}, tags: ['fast']}),
		e('build', 'root', 'stage:retrying', 200, {data: {retry: {n: 1, exit_code: 137}}}),
		e('build', 'root', 'log:stderr', 210, {data: {line: 'OOM killed, retrying'}}),
		e('build', 'root', 'stage:completed', 900, {data: {output: {digest: 'sha256:beef'}, ratio: 0.75, nothing: null, nested: {a: [1, 'two', {three: true}]}}}),
		e('choose', 'root', 'ai:started', 910, {data: {name: 'choose-route'}}),
		e('choose', 'root', 'ai:decision', 950, {
			data: {
				decision: 'B',
				alternatives: [
					{option: 'A', score: 0.4, reason: 'slower'},
					{option: 'B', score: 0.7},
				],
				reasoning: 'B is <faster> & "safer"',
				confidence: 0.7,
			},
		}),
		e('deploy', 'root', 'stage:started', 1000, {data: {name: 'deploy'}}),
		e('reserve', 'deploy', 'step:started', 1010, {data: {name: 'reserve-capacity'}}),
		e('reserve', 'deploy', 'step:completed', 1200),
		e('migrate', 'deploy', 'step:started', 1210, {data: {name: 'migrate <db>', input: {sql: 'ALTER TABLE users', password: 'hunter2'}}}),
		e('migrate', 'deploy', 'log:stderr', 1300, {data: {line: 'ERROR: lock timeout <script>alert(1)</script>'}}),
		e('migrate', 'deploy', 'log:stderr', 1301, {data: {line: 'rolling back'}}),
		e('migrate', 'deploy', 'step:failed', 1500, {data: {error: {message: 'lock timeout on users', stack: 'Error: lock timeout\n    at migrate (db.ts:1)'}, exit_code: 1}}),
		e('deploy', 'root', 'stage:failed', 1510, {data: {error: 'migrate failed'}}),
		e('undo-reserve', 'root', 'saga:compensating', 1520, {data: {name: 'release-capacity', original_span_id: 'reserve'}}),
		e('undo-reserve', 'root', 'saga:compensation_failed', 1700, {data: {error: {message: 'capacity API 503'}}}),
		e('anon', 'root', 'step:started', 1710),
		e('anon', 'root', 'step:completed', 1720),
		e('notify', 'root', 'step:started', 1750, {data: {name: 'notify', channel: '#deploys'}}),
		e('root', undefined, 'workflow:failed', 1800, {data: {error: {message: 'deploy failed'}}}),
	];
}

/** The same run, still going: its root and one step have not ended. */
export function runningRunEvents(traceId = 'trace-running-1'): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'canary', run_id: 'run-canary-1', env: 'staging', target: 'web'}},
		{trace_id: traceId, span_id: 's1', parent_span_id: 'r', event_type: 'step:started', timestamp: at(5), data: {name: 'warm up'}},
		{trace_id: traceId, span_id: 's1', parent_span_id: 'r', event_type: 'step:completed', timestamp: at(50)},
		{trace_id: traceId, span_id: 's2', parent_span_id: 'r', event_type: 'step:started', timestamp: at(60), data: {name: 'shift traffic', output: {percent: 10}}},
		{trace_id: traceId, span_id: 's2', parent_span_id: 'r', event_type: 'step:progress', timestamp: at(70), status: 'pending', data: {percent: 10}},
	];
}

/** A temp home holding the given events. */
export function homeWith(...batches: TraceEvent[][]): string {
	const home = tempHome();
	const index = RunIndex.open(home);
	try {
		for (const events of batches) {
			index.appendEvents(events);
		}
	} finally {
		index.close();
	}

	return home;
}
