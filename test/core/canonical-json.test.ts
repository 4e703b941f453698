import assert from 'node:assert/strict';
import {test} from 'node:test';
import {canonicalJson, sameJson} from '../../source/core/canonical-json.js';
import {diffPlans, planVerdict} from '../../source/core/plan-diff.js';
import {planHash as demoPlanHash} from '../../source/demo/generate.js';
import {planHash} from '../../source/interop/plan-signature.js';

function nested(depth: number, leaf: unknown): unknown {
	let value = leaf;
	for (let i = 0; i < depth; i++) {
		value = {v: value};
	}

	return value;
}

test('canonical JSON: keys sorted at every depth, undefined members left out, what JSON cannot hold refused', () => {
	assert.equal(canonicalJson({b: [true, null, 'x'], a: 1, c: undefined}), '{"a":1,"b":[true,null,"x"]}');
	assert.equal(canonicalJson([]), '[]');
	assert.equal(canonicalJson({}), '{}');
	assert.throws(() => canonicalJson(undefined), /JSON cannot hold undefined/);
	assert.throws(() => canonicalJson([1, undefined]), /JSON cannot hold undefined/);
	assert.throws(() => canonicalJson({n: 1n}), /JSON cannot hold bigint/);
	const cycle: Record<string, unknown> = {};
	cycle['self'] = cycle;
	assert.throws(() => canonicalJson(cycle), /contains itself/);
	// The same object twice is not a cycle.
	const shared = {x: 1};
	assert.equal(canonicalJson({a: shared, b: shared}), '{"a":{"x":1},"b":{"x":1}}');
	// Any depth: an explicit stack, not recursion.
	assert.equal(canonicalJson(nested(100_000, 1)).length, 100_000 * 6 + 1);
});

test('one answer for "same plan": the hash, the demo hash and the plan diff agree (they were three copies)', () => {
	// An undefined member: the hashes left it out, the diff counted it as a change.
	const a = {env: {DEPLOY: {region: 'eu', note: undefined}}};
	const b = {env: {DEPLOY: {region: 'eu'}}};
	assert.equal(planHash(a), planHash(b));
	assert.equal(demoPlanHash(a), planHash(a));
	assert.equal(planVerdict(diffPlans(a, b)), 'same');
	// A change below 64 levels: the diff cut values there and called them the same, the hashes differed.
	const deepA = {env: {CONFIG: nested(70, 'one')}};
	const deepB = {env: {CONFIG: nested(70, 'two')}};
	assert.notEqual(planHash(deepA), planHash(deepB));
	assert.equal(planVerdict(diffPlans(deepA, deepB)), 'changed');
	// Values JSON cannot hold are compared by identity, never thrown.
	assert.ok(sameJson(1n, 1n));
	assert.ok(!sameJson({n: 1n}, {n: 1n}));
});
