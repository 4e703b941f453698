import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {searchCount, searchPattern, stepMatch} from '../../source/tui/search.js';
import {osc52} from '../../source/tui/terminal/osc52.js';
import {pagerCommand, runPager} from '../../source/tui/terminal/pager.js';
import {highlight, lineWidth, textWidth, wrapLine} from '../../source/tui/text.js';

test('osc52: ESC ] 52 ; c ; base64 BEL of the text, escapes stripped, newlines kept; too big is refused', () => {
	const out = osc52('run-1\n\u001b[31mred\u001b[0m \u001b]0;title\u0007ok');
	assert.ok(out.ok);
	assert.equal(out.sequence, `\u001b]52;c;${Buffer.from('run-1\nred ok').toString('base64')}\u0007`);
	const big = osc52('x'.repeat(80_000));
	assert.equal(big.ok, false);
	assert.match(big.ok ? '' : big.reason, /too big for the clipboard \(105 KB encoded; terminals drop more than 97 KB\)/);
});

test('pager: $PAGER through the shell, less -R by default; the text on its stdin; failures said', () => {
	assert.equal(pagerCommand({}), 'less -R');
	assert.equal(pagerCommand({PAGER: '  '}), 'less -R');
	assert.equal(pagerCommand({PAGER: 'most -s'}), 'most -s');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-pager-'));
	const file = path.join(dir, 'paged.txt');
	// No terminal here: raw mode and the alternate screen are left alone.
	const streams = {stdin: process.stdin, stdout: {isTTY: false, write: () => true} as unknown as NodeJS.WriteStream};
	assert.deepEqual(runPager('line 1\n\u001b[2Jline 2', `cat > '${file}'`, streams), {ok: true});
	assert.equal(fs.readFileSync(file, 'utf8'), 'line 1\nline 2');
	assert.deepEqual(runPager('x', 'exit 3', streams), {ok: false, reason: 'pager exit 3 failed (exit 3)'});
	assert.deepEqual(runPager('x', 'no-such-pager-here', streams), {ok: false, reason: 'pager no-such-pager-here not found; set PAGER'});
	// A pager that quits before reading it all (q on page one) did not fail.
	assert.deepEqual(runPager('y\n'.repeat(500_000), 'head -c 1 >/dev/null', streams), {ok: true});
	fs.rmSync(dir, {recursive: true, force: true});
});

test('search: literal and smart-case; n/N wrap; the count', () => {
	assert.ok(searchPattern('a.b')!.test('xa.b'));
	assert.equal(searchPattern('a.b')!.flags.includes('i'), true);
	assert.equal(searchPattern('Api')!.flags.includes('i'), false, 'a capital makes it exact');
	assert.deepEqual(stepMatch([2, 5, 9], 5, 1), {position: 9, wrapped: false});
	assert.deepEqual(stepMatch([2, 5, 9], 9, 1), {position: 2, wrapped: true});
	assert.deepEqual(stepMatch([2, 5, 9], 2, -1), {position: 9, wrapped: true});
	assert.deepEqual(stepMatch([2, 5, 9], 5, 1, true), {position: 5, wrapped: false});
	assert.equal(stepMatch([], 0, 1), null);
	assert.equal(searchCount([2, 5, 9], 5), '2/3');
	assert.equal(searchCount([2, 5, 9], 4), '3 matches');
	assert.equal(searchCount([], 0), 'no match');
});

test('highlight marks each match and keeps the text and its width; wrapLine never splits a wide character', () => {
	const line = [{text: '漢字 spot ✅ Spot', bold: true}, {text: ' xspotx'}];
	const marked = highlight(line, searchPattern('spot'));
	assert.equal(marked.map(s => s.text).join(''), line.map(s => s.text).join(''));
	assert.equal(lineWidth(marked), lineWidth(line));
	assert.deepEqual(
		marked.filter(s => s.match).map(s => s.text),
		['spot', 'Spot', 'spot'],
	);
	assert.ok(marked.filter(s => s.match).every(s => s.bold === true || s.text === 'spot'));
	const rows = wrapLine([{text: '  key  '}, {text: '漢字漢字漢字漢字漢字 the end'}], 10, 4);
	assert.ok(rows.every(row => lineWidth(row) <= 10));
	assert.equal(rows.map(row => row.map(s => s.text).join('')).join('|'), '  key  漢|    字漢字|    漢字漢|    字漢字|    the en|    d');
	assert.equal(
		textWidth(
			rows
				.flat()
				.map(s => s.text)
				.join('')
				.replace(/ /g, ''),
		),
		textWidth('key漢字漢字漢字漢字漢字theend'),
	);
});
