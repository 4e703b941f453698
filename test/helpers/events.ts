import type {TraceEvent} from '../../source/core/trace-event.js';

const T0 = Date.parse('2026-11-24T03:00:00.000Z');

/** An ISO timestamp `s` seconds after the fixed test epoch. */
export function at(s: number): string {
	return new Date(T0 + s * 1000).toISOString();
}

/** A small failed deploy: Build ok, Deploy fails with a stderr line; root fails at 10 s. */
export function failedDeploy(traceId = 't1', runId = 'run-20261124-030000-abc1234'): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy api', run_id: runId, env: 'prod', target: 'api', total_steps: 3}},
		{trace_id: traceId, span_id: 'b', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(1), data: {name: 'Build'}},
		{trace_id: traceId, span_id: 'b', parent_span_id: 'r', event_type: 'stage:completed', status: 'success', timestamp: at(5)},
		{trace_id: traceId, span_id: 'd', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(5), data: {name: 'Deploy', input: {image: 'api:1'}}},
		{trace_id: traceId, span_id: 'd', event_type: 'log:stderr', timestamp: at(7), data: {line: 'health check timeout'}},
		{trace_id: traceId, span_id: 'd', parent_span_id: 'r', event_type: 'stage:failed', status: 'failed', timestamp: at(9), data: {error: {message: 'health check timeout after 30s'}}},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:failed', status: 'failed', timestamp: at(10)},
	];
}

export function toJsonl(events: readonly TraceEvent[]): string {
	return `${events.map(e => JSON.stringify(e)).join('\n')}\n`;
}
