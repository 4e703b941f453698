import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {csvField, csvRecord} from '../../source/interop/csv-export.js';
import {parseCsv} from './csv-reader.js';

describe('CSV', () => {
	it('quotes fields with commas, quotes and line breaks, and ends records with CRLF', () => {
		assert.equal(csvField('plain'), 'plain');
		assert.equal(csvField('a,b'), '"a,b"');
		assert.equal(csvField('say "hi"'), '"say ""hi"""');
		assert.equal(csvField('two\nlines'), '"two\nlines"');
		assert.equal(csvField(null), '');
		assert.equal(csvField(undefined), '');
		assert.equal(csvField(-3), '-3');
		assert.equal(csvField(true), 'true');
		assert.equal(csvRecord(['a', 1, null]), 'a,1,\r\n');
		// A bare CR could overwrite a terminal line, so text loses it; LF stays.
		assert.deepEqual(parseCsv(csvRecord(['x,"y"', 'multi\r\nline', '']) + csvRecord(['z'])), [['x,"y"', 'multi\nline', ''], ['z']]);
	});

	it('defuses spreadsheet formulas and terminal escapes in text', () => {
		assert.equal(csvField('=HYPERLINK("http://evil")'), '"\'=HYPERLINK(""http://evil"")"');
		assert.equal(csvField('+1'), "'+1");
		assert.equal(csvField('@sum'), "'@sum");
		assert.equal(csvField('\u001b[31mred\u001b[0m'), 'red');
	});
});
