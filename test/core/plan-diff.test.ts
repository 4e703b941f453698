import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {differsOnlyInSecret, diffPlans, planSummary, planVerdict, type PlanStepChange} from '../../source/core/plan-diff.js';

/** devcmd's plan shape (seed "Plan JSON (Redacted)"): steps by id, resolved values by key. */
const planA = {
	version: '1.0',
	plan_hash: 'aaa',
	steps: [
		{id: 'main/build', command: 'npm run build', decorator: 'shell', estimated_duration: '30s'},
		{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api/', decorator: 'shell', estimated_duration: '15s'},
		{id: 'main/smoke', command: 'curl -f https://api/health', decorator: 'retry', estimated_duration: '5s'},
		{id: 'main/notify', command: 'slack-notify', decorator: 'shell'},
	],
	resolved_values: {
		1: '@env(API_TOKEN) → <redacted:32chars>',
		2: '@var(REPLICAS) → 3',
		3: '@var(REGION) → eu-west-1',
		// A producer that forgot to redact: the source names a secret, so the value stays hidden here.
		10: '@env(DB_PASSWORD) → hunter2',
	},
};
const planB = {
	version: '1.0',
	plan_hash: 'bbb',
	steps: [
		{id: 'main/build', command: 'npm run build', decorator: 'shell', estimated_duration: '30s'},
		{id: 'main/migrate', command: 'db-migrate up', decorator: 'shell', estimated_duration: '20s'},
		{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api-v2/', decorator: 'shell', estimated_duration: '15s'},
		{id: 'main/smoke', command: 'curl -f https://api/health', decorator: 'timeout', estimated_duration: '5s'},
	],
	resolved_values: {
		1: '@env(API_TOKEN) → <redacted:40chars>',
		2: '@var(REPLICAS) → 5',
		3: '@var(REGION) → eu-west-1',
		10: '@env(DB_PASSWORD) → hunter3',
	},
};

test('devcmd plans: steps by id (added, removed, changed fields), resolved values by key, secrets redacted', () => {
	const plan = diffPlans(planA, planB);
	// Ids in A: build, deploy/api, smoke, notify; in B: build, migrate, deploy/api, smoke.
	// Order is B's, with notify (only in A) after smoke, its predecessor in A. build is the same: left out.
	// deploy/api: only the command changed; smoke: only the decorator. An added or removed step lists all its fields.
	assert.deepEqual(plan.steps, [
		{
			id: 'main/migrate',
			change: 'added',
			fields: [
				{key: 'command', a: null, b: 'db-migrate up'},
				{key: 'decorator', a: null, b: 'shell'},
				{key: 'estimated_duration', a: null, b: '20s'},
			],
		},
		{id: 'main/deploy/api', change: 'changed', fields: [{key: 'command', a: 'kubectl apply -f k8s/api/', b: 'kubectl apply -f k8s/api-v2/'}]},
		{id: 'main/smoke', change: 'changed', fields: [{key: 'decorator', a: 'retry', b: 'timeout'}]},
		{
			id: 'main/notify',
			change: 'removed',
			fields: [
				{key: 'command', a: 'slack-notify', b: null},
				{key: 'decorator', a: 'shell', b: null},
			],
		},
	]);
	// Keys in numeric order (2 before 10). 1: the token rotated (32 → 40 chars): a change, shown redacted with its
	// source kept. 2: 3 → 5. 3: same, left out. 10: unredacted by the producer, hidden because DB_PASSWORD is a secret name.
	assert.deepEqual(plan.resolved_values, [
		{key: '1', a: '@env(API_TOKEN) → <redacted>', b: '@env(API_TOKEN) → <redacted>'},
		{key: '2', a: '@var(REPLICAS) → 3', b: '@var(REPLICAS) → 5'},
		{key: '10', a: '@env(DB_PASSWORD) → <redacted>', b: '@env(DB_PASSWORD) → <redacted>'},
	]);
	assert.deepEqual([plan.args, plan.env, plan.recorded], [[], [], {a: true, b: true}]);
	assert.deepEqual(
		plan.resolved_values.map(entry => differsOnlyInSecret(entry)),
		[true, false, true],
	);
	assert.equal(planVerdict(plan), 'changed');
	assert.equal(planSummary(plan), 'plan: 4 steps, 3 resolved values changed');
	const text = JSON.stringify(plan);
	for (const raw of ['hunter', '32chars', '40chars']) {
		assert.ok(!text.includes(raw), `${raw} must not leak`);
	}
});

test('devcmd plans: secret-named step fields and values carrying a marker stay redacted', () => {
	const a = {steps: [{id: 's', command: 'deploy --token=<redacted:8chars>', api_key: 'k-raw-1', decorator: 'shell'}]};
	const b = {steps: [{id: 's', command: 'deploy --token=<redacted:9chars> --fast', api_key: 'k-raw-2', decorator: 'shell'}]};
	const plan = diffPlans(a, b);
	// A value with a marker is hidden whole (as args/env are), so command shows <redacted> on both sides.
	assert.deepEqual(plan.steps, [
		{
			id: 's',
			change: 'changed',
			fields: [
				{key: 'command', a: '<redacted>', b: '<redacted>'},
				{key: 'api_key', a: '<redacted>', b: '<redacted>'},
			],
		},
	]);
	assert.ok(!JSON.stringify(plan).includes('raw'));
	// A resolved value whose key names a secret hides everything; a marker in the source part hides the whole value.
	const values = diffPlans({resolved_values: {token: 'x → 1', 4: '<redacted:3chars> → 1'}}, {resolved_values: {token: 'x → 2', 4: '<redacted:4chars> → 1'}});
	assert.deepEqual(values.resolved_values, [
		{key: '4', a: '<redacted>', b: '<redacted>'},
		{key: 'token', a: '<redacted>', b: '<redacted>'},
	]);
});

test('devcmd plans: repeated ids get #2, steps without one are named by place, ASCII arrows work', () => {
	const a = {steps: [{id: 'x', command: 'a'}, {id: 'x', command: 'b'}, {command: 'c'}], resolved_values: {1: '@var(N) -> 1'}};
	const b = {steps: [{id: 'x', command: 'a'}, {id: 'x', command: 'B'}, {command: 'c'}, 'echo'], resolved_values: {1: '@var(N) -> 2'}};
	const plan = diffPlans(a, b);
	// x and x#2 pair in order: only the second changed. "#3" (no id) is the same; "#4" (a bare string) is new.
	assert.deepEqual(plan.steps, [
		{id: 'x#2', change: 'changed', fields: [{key: 'command', a: 'b', b: 'B'}]},
		{id: '#4', change: 'added', fields: [{key: 'value', a: null, b: 'echo'}]},
	]);
	assert.deepEqual(plan.resolved_values, [{key: '1', a: '@var(N) -> 1', b: '@var(N) -> 2'}]);
});

test('plan verdicts: none recorded, one side only, both and the same', () => {
	const none = diffPlans(undefined, undefined);
	assert.equal(planVerdict(none), 'none');
	assert.equal(planSummary(none), 'no plan recorded for either run');
	const aOnly = diffPlans(planA, undefined);
	assert.deepEqual(aOnly.recorded, {a: true, b: false});
	assert.equal(planSummary(aOnly), 'plan recorded for A only (B has none): not compared');
	assert.equal(planSummary(diffPlans(undefined, planB)), 'plan recorded for B only (A has none): not compared');
	// Two plans that agree (key order aside) have no changes; so do two empty ones.
	const same = diffPlans(planA, JSON.parse(JSON.stringify({...planA, steps: planA.steps.map(step => ({...step}))})));
	assert.equal(planSummary(same), 'plan: no changes');
	assert.equal(planVerdict(diffPlans({}, {})), 'same');
	// An args change alone keeps the old wording.
	assert.equal(planSummary(diffPlans({args: {a: 1, b: 1}, env: {E: 1}}, {args: {a: 2, b: 2}, env: {E: 2}})), 'plan: 2 args, 1 env changed');
});

const MIRROR: Record<PlanStepChange, PlanStepChange> = {added: 'removed', removed: 'added', changed: 'changed'};
const planArb = fc.record({
	steps: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'c', 'd'), command: fc.constantFrom('x', 'y'), decorator: fc.constantFrom('shell', 'retry')}, {requiredKeys: ['command']}), {maxLength: 6}),
	resolved_values: fc.dictionary(fc.constantFrom('1', '2', '3', '10'), fc.constantFrom('@var(A) → 1', '@var(A) → 2', '@env(TOKEN) → <redacted:5chars>')),
});

test('property: a plan has no changes against itself; swapping the sides mirrors the step changes', () => {
	fc.assert(
		fc.property(planArb, planArb, (a, b) => {
			assert.equal(planVerdict(diffPlans(a, a)), 'same');
			const ab = diffPlans(a, b)
				.steps.map(step => [step.id, step.change])
				.sort();
			const ba = diffPlans(b, a)
				.steps.map(step => [step.id, MIRROR[step.change]])
				.sort();
			assert.deepEqual(ab, ba);
			assert.equal(diffPlans(a, b).resolved_values.length, diffPlans(b, a).resolved_values.length);
		}),
	);
});
