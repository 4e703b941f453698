import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compensationChains} from '../../source/core/compensations.js';
import {decisionOutcomes} from '../../source/core/decisions.js';
import {rootCauseFailure} from '../../source/core/failure.js';
import {StoreBusyError} from '../../source/core/errors.js';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {buildTree, stepPath} from '../../source/core/tree.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {rootSpanIdForRun, traceIdForRun} from '../../source/emit/ids.js';
import {activeSpan} from '../../source/emit/span-scope.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';

function byName(spans: readonly Span[], name: string): Span {
	const span = spans.find(s => s.name === name);
	assert.ok(span, `a span named ${name}`);
	return span;
}

function readBack(home: string, traceId: string): {spans: Span[]; events: TraceEvent[]} {
	const index = RunIndex.open(home, {readonly: true});
	try {
		return {spans: index.spans(traceId), events: index.events(traceId).map(e => e.event)};
	} finally {
		index.close();
	}
}

/** Collects what would be written, for tests that need no store. */
class MemorySink {
	readonly events: TraceEvent[] = [];
	async write(events: readonly TraceEvent[]): Promise<void> {
		this.events.push(...events);
	}
}

test('ids: random ones have the W3C shape, run-derived ones are stable', async () => {
	const {newSpanId, newTraceId} = await import('../../source/emit/ids.js');
	assert.match(newTraceId(), /^[0-9a-f]{32}$/);
	assert.match(newSpanId(), /^[0-9a-f]{16}$/);
	assert.notEqual(newTraceId(), newTraceId());
	assert.equal(traceIdForRun('run-1'), traceIdForRun('run-1'));
	assert.notEqual(traceIdForRun('run-1'), traceIdForRun('run-2'));
	assert.match(rootSpanIdForRun('run-1'), /^[0-9a-f]{16}$/);
});

test('nested trace() calls get their parent from the async context, also in parallel', async t => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home, redisUrl: ''});
	const run = await emitter.startRun({run_id: 'run-nest', name: 'deploy api', env: 'prod', target: 'api', git: {sha: 'abc1234', branch: 'main'}, total_steps: 4});
	assert.equal(run.trace_id, traceIdForRun('run-nest'));
	assert.equal(run.span_id, rootSpanIdForRun('run-nest'));
	const result = await run.trace(
		'stage',
		async deploy => {
			assert.equal(activeSpan()?.span_id, deploy.span_id);
			await run.trace('migrate', async () => ({rows: 3}));
			const both = await Promise.all(
				['a', 'b'].map(async name =>
					run.trace(
						'step',
						async step => {
							await new Promise(resolve => {
								setTimeout(resolve, 5);
							});
							// Each parallel branch keeps its own active span across the await.
							assert.equal(activeSpan()?.span_id, step.span_id);
							return run.trace('tool', async () => `${name}-done`, {name: `${name}-inner`});
						},
						{name},
					),
				),
			);
			return both.join(',');
		},
		{name: 'deploy', data: {region: 'eu'}, tags: ['ci']},
	);
	assert.equal(result, 'a-done,b-done');
	assert.equal(activeSpan(), undefined, 'nothing leaks out of trace()');
	await run.finish('success');
	await emitter.close();

	const {spans} = readBack(home, run.trace_id);
	const deploy = byName(spans, 'deploy');
	assert.equal(deploy.parent_span_id, run.span_id);
	assert.equal(deploy.kind, 'stage');
	assert.equal(deploy.attributes['region'], 'eu');
	assert.deepEqual(deploy.tags, ['ci']);
	assert.equal(deploy.output, 'a-done,b-done');
	const migrate = byName(spans, 'migrate');
	assert.equal(migrate.kind, 'step', 'a name that is no kind makes a step');
	assert.equal(migrate.parent_span_id, deploy.span_id);
	assert.deepEqual(migrate.output, {rows: 3});
	for (const name of ['a', 'b']) {
		const step = byName(spans, name);
		assert.equal(step.parent_span_id, deploy.span_id);
		const inner = byName(spans, `${name}-inner`);
		assert.equal(inner.parent_span_id, step.span_id, `${name}-inner sits under ${name}`);
		assert.equal(inner.kind, 'tool');
		assert.equal(inner.status, 'success');
	}

	const index = RunIndex.open(home, {readonly: true});
	t.after(() => index.close());
	const stored = index.resolveRun('run-nest');
	assert.equal(stored.status, 'success');
	assert.equal(stored.env, 'prod');
	assert.equal(stored.target, 'api');
	assert.deepEqual(stored.git, {sha: 'abc1234', branch: 'main'});
	assert.equal(stored.name, 'deploy api');
	assert.equal(stored.progress.total, 4);
});

