import assert from 'node:assert/strict';
import {test} from 'node:test';
import {terminalSafeJson} from '../../source/core/terminal-json.js';
import {tailJson, type TailRecord} from '../../source/live/tail-events.js';

const HOSTILE = 'a\u001b[2J \u009b31m \u007f \u2028 \u2029 é ✅';

test('terminal-safe JSON: DEL, C1 and the line separators escaped; the same value when parsed', () => {
	const text = terminalSafeJson({message: HOSTILE}, 2);
	assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
	assert.match(text, /\\u009b31m \\u007f \\u2028 \\u2029 é ✅/);
	assert.deepEqual(JSON.parse(text), {message: HOSTILE});
});

test("one answer for runs tail --json and the read commands' --json (writeJson left U+2028/U+2029 raw)", () => {
	const record = {message: HOSTILE} as unknown as TailRecord;
	assert.equal(tailJson(record), terminalSafeJson(record));
	assert.match(terminalSafeJson(record, 2), /\\u2028/);
});
