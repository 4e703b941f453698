import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {Run} from '../../source/core/run.js';
import {diffPlans} from '../../source/core/plan-diff.js';
import {diffRuns, type StepChange, type StepDiff} from '../../source/core/run-diff.js';
import {isSecretKey} from '../../source/core/redact.js';
import type {Span, SpanStatus} from '../../source/core/span.js';
import {failed, span} from './span-builder.js';

function run(run_id: string): Run {
	return {
		run_id,
		trace_id: run_id,
		env: 'prod',
		target: 'api',
		plan_hash: null,
		status: 'success',
		started_at: '2025-01-01T00:00:00.000Z',
		ended_at: '2025-01-01T00:00:01.000Z',
		failed_step: null,
		retries: 0,
		runner: null,
		git: null,
		user: null,
		progress: {completed: 0, total: 0},
		policy: null,
		name: 'deploy api',
		last_event_ms: 0,
		parent_trace_id: null,
		correlation_id: null,
		current_step: null,
	};
}

const pick = (steps: StepDiff[]) => steps.map(s => [s.path, s.change]);

test('steps aligned by path, in B order with removed steps after their predecessor in A', () => {
	// A: build 0..300, test 300..600, lint 600..650, deploy 650..1000 {migrate 650..700, push 700..1000}
	// B: build 0..310, test 310..900, deploy ✗ 900..1000 {migrate ✗ 900..950, verify 950..1000}
	// build: Δ10 < 100 ms → same.  test: Δ290 ≥ max(100, 0.2×300) → slower.
	// deploy, migrate: status.  lint goes after test, push after migrate.
	const a = [
		span('ra', null, 0, 1000, {kind: 'workflow'}),
		span('a1', 'ra', 0, 300, {name: 'build'}),
		span('a2', 'ra', 300, 600, {name: 'test'}),
		span('a3', 'ra', 600, 650, {name: 'lint'}),
		span('a4', 'ra', 650, 1000, {name: 'deploy'}),
		span('a5', 'a4', 650, 700, {name: 'migrate'}),
		span('a6', 'a4', 700, 1000, {name: 'push'}),
	];
	const b = [failed('rb', null, 0, 1000, {kind: 'workflow'}), span('b1', 'rb', 0, 310, {name: 'build'}), span('b2', 'rb', 310, 900, {name: 'test'}), failed('b4', 'rb', 900, 1000, {name: 'deploy'}), failed('b5', 'b4', 900, 950, {name: 'migrate'}), span('b6', 'b4', 950, 1000, {name: 'verify'})];
	const diff = diffRuns({run: run('A'), spans: a}, {run: run('B'), spans: b});
	assert.equal(diff.a.run_id, 'A');
	assert.equal(diff.b.run_id, 'B');
	assert.deepEqual(pick(diff.steps), [
		['build', 'same'],
		['test', 'slower'],
		['lint', 'removed'],
		['deploy', 'status'],
		['deploy/migrate', 'status'],
		['deploy/push', 'removed'],
		['deploy/verify', 'added'],
	]);
	assert.deepEqual(diff.steps[1], {path: 'test', a: {span_id: 'a2', status: 'success', duration_ms: 300}, b: {span_id: 'b2', status: 'success', duration_ms: 590}, change: 'slower'});
	assert.deepEqual(diff.steps[2]!.b, null);
	assert.deepEqual(diff.steps[6]!.a, null);
	assert.deepEqual(diff.plan, {args: [], env: [], steps: [], resolved_values: [], recorded: {a: false, b: false}});
});

test('noise threshold: both the ms floor and the ratio of the faster side must be reached', () => {
	// small 50 → 140: Δ90 < 100 ms floor → same
	// big 1000 → 1150: Δ150 < 0.2 × 1000 → same
	// bigger 1000 → 1200: Δ200 = 0.2 × 1000 → slower
	// cache 1000 → 700: Δ-300, threshold max(100, 0.2 × 700 = 140) → faster
	const steps = (durations: number[]) => [span('r', null, 0, 10_000, {kind: 'workflow'}), ...['small', 'big', 'bigger', 'cache'].map((name, i) => span(name, 'r', i * 2000, i * 2000 + durations[i]!))];
	const diff = diffRuns({run: run('A'), spans: steps([50, 1000, 1000, 1000])}, {run: run('B'), spans: steps([140, 1150, 1200, 700])});
	assert.deepEqual(pick(diff.steps), [
		['small', 'same'],
		['big', 'same'],
		['bigger', 'slower'],
		['cache', 'faster'],
	]);
	const strict = diffRuns({run: run('A'), spans: steps([50, 1000, 1000, 1000])}, {run: run('B'), spans: steps([140, 1150, 1200, 700])}, {thresholdMs: 0, thresholdRatio: 0});
	assert.deepEqual(pick(strict.steps), [
		['small', 'slower'],
		['big', 'slower'],
		['bigger', 'slower'],
		['cache', 'faster'],
	]);
});

