import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {JsonSequence, writeJsonChunks, type JsonChunkOptions} from '../../source/core/json-chunks.js';
import {escapeTerminalUnsafe, terminalSafeJson} from '../../source/core/terminal-json.js';

/** The chunks joined, and how many there were. */
function streamed(value: unknown, options: Omit<JsonChunkOptions, 'write'> = {}): {text: string | undefined; chunks: number} {
	const chunks: string[] = [];
	const wrote = writeJsonChunks(value, {...options, write: chunk => chunks.push(chunk)});
	return {text: wrote ? chunks.join('') : undefined, chunks: chunks.length};
}

/** Arrays replaced by JsonSequences (some of them), so the lazy path sees every shape the plain one does. */
function lazily(value: unknown, pick: () => boolean): unknown {
	if (Array.isArray(value)) {
		const items = value.map(item => lazily(item, pick));
		return pick() ? new JsonSequence(items.length, i => items[i]) : items;
	}

	if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, lazily(item, pick)]));
	}

	return value;
}

/** Odd strings: lone surrogates, escapes, C0/C1 controls, DEL, the line separators, astral characters. */
const oddString = fc.oneof(fc.string({unit: 'binary'}), fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\u2028\u2029', '\u007f\u0080\u009b[31m', '"\\\n\t\b\f\r\u0000\u001f', '😀é✅', '__proto__'));
const oddNumber = fc.oneof(fc.double(), fc.constantFrom(-0, 0, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2, 1e21, 1e-7, -1e300, Number.NaN, Number.POSITIVE_INFINITY));
/** Values with a toJSON of their own: one that reads its key, one that says undefined, and dates. */
const withToJson = fc.oneof(fc.constant({toJSON: (key: string) => `key:${key}`}), fc.constant({toJSON: () => undefined}), fc.constant({toJSON: () => ({nested: [1, {toJSON: () => 'inner'}]})}), fc.date({noInvalidDate: true}));
const leaf = fc.oneof(
	oddString,
	oddNumber,
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.constant(() => 1),
	withToJson,
);
const documents = fc.oneof(
	fc.letrec(tie => ({
		value: fc.oneof({depthSize: 'small'}, leaf, tie('array'), tie('object')),
		array: fc.array(tie('value'), {maxLength: 300}),
		object: fc.dictionary(oddString, tie('value'), {maxKeys: 8}),
	})).value,
	fc.anything({withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withDate: true, withObjectString: true, stringUnit: 'binary'}),
);
const indents = fc.oneof(fc.constantFrom(undefined, 0, 2, 4, 10, 11, '\t', '--', '\n', 'abcdefghijklmn'), fc.integer({min: -2, max: 12}));

test('json chunks: the same text as JSON.stringify for any value and indent, compact and pretty, in chunks of any size', () => {
	fc.assert(
		fc.property(documents, indents, fc.integer({min: 1, max: 4096}), (value, indent, chunkSize) => {
			assert.equal(streamed(value, {indent, chunkSize}).text, JSON.stringify(value, null, indent));
		}),
		{numRuns: 800},
	);
});

test('json chunks: a JsonSequence is written as the array it stands for', () => {
	fc.assert(
		fc.property(documents, indents, fc.array(fc.boolean(), {minLength: 1, maxLength: 16}), (value, indent, picks) => {
			let n = 0;
			const lazy = lazily(value, () => picks[n++ % picks.length]!);
			assert.equal(streamed(lazy, {indent}).text, JSON.stringify(value, null, indent));
		}),
		{numRuns: 400},
	);
});

test('json chunks: terminal-safe as terminalSafeJson, chunk by chunk, and chunked for real', () => {
	fc.assert(
		fc.property(documents, value => {
			const safe = streamed(value, {indent: 2, map: escapeTerminalUnsafe, chunkSize: 7}).text ?? 'null';
			assert.equal(safe, terminalSafeJson(value, 2));
		}),
		{numRuns: 300},
	);
	const big = {spans: new JsonSequence(10_000, i => ({id: i, name: `span \u2028 ${i}`}))};
	const {text, chunks} = streamed(big, {indent: 2, map: escapeTerminalUnsafe});
	assert.ok(chunks > 1, 'a big document comes in several chunks');
	assert.equal(text, terminalSafeJson({spans: big.spans.toArray()}, 2));
});

test('json chunks: what JSON.stringify refuses it refuses (cycles, BigInt)', () => {
	const cycle: Record<string, unknown> = {a: 1};
	cycle['self'] = {back: cycle};
	assert.throws(() => streamed(cycle), TypeError);
	const top: unknown[] = [];
	top.push(top);
	assert.throws(() => streamed({top}), TypeError);
	assert.throws(() => streamed({n: 1n}), TypeError);
	assert.equal(streamed(undefined).text, undefined);
	assert.equal(streamed(() => 1).text, undefined);
});
