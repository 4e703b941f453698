import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import stringWidth from 'string-width';
import {fit, textWidth, truncate, truncateStart, wrap} from '../../source/tui/text.js';

// One home for text width: the console measures text as Ink lays it out.
test('one width: a row holding ✅ keeps its last column', () => {
	const row = fit('deploy ✅ done', 20);
	assert.equal(stringWidth(row), 20);
	assert.equal(textWidth('✅'), stringWidth('✅'));
});

test('one width: a family emoji is one cluster of two columns, cut whole', () => {
	const family = '👨‍👩‍👧‍👦';
	assert.equal(textWidth(family), stringWidth(family));
	assert.equal(truncate(`ab${family}cd`, 4), 'ab…');
	assert.equal(truncateStart(`ab${family}cd`, 4), '…cd');
	assert.equal(fit(`${family}x`, 3), `${family}x`);
});

test('one width: combining marks stay with their letter', () => {
	assert.equal(truncate('ae\u0301bc', 3), 'ae\u0301…');
	assert.equal(textWidth('e\u0301'), 1);
});

test('one width: a wide character never makes wrap loop', () => {
	// Narrower than one character: each goes on a line of its own rather than hang.
	assert.equal(wrap('日本', 1).join(''), '日本');
});

const unicodeText = fc.array(fc.oneof(fc.constantFrom('✅', '👨‍👩‍👧‍👦', '🇩🇪', 'e\u0301', '日', 'ｱ', '한', '⚠️', '\u200b', 'a', ' ', '-', '…', 'ß', '🔥'), fc.string({unit: 'grapheme', maxLength: 3})), {maxLength: 30}).map(parts => parts.join(''));

test('one width: fit gives exactly the columns asked for, as string-width counts them', () => {
	fc.assert(
		fc.property(unicodeText, fc.integer({min: 1, max: 40}), (text, width) => {
			const out = fit(text, width);
			// A cluster wider than the room is dropped, so the pad makes up the column.
			assert.equal(stringWidth(out), width);
			assert.equal(textWidth(out), stringWidth(out));
		}),
		{numRuns: 300},
	);
});

test('one width: wrapped lines fit their width', () => {
	fc.assert(
		fc.property(unicodeText, fc.integer({min: 2, max: 30}), (text, width) => {
			for (const line of wrap(text, width)) {
				// A single cluster wider than the line (string-width gives 𝅘𝅥𝅮 3 columns) stays whole on a line of its own, as above.
				const oneCluster = [...new Intl.Segmenter().segment(line)].length === 1;
				assert.ok(stringWidth(line) <= width || oneCluster, `${JSON.stringify(line)} is wider than ${width}`);
			}
		}),
		{numRuns: 200},
	);
});