test('status wins over timing; open steps compare by status only', () => {
	const a = [span('r', null, 0, 5000), span('x', 'r', 0, 100), span('o', 'r', 0, null)];
	const b = [span('r', null, 0, 5000), failed('x', 'r', 0, 4000), span('o', 'r', 0, null)];
	assert.deepEqual(pick(diffRuns({run: run('A'), spans: a}, {run: run('B'), spans: b}).steps), [
		['o', 'same'],
		['x', 'status'],
	]);
});

test('repeated paths get #2, #3 in start order, and the suffix carries into children', () => {
	// A: flaky ×2, loop {iter {work}, iter {work}}
	// B: flaky ×3, loop {iter {work}}
	const a = [
		span('r', null, 0, 1000),
		span('f1', 'r', 0, 10, {name: 'flaky', status: 'failed'}),
		span('f2', 'r', 10, 20, {name: 'flaky'}),
		span('l', 'r', 30, 100, {name: 'loop'}),
		span('i2', 'l', 60, 90, {name: 'iter'}),
		span('i1', 'l', 30, 60, {name: 'iter'}),
		span('w1', 'i1', 30, 60, {name: 'work'}),
		span('w2', 'i2', 60, 90, {name: 'work'}),
	];
	const b = [
		span('r', null, 0, 1000),
		span('f1', 'r', 0, 10, {name: 'flaky', status: 'failed'}),
		span('f2', 'r', 10, 20, {name: 'flaky', status: 'failed'}),
		span('f3', 'r', 20, 30, {name: 'flaky'}),
		span('l', 'r', 30, 100, {name: 'loop'}),
		span('i1', 'l', 30, 60, {name: 'iter'}),
		span('w1', 'i1', 30, 60, {name: 'work'}),
	];
	assert.deepEqual(pick(diffRuns({run: run('A'), spans: a}, {run: run('B'), spans: b}).steps), [
		['flaky', 'same'],
		['flaky#2', 'status'],
		['flaky#3', 'added'],
		['loop', 'same'],
		['loop/iter', 'same'],
		['loop/iter/work', 'same'],
		['loop/iter#2', 'removed'],
		['loop/iter#2/work', 'removed'],
	]);
});

test('a span literally named like a suffixed path does not collide with one', () => {
	const spans = [span('r', null, 0, 100), span('x1', 'r', 0, 1, {name: 'x'}), span('x2', 'r', 2, 3, {name: 'x'}), span('x3', 'r', 4, 5, {name: 'x#2'})];
	const paths = diffRuns({run: run('A'), spans}, {run: run('B'), spans}).steps.map(s => s.path);
	assert.equal(new Set(paths).size, 3);
});

test('plan differences: args and env, secrets redacted, never raw', () => {
	const planA = {
		args: {replicas: 2, image: 'api:1', db: {host: 'x', password: 'p1-raw'}, token: 'tok-a-raw', unchanged: {k: [1, 2]}},
		env: {API_TOKEN: '<redacted:12chars>', REGION: 'eu'},
	};
	const planB = {
		args: {replicas: 3, image: 'api:1', db: {host: 'y', password: 'p2-raw'}, token: 'tok-b-raw', added: true, unchanged: {k: [1, 2]}},
		env: {API_TOKEN: '<redacted:14chars>', REGION: 'eu', DSN: 'postgres://u:<redacted:8chars>@h'},
	};
	const plan = diffPlans(planA, planB);
	assert.deepEqual(plan, {
		args: [
			{key: 'added', a: null, b: true},
			{key: 'db', a: {host: 'x', password: '<redacted>'}, b: {host: 'y', password: '<redacted>'}},
			{key: 'replicas', a: 2, b: 3},
			{key: 'token', a: '<redacted>', b: '<redacted>'},
		],
		env: [
			{key: 'API_TOKEN', a: '<redacted>', b: '<redacted>'},
			{key: 'DSN', a: null, b: '<redacted>'},
		],
		steps: [],
		resolved_values: [],
		recorded: {a: true, b: true},
	});
	const text = JSON.stringify(diffRuns({run: run('A'), spans: []}, {run: run('B'), spans: []}, {planA, planB}));
	for (const raw of ['p1-raw', 'p2-raw', 'tok-a-raw', 'tok-b-raw', 'chars>']) {
		assert.ok(!text.includes(raw), `${raw} must not leak`);
	}
});

