import type {TraceEvent} from '../../source/core/trace-event.js';

/**
 * Producers are untrusted: span names, ids, stderr and data may carry
 * terminal escape sequences (retitle the window, clear the screen, fake a
 * hyperlink, hide text), be huge, or nest absurdly deep. What tracedeck
 * prints must stay inert text, and nothing may overflow the stack.
 */
export const HOSTILE = ['\u001b[31mred\u001b[0m', '\u001b]0;pwned title\u0007', '\u001b]8;;https://evil.example\u001b\\click me\u001b]8;;\u001b\\', '\u001b[2J\u001b[Hcleared', '\u009b31mC1 CSI', '\u001bPdevice control\u001b\\', '\u001b[8mhidden\u001b[28m', 'over\rwrite\bback'];
export const hostile = (label: string): string => `${label} ${HOSTILE.join(' | ')}`;

const T0 = Date.parse('2026-02-01T09:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
export const HOSTILE_RUN = 'run-20260201-090000-e5c0de1';
export const HOSTILE_TRACE = 'trace-hostile';
/** The stderr line that is 10 MB long. */
export const HUGE_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Every field that reaches a screen carries escapes; one stderr line is 10 MB.
 * `edge`: the run as ingest would take it, since ingest refuses identifiers
 * (ids, run id, env, target, user) with control characters; its free text stays hostile.
 */
export function hostileRun(runId = HOSTILE_RUN, traceId = HOSTILE_TRACE, edge = false): TraceEvent[] {
	const id = (text: string): string => (edge ? text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '') : text);
	const huge = `${'A'.repeat(HUGE_LINE_BYTES / 2)}\u001b[2J${'B'.repeat(HUGE_LINE_BYTES / 2)}`;
	return [
		{
			trace_id: traceId,
			span_id: 'root',
			event_type: 'workflow:started',
			timestamp: at(0),
			tags: [hostile('tag')],
			data: {name: hostile('root'), run_id: id(`${runId}\u001b]0;id\u0007`), env: id(hostile('env')), target: id(hostile('target')), user: id(hostile('user')), runner: hostile('runner'), git: {sha: hostile('sha'), branch: hostile('branch')}, plan_hash: hostile('plan'), total_steps: 4},
		},
		{trace_id: traceId, span_id: 'build', parent_span_id: 'root', event_type: 'stage:started', timestamp: at(1), data: {name: hostile('build'), input: {cmd: hostile('input')}}},
		{trace_id: traceId, span_id: 'build', parent_span_id: 'root', event_type: 'stage:completed', timestamp: at(5), status: 'success', data: {output: hostile('output')}},
		{trace_id: traceId, span_id: id(`noname\u001b[2J`), parent_span_id: 'root', event_type: 'step:completed', timestamp: at(5), status: 'success'},
		{
			trace_id: traceId,
			span_id: 'decide',
			parent_span_id: 'root',
			event_type: 'ai:decision',
			timestamp: at(6),
			data: {
				name: hostile('decide'),
				decision: hostile('B'),
				alternatives: [
					{option: hostile('A'), score: 0.4, reason: hostile('reason')},
					{option: hostile('B'), score: 0.6},
				],
				reasoning: hostile('because'),
				confidence: 0.6,
			},
		},
		{trace_id: traceId, span_id: 'reserve', parent_span_id: 'root', event_type: 'saga:started', timestamp: at(6), data: {name: hostile('reserve')}},
		{trace_id: traceId, span_id: 'reserve', parent_span_id: 'root', event_type: 'saga:completed', timestamp: at(7), status: 'success'},
		{trace_id: traceId, span_id: 'deploy', parent_span_id: 'root', event_type: 'stage:started', timestamp: at(7), data: {name: hostile('deploy')}},
		{trace_id: traceId, span_id: 'deploy', event_type: 'log:stderr', timestamp: at(8), data: {line: hostile('stderr')}},
		{trace_id: traceId, span_id: 'deploy', event_type: 'log:stderr', timestamp: at(8), data: {line: huge}},
		{trace_id: traceId, span_id: 'deploy', event_type: 'log:stderr', timestamp: at(8), data: {line: hostile('last stderr')}},
		{trace_id: traceId, span_id: 'deploy', parent_span_id: 'root', event_type: 'stage:failed', timestamp: at(9), status: 'failed', data: {error: {message: hostile('error'), stack: hostile('stack')}}},
		{trace_id: traceId, span_id: 'undo', parent_span_id: 'root', event_type: 'saga:compensating', timestamp: at(9), data: {name: hostile('undo'), original_span_id: 'reserve'}},
		{trace_id: traceId, span_id: 'undo', parent_span_id: 'root', event_type: 'saga:compensation_failed', timestamp: at(10), status: 'failed', data: {error: hostile('undo error')}},
		{trace_id: traceId, span_id: 'root', event_type: 'workflow:failed', timestamp: at(11), status: 'failed', data: {error: {message: hostile('root error')}}},
	];
}