test('a failing function: the span fails with message and stack, the error is rethrown as is', async t => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home});
	const run = await emitter.startRun({run_id: 'run-fail', name: 'deploy', env: 'dev', target: 'api'});
	const boom = new Error('migration 42 failed');
	await assert.rejects(
		run.trace(
			'stage',
			async () => {
				await run.trace(
					'step',
					async () => {
						throw boom;
					},
					{name: 'migrate'},
				);
			},
			{name: 'deploy'},
		),
		error => error === boom,
	);
	await run.finish('failed', {error: boom});
	await emitter.close();

	const {spans} = readBack(home, run.trace_id);
	const migrate = byName(spans, 'migrate');
	assert.equal(migrate.status, 'failed');
	assert.equal(migrate.error?.message, 'migration 42 failed');
	assert.match(migrate.error?.stack ?? '', /migration 42 failed\n\s+at /);
	assert.equal(byName(spans, 'deploy').status, 'failed');
	const tree = buildTree(spans);
	const failure = rootCauseFailure(tree);
	assert.equal(failure?.span.span_id, migrate.span_id);
	assert.equal(stepPath(tree, migrate.span_id), 'deploy/migrate');

	const index = RunIndex.open(home, {readonly: true});
	t.after(() => index.close());
	const stored = index.resolveRun('run-fail');
	assert.equal(stored.status, 'failed');
	assert.equal(stored.failed_step, 'deploy/migrate');
});

test('saga compensation: compensating then compensated or compensation_failed, linked to the forward step', async () => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home});
	const run = await emitter.startRun({run_id: 'run-saga', name: 'order', env: 'prod', target: 'checkout'});
	let charge = '';
	let reserve = '';
	await run.trace(
		'step',
		async span => {
			reserve = span.span_id;
		},
		{name: 'reserve stock'},
	);
	await run.trace(
		'step',
		async span => {
			charge = span.span_id;
		},
		{name: 'charge card'},
	);
	await assert.rejects(
		run.trace(
			'step',
			async () => {
				throw new Error('carrier down');
			},
			{name: 'ship'},
		),
	);
	const refunded = await run.traceSagaCompensation(run.trace_id, charge, async () => 'refund-7', {name: 'refund'});
	assert.equal(refunded, 'refund-7');
	await assert.rejects(
		run.traceSagaCompensation(
			run.trace_id,
			reserve,
			async () => {
				throw new Error('stock service down');
			},
			{name: 'release stock'},
		),
		/stock service down/,
	);
	await run.finish('failed');
	await emitter.close();

	const {spans, events} = readBack(home, run.trace_id);
	const refund = byName(spans, 'refund');
	assert.equal(refund.kind, 'saga');
	assert.equal(refund.status, 'success');
	assert.equal(refund.attributes['original_span_id'], charge);
	assert.equal(refund.parent_span_id, run.span_id);
	assert.deepEqual(
		events.filter(e => e.span_id === refund.span_id).map(e => e.event_type),
		['saga:compensating', 'saga:compensated'],
	);
	const release = byName(spans, 'release stock');
	assert.equal(release.status, 'failed');
	assert.equal(release.error?.message, 'stock service down');
	assert.deepEqual(
		events.filter(e => e.span_id === release.span_id).map(e => [e.event_type, e.data?.['original_span_id']]),
		[
			['saga:compensating', reserve],
			['saga:compensation_failed', reserve],
		],
	);
	const chains = compensationChains(buildTree(spans));
	// Both may start in the same millisecond: compare without their order.
	assert.deepEqual(chains.compensations.map(c => [c.original_name, c.status]).sort(), [
		['charge card', 'success'],
		['reserve stock', 'failed'],
	]);
	assert.deepEqual(chains.orphans, [reserve]);
});

test('a compensation inside a traced function hangs under it', async () => {
	const sink = new MemorySink();
	const emitter = new TraceEmitter(sink);
	const ctx = emitter.context('t'.repeat(32), 'r'.repeat(16));
	await ctx.trace(
		'stage',
		async stage => {
			await ctx.traceSagaCompensation(ctx.trace_id, 'x'.repeat(16), async () => undefined);
			assert.equal(sink.events.at(-1)!.parent_span_id, stage.span_id);
		},
		{name: 'rollback'},
	);
	assert.equal(sink.events.at(-1)!.data?.['output'], undefined, 'undefined output is left out');
});

test('recordDecision: one ai:decision event under the active span, with alternatives, reasoning and confidence', async () => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home});
	const run = await emitter.startRun({run_id: 'run-ai', name: 'agent', env: 'dev', target: 'planner'});
	let plan = '';
	let decision = '';
	await run.trace(
		'agent',
		async span => {
			plan = span.span_id;
			decision = await run.recordDecision({
				name: 'choose-route',
				decision: 'B',
				alternatives: [{option: 'A', score: 0.4, reason: 'slow'}, 'C'],
				reasoning: 'B is cheaper',
				confidence: 0.7,
			});
		},
		{name: 'plan'},
	);
	// "After the decision" is a later millisecond: make sure the next step starts in one.
	await new Promise(resolve => {
		setTimeout(resolve, 5);
	});
	await assert.rejects(
		run.trace(
			'step',
			async () => {
				throw new Error('route B closed');
			},
			{name: 'drive'},
		),
	);
	await run.finish('failed');
	await emitter.close();

	const {spans, events} = readBack(home, run.trace_id);
	const span = spans.find(s => s.span_id === decision)!;
	assert.equal(span.parent_span_id, plan);
	assert.equal(span.last_event_type, 'ai:decision');
	assert.equal(span.status, 'success');
	assert.equal(events.filter(e => e.span_id === decision).length, 1);
	const [outcome] = decisionOutcomes(buildTree(spans), 'failed');
	assert.equal(outcome?.decision, 'B');
	assert.deepEqual(outcome?.alternatives, [{option: 'A', score: 0.4, reason: 'slow'}, {option: 'C'}]);
	assert.equal(outcome?.reasoning, 'B is cheaper');
	assert.equal(outcome?.confidence, 0.7);
	assert.equal(outcome?.path, 'plan/choose-route');
	assert.equal(outcome?.outcome, 'failed');
});