test('plans: key order does not matter, missing or odd shapes are empty', () => {
	const empty = {args: [], env: [], steps: [], resolved_values: []};
	const both = {a: true, b: true};
	assert.deepEqual(diffPlans({args: {o: {a: 1, b: 2}}}, {args: {o: {b: 2, a: 1}}}), {...empty, recorded: both});
	// Undefined is "no plan recorded"; null is a (useless) recorded plan.
	assert.deepEqual(diffPlans(undefined, null), {...empty, recorded: {a: false, b: true}});
	assert.deepEqual(diffPlans('plan', [1, 2]), {...empty, recorded: both});
	assert.deepEqual(diffPlans({args: [1]}, {args: {x: 1}}), {...empty, args: [{key: 'x', a: null, b: 1}], recorded: both});
	const cyclic: Record<string, unknown> = {};
	cyclic['self'] = cyclic;
	assert.doesNotThrow(() => diffPlans({args: {c: cyclic}}, {args: {c: 1}}));
});

test('isSecretKey: case-insensitive fragments, separators ignored', () => {
	for (const key of ['password', 'DB_PASSWORD', 'clientSecret', 'GITHUB_TOKEN', 'ssn', 'creditCard', 'credit_card', 'Authorization', 'api_key', 'X-Api-Key', 'apiKey']) {
		assert.ok(isSecretKey(key), key);
	}

	for (const key of ['replicas', 'image', 'region', 'host', 'api_url']) {
		assert.ok(!isSecretKey(key), key);
	}
});

const MIRROR: Record<StepChange, StepChange> = {added: 'removed', removed: 'added', slower: 'faster', faster: 'slower', status: 'status', same: 'same'};

// Few names, so paths repeat and collide; parents are earlier spans; durations span the thresholds.
const randomRun = fc
	.array(
		fc.record({
			parent: fc.nat(),
			name: fc.constantFrom('build', 'test', 'deploy', 'x'),
			start: fc.integer({min: 0, max: 1000}),
			duration: fc.option(fc.integer({min: 0, max: 2000}), {nil: null, freq: 8}),
			status: fc.constantFrom<SpanStatus>('success', 'failed'),
		}),
		{maxLength: 25},
	)
	.map(rows => [
		span('root', null, 0, 5000, {kind: 'workflow'}),
		...rows.map(
			(row, i): Span =>
				span(`s${i}`, i === 0 ? 'root' : row.parent % (i + 1) === 0 ? 'root' : `s${(row.parent % (i + 1)) - 1}`, row.start, row.duration === null ? null : row.start + row.duration, {
					name: row.name,
					status: row.duration === null ? 'pending' : row.status,
				}),
		),
	]);

test('property: a run diffed with itself is all same', () => {
	fc.assert(
		fc.property(randomRun, spans => {
			const diff = diffRuns({run: run('A'), spans}, {run: run('A'), spans});
			assert.equal(diff.steps.length, spans.length - 1);
			for (const step of diff.steps) {
				assert.equal(step.change, 'same');
			}
		}),
		{numRuns: 300},
	);
});

test('property: diff(a, b) and diff(b, a) mirror each other', () => {
	fc.assert(
		fc.property(randomRun, randomRun, fc.double({min: 0, max: 1, noNaN: true}), fc.integer({min: 0, max: 500}), (a, b, thresholdRatio, thresholdMs) => {
			const options = {thresholdRatio, thresholdMs};
			const ab = diffRuns({run: run('A'), spans: a}, {run: run('B'), spans: b}, options);
			const ba = diffRuns({run: run('B'), spans: b}, {run: run('A'), spans: a}, options);
			const forward = new Map(ab.steps.map(s => [s.path, s]));
			assert.equal(forward.size, ab.steps.length, 'paths are unique');
			assert.equal(ba.steps.length, ab.steps.length);
			for (const back of ba.steps) {
				const there = forward.get(back.path);
				assert.ok(there, back.path);
				assert.equal(back.change, MIRROR[there.change]);
				assert.deepEqual(back.a, there.b);
				assert.deepEqual(back.b, there.a);
			}
		}),
		{numRuns: 300},
	);
});
