import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LineTail} from '../../source/emit/line-tail.js';

function texts(tail: LineTail): string[] {
	return tail.lines().map(line => line.text);
}

test('keeps the last lines, split across chunks, CRLF and a final line without newline', () => {
	const tail = new LineTail(3, 100);
	tail.push(Buffer.from('one\ntw'));
	tail.push(Buffer.from('o\r\nthree\nfour\nfi'));
	tail.push(Buffer.from('ve'));
	tail.end();
	assert.deepEqual(texts(tail), ['three', 'four', 'five']);
});

test('an empty line is a line; nothing written is no line', () => {
	const tail = new LineTail(5, 100);
	tail.end();
	assert.deepEqual(texts(tail), []);
	tail.push(Buffer.from('a\n\nb\n'));
	tail.end();
	assert.deepEqual(texts(tail), ['a', '', 'b']);
});

test('long lines are capped in bytes without splitting a UTF-8 character', () => {
	const tail = new LineTail(5, 10);
	tail.push(Buffer.from(`${'x'.repeat(9)}é and more\n`));
	tail.push(Buffer.from('short\n'));
	const [long, short] = tail.lines();
	assert.equal(long!.text, 'x'.repeat(9), 'the 2-byte é would straddle the cap: it goes whole');
	assert.equal(long!.truncated_bytes, Buffer.byteLength('é and more'));
	assert.equal(short!.text, 'short');
	assert.equal(short!.truncated_bytes, 0);
});

test('memory stays bounded on a huge stream', () => {
	const tail = new LineTail(50, 4096);
	const chunk = Buffer.from(`${'y'.repeat(100_000)}\n`.repeat(20));
	for (let i = 0; i < 50; i++) {
		tail.push(chunk);
	}

	const lines = tail.lines();
	assert.equal(lines.length, 50);
	assert.ok(lines.every(line => Buffer.byteLength(line.text) === 4096 && line.truncated_bytes === 100_000 - 4096));
});

test('raw text is kept: escape sequences are for readers to sanitize', () => {
	const tail = new LineTail(5, 100);
	tail.push(Buffer.from('\u001b[31mred\u001b[0m\n'));
	assert.deepEqual(texts(tail), ['\u001b[31mred\u001b[0m']);
});