test('busy database: the emitter retries a locked store with backoff, then throws StoreBusyError', async () => {
	let calls = 0;
	let failFirst = 2;
	const busy = Object.assign(new Error('database is locked'), {code: 'SQLITE_BUSY'});
	const index = {
		async appendEvents(events: readonly TraceEvent[]) {
			calls++;
			if (failFirst-- > 0) {
				throw busy;
			}

			return {inserted: events.map((event, i) => ({id: i + 1, event})), duplicates: 0, traces: [events[0]!.trace_id]};
		},
	};
	const emitter = new TraceEmitter(new EventWriter(index, undefined, {tries: 3, backoffMs: 5}));
	const started = Date.now();
	await emitter.emit({trace_id: 't', span_id: 's', event_type: 'step:started'});
	assert.equal(calls, 3, 'two busy tries, then stored');
	assert.ok(Date.now() - started >= 15, 'backs off 5 ms, then 10 ms');

	calls = 0;
	failFirst = 10;
	await assert.rejects(emitter.emit({trace_id: 't', span_id: 's', event_type: 'step:completed'}), (error: unknown) => error instanceof StoreBusyError && /locked after 3 tries/.test(error.message));
	assert.equal(calls, 3);
});

test("a store failure inside trace(): fn's error and the store's both surface", async () => {
	let failing = false;
	const emitter = new TraceEmitter({
		async write() {
			if (failing) {
				throw new Error('disk full');
			}
		},
	});
	const ctx = emitter.context('t'.repeat(32));
	const error = await ctx
		.trace('step', async () => {
			failing = true;
			throw new Error('step broke');
		})
		.catch((error_: unknown) => error_);
	assert.ok(error instanceof AggregateError);
	assert.deepEqual(
		error.errors.map((e: Error) => e.message),
		['step broke', 'disk full'],
	);
	await assert.rejects(
		ctx.trace('step', async () => 1),
		/disk full/,
		'a start that cannot be stored does not run fn silently',
	);
});

test('prepare: timestamps in ISO with milliseconds, data redacted and made JSON, bad events refused', () => {
	const emitter = new TraceEmitter(new MemorySink(), {now: () => new Date('2025-03-04T05:06:07.089Z'), redact: {extraKeys: ['pin']}});
	const event = emitter.prepare({trace_id: 't', span_id: 's', event_type: 'step:started', data: {pin: 1234, when: new Date(0), password: 'x'}});
	assert.equal(event.timestamp, '2025-03-04T05:06:07.089Z');
	assert.deepEqual(event.data, {pin: '<redacted:4chars>', when: '1970-01-01T00:00:00.000Z', password: '<redacted:1chars>'});
	assert.equal(emitter.prepare({trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2025-01-01T00:00:00Z'}).timestamp, '2025-01-01T00:00:00.000Z');
	assert.throws(() => emitter.prepare({trace_id: '', span_id: 's', event_type: 'x'}), /trace_id/);
	assert.throws(() => emitter.prepare({trace_id: 't', span_id: 's', event_type: 'x', timestamp: 'yesterday'}), /not a date/);
});

test('startRun without a run id: run-<time>-<sha> and a random trace', async () => {
	const sink = new MemorySink();
	const emitter = new TraceEmitter(sink, {now: () => new Date('2026-11-24T03:15:00.000Z')});
	const run = await emitter.startRun({name: 'deploy', env: 'prod', target: 'api', git: {sha: '3f2a9c1d2e'}});
	assert.equal(run.run_id, 'run-20261124-031500-3f2a9c1');
	assert.notEqual(run.trace_id, traceIdForRun(run.run_id));
	const [started] = sink.events;
	assert.equal(started?.event_type, 'workflow:started');
	assert.equal(started?.parent_span_id, undefined);
	assert.deepEqual(started?.data, {name: 'deploy', run_id: 'run-20261124-031500-3f2a9c1', env: 'prod', target: 'api', git: {sha: '3f2a9c1d2e'}});
	await run.finish('cancelled');
	assert.equal(sink.events.at(-1)?.event_type, 'workflow:cancelled');
	await emitter.close();
	await assert.rejects(emitter.emit({trace_id: 't', span_id: 's', event_type: 'x'}), /closed/);
});
