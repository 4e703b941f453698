import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {simulateLiveRun} from '../../source/live/simulate-run.js';
import {tempHome} from './live-helpers.js';

function recorder() {
	const events: TraceEvent[] = [];
	return {events, write: async (batch: readonly TraceEvent[]) => events.push(...batch)};
}

test('a simulated deploy: stages, a saga compensation, an AI decision, a retry, stderr; spread over the duration', async () => {
	const sink = recorder();
	const started = Date.now();
	const result = await simulateLiveRun(sink, {seed: 1, durationMs: 300, outcome: 'success'});
	assert.ok(Date.now() - started >= 250, 'takes about the duration');
	assert.equal(result.status, 'success');
	assert.equal(result.events, sink.events.length);
	const [root, ...rest] = sink.events;
	assert.equal(root!.event_type, 'workflow:started');
	assert.equal(root!.parent_span_id, undefined);
	assert.deepEqual(Object.keys(root!.data!).sort(), ['env', 'git', 'name', 'run_id', 'runner', 'target', 'total_steps', 'user']);
	assert.match(String(root!.data!['run_id']), /^run-\d{8}-\d{6}-[0-9a-f]{7}$/);
	assert.equal(result.run_id, root!.data!['run_id']);
	const stages = rest.filter(e => e.event_type === 'stage:started').map(e => e.data!['name']);
	assert.deepEqual(stages, ['Build', 'Deploy', 'Health Check', 'Migration', 'Smoke Tests']);
	const compensating = rest.find(e => e.event_type === 'saga:compensating')!;
	const original = rest.find(e => e.span_id === compensating.data!['original_span_id'])!;
	assert.equal(original.data!['name'], 'reserve spot capacity');
	assert.ok(rest.some(e => e.event_type === 'saga:compensated' && e.data!['original_span_id'] === original.span_id));
	const decision = rest.find(e => e.event_type === 'ai:decision')!;
	assert.equal(decision.data!['decision'], 'spot');
	assert.ok(Array.isArray(decision.data!['alternatives']) && typeof decision.data!['reasoning'] === 'string' && typeof decision.data!['confidence'] === 'number');
	assert.ok(rest.some(e => e.event_type === 'log:stderr' && typeof e.data!['line'] === 'string'));
	assert.ok(rest.some(e => (e.data?.['retry'] as {n?: number} | undefined)?.n === 1));
	assert.equal(sink.events.at(-1)!.event_type, 'workflow:completed');
	const times = sink.events.map(e => Date.parse(e.timestamp));
	assert.deepEqual(times, [...times].sort((a, b) => a - b), 'timestamps only move forward');
	assert.ok(sink.events.every(e => e.trace_id === result.trace_id));
});

test('same seed and clock, same run; a later start gives new ids', async () => {
	const at = Date.UTC(2025, 2, 14, 9, 0, 0);
	const a = recorder();
	const b = recorder();
	const c = recorder();
	await simulateLiveRun(a, {seed: 7, durationMs: 0, now: () => at});
	await simulateLiveRun(b, {seed: 7, durationMs: 0, now: () => at});
	await simulateLiveRun(c, {seed: 7, durationMs: 0, now: () => at + 60_000});
	assert.deepEqual(a.events, b.events);
	assert.notEqual(a.events[0]!.trace_id, c.events[0]!.trace_id);
});

test('a failed run folds into a failed run with its failed step; an aborted one into a cancelled run', async () => {
	const {index, cleanup} = tempHome();
	try {
		const writer = new EventWriter(index);
		const failed = await simulateLiveRun(writer, {seed: 2, durationMs: 0, outcome: 'failed'});
		const run = index.resolveRun(failed.run_id);
		assert.equal(run.status, 'failed');
		assert.equal(run.env, 'staging');
		assert.equal(run.target, 'api');
		assert.equal(run.retries, 1);
		assert.equal(run.progress.total, 13);
		assert.ok(run.failed_step !== null);

		const controller = new AbortController();
		const pending = simulateLiveRun(writer, {seed: 3, durationMs: 10_000, signal: controller.signal});
		await new Promise(resolve => setTimeout(resolve, 50));
		controller.abort();
		const cancelled = await pending;
		assert.equal(cancelled.status, 'cancelled');
		assert.equal(index.resolveRun(cancelled.run_id).status, 'cancelled');
		assert.deepEqual(index.spans(cancelled.trace_id).filter(span => span.end_ms === null).map(span => span.name), [], 'no step of a cancelled run stays open');
	} finally {
		cleanup();
	}
});
