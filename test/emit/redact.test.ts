import assert from 'node:assert/strict';
import {test} from 'node:test';
import {CIRCULAR_MARKER, redactData, redactedMarker, secretKeyMatcher, toRedactedJson} from '../../source/core/redact.js';

test('secret keys are redacted at any depth, with the length of the original value', () => {
	const data = {
		user: 'ada',
		password: 'hunter2',
		nested: {apiKey: 'k-123456', list: [{token: 'abc'}, {ok: 1, Authorization: 'Bearer xyz'}]},
		creditCard: 4111111111111111,
		SSN: '123-45-6789',
		client_secret: '',
	};
	const out = redactData(data);
	assert.deepEqual(out, {
		user: 'ada',
		password: '<redacted:7chars>',
		nested: {apiKey: '<redacted:8chars>', list: [{token: '<redacted:3chars>'}, {ok: 1, Authorization: '<redacted:10chars>'}]},
		creditCard: '<redacted:16chars>',
		SSN: '<redacted:11chars>',
		client_secret: '<redacted:0chars>',
	});
	assert.equal(data.password, 'hunter2', 'the input is left alone');
});

test('a secret key hides its whole value, objects included; null stays null', () => {
	const out = redactData({credentials: {user: 'u', pass: 'p'}, password: null, token: undefined});
	assert.equal(out['credentials'], redactedMarker({user: 'u', pass: 'p'}));
	assert.equal(out['password'], null);
	assert.equal('token' in out, false, 'undefined is dropped, as JSON would');
});

test('extra keys are matched like the built-in ones (case and separators ignored)', () => {
	const isSecret = secretKeyMatcher(['session-id', 'PIN']);
	assert.equal(isSecret('X-Session-Id'), true);
	assert.equal(isSecret('sessionid'), true);
	assert.equal(isSecret('card_pin'), true);
	assert.equal(isSecret('password'), true);
	assert.equal(isSecret('name'), false);
	const out = redactData({sessionId: 'abcd', cardPin: 1234, name: 'x'}, {extraKeys: ['session_id', 'pin']});
	assert.deepEqual(out, {sessionId: '<redacted:4chars>', cardPin: '<redacted:4chars>', name: 'x'});
});

test('values JSON cannot hold are made plain: cycles, BigInt, Error, Map, Set, toJSON, non-finite numbers', () => {
	const cyclic: Record<string, unknown> = {a: 1};
	cyclic['self'] = cyclic;
	const shared = {x: 1};
	const error = new TypeError('boom');
	const out = redactData({
		cyclic,
		shared: [shared, shared],
		big: 10n ** 20n,
		error,
		map: new Map<unknown, unknown>([['k', 1], ['password', 'p4ss']]),
		set: new Set([1, 2]),
		date: new Date('2025-01-01T00:00:00.000Z'),
		nan: Number.NaN,
		fn: () => 1,
		arr: [undefined, () => 1, 3],
	});
	assert.deepEqual(out['cyclic'], {a: 1, self: CIRCULAR_MARKER});
	assert.deepEqual(out['shared'], [{x: 1}, {x: 1}], 'a shared (not cyclic) object is copied twice');
	assert.equal(out['big'], '100000000000000000000');
	const e = out['error'] as Record<string, unknown>;
	assert.equal(e['name'], 'TypeError');
	assert.equal(e['message'], 'boom');
	assert.match(String(e['stack']), /boom/);
	assert.deepEqual(out['map'], {k: 1, password: '<redacted:4chars>'});
	assert.deepEqual(out['set'], [1, 2]);
	assert.equal(out['date'], '2025-01-01T00:00:00.000Z');
	assert.equal(out['nan'], null);
	assert.equal('fn' in out, false);
	assert.deepEqual(out['arr'], [null, null, 3]);
	assert.doesNotThrow(() => JSON.stringify(out));
});

test('a "__proto__" key stays a plain member and does not change the prototype', () => {
	const input = JSON.parse('{"__proto__": {"polluted": true, "secret": "s"}}') as Record<string, unknown>;
	const out = redactData(input);
	assert.equal(Object.getPrototypeOf(out), Object.prototype);
	assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
	assert.deepEqual(JSON.parse(JSON.stringify(out)), JSON.parse('{"__proto__": {"polluted": true, "secret": "<redacted:1chars>"}}'));
});

test('a throwing getter or toJSON does not fail the copy', () => {
	const out = redactData({
		get bad(): string {
			throw new Error('nope');
		},
		odd: {toJSON() {
			throw new Error('no json');
		}},
	});
	assert.equal(out['bad'], '[unreadable: nope]');
	assert.equal(out['odd'], '[unserializable: no json]');
});

test('a 10,000-deep object is redacted without a stack overflow and cut to a depth JSON.stringify can take', () => {
	let deep: Record<string, unknown> = {password: 'bottom-secret-value'};
	for (let i = 0; i < 10_000; i++) {
		deep = i === 9_995 ? {token: 'near-top-secret', next: deep} : {next: deep};
	}

	const out = redactData({deep});
	const text = JSON.stringify(out);
	assert.doesNotMatch(text, /bottom-secret-value|near-top-secret/);
	assert.match(text, /<redacted:15chars>/);
	assert.match(text, /\[truncated: nested deeper than 100 levels\]/);

	// With a larger bound the whole depth is walked iteratively (JSON.stringify could not print it, so walk it).
	let node = toRedactedJson({deep}, {maxDepth: 20_000}) as Record<string, unknown>;
	let depth = 0;
	while (node['deep'] ?? node['next']) {
		node = (node['deep'] ?? node['next']) as Record<string, unknown>;
		depth++;
	}

	assert.equal(depth, 10_001);
	assert.equal(node['password'], '<redacted:19chars>');
});

test('a very wide array is copied without recursion trouble', () => {
	const wide = Array.from({length: 100_000}, (_, i) => ({i, secret: `s${i}`}));
	const out = redactData({wide});
	const list = out['wide'] as Array<Record<string, unknown>>;
	assert.equal(list.length, 100_000);
	assert.equal(list[99_999]!['secret'], '<redacted:6chars>');
});
