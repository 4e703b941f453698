import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import chalk from 'chalk';
import stringWidth from 'string-width';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {PagerOutcome} from '../../source/tui/terminal/pager.js';
import {ev, failedDeploy, KEYS, renderApp, settle, spanEvents, T0, type Harness} from './helpers.js';

/*
 * Issue 18, items 2 and 3: search like less/vim (/ opens empty, ↑ history,
 * n/N wrap, a count, "no match", matches highlighted) and reading and
 * copying long values (wrap, a line cursor, y over OSC 52, o in $PAGER).
 * Styles are on in this file (ink draws none to a pipe otherwise), so the
 * highlight can be seen in the frame; colour stays off, as under NO_COLOR.
 */
chalk.level = 1;

let harness: Harness | undefined;
afterEach(() => {
	harness?.cleanup();
	harness = undefined;
});

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (text: string): string => text.replace(ANSI, '');
const rows = (h: Harness): string[] => h.frame().split('\n');
const statusLine = (h: Harness): string => plain(rows(h).at(-2)!);
const promptLine = (h: Harness): string => plain(rows(h).at(-1)!);

/** A finished run named `name`, `minutes` after T0. */
function namedRun(trace: string, name: string, minutes: number): TraceEvent[] {
	const base = T0 + minutes * 60_000;
	return [ev(trace, 'root', null, 'workflow:started', base, {name, run_id: `run-${trace}`, env: 'prod', target: 'api'}), ...spanEvents(trace, 'step', 'root', 'step', 'work', base + 10, base + 1000), ev(trace, 'root', null, 'workflow:completed', base + 1100, undefined, 'success')];
}

// Newest first on the list: spot check, billing, spot deploy, audit.
const RUNS = [...namedRun('t-audit', 'nightly audit', 0), ...namedRun('t-spot2', 'spot deploy', 1), ...namedRun('t-bill', 'billing', 2), ...namedRun('t-spot1', 'spot check', 3)];

function open(events: readonly TraceEvent[], props: Parameters<typeof renderApp>[1] = {}): Harness {
	harness = renderApp(events, props);
	return harness;
}

/** The row of the frame the cursor is on (the gutter's ›). */
const selectedRow = (h: Harness): string => plain(rows(h).find(row => plain(row).startsWith('›')) ?? '');

test('runs: / opens empty each time (no more "spotzzzz"), says no match, ↑ recalls, n/N wrap with a count', async () => {
	const h = open(RUNS);
	await h.ready();
	await h.press('/');
	assert.match(promptLine(h), /^\/█ text to find/);
	await h.type('spot');
	await h.press(KEYS.enter);
	assert.match(statusLine(h), /\/spot 1\/2/);
	assert.match(selectedRow(h), /spot check/);

	await h.press('/');
	assert.match(promptLine(h), /^\/█/, 'opens empty, not "/spot"');
	await h.type('zzzz');
	assert.match(statusLine(h), /\/zzzz no match/, 'said as it is typed');
	await h.press(KEYS.enter);
	assert.match(statusLine(h), /✗ no match for "zzzz"/);
	assert.match(selectedRow(h), /spot check/, 'the selection did not move to some other run');

	await h.press('/', KEYS.up);
	assert.match(promptLine(h), /^\/zzzz█/);
	await h.press(KEYS.up);
	assert.match(promptLine(h), /^\/spot█/);
	await h.press(KEYS.enter);
	assert.match(statusLine(h), /\/spot 1\/2/);

	await h.press('n');
	assert.match(selectedRow(h), /spot deploy/);
	assert.match(statusLine(h), /\/spot 2\/2/);
	await h.press('n');
	assert.match(selectedRow(h), /spot check/);
	assert.match(statusLine(h), /search hit the bottom, continued at the top .*\/spot 1\/2/);
	await h.press('N');
	assert.match(selectedRow(h), /spot deploy/);
	assert.match(statusLine(h), /search hit the top, continued at the bottom/);
	await h.press('N');
	assert.match(statusLine(h), /\/spot 1\/2/);

	// Enter opens the run the search went to: the one the count names.
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('spans'));
	assert.match(plain(rows(h)[0]!), /spot check run-t-spot1/);
});

test('runs: matches are highlighted in the rows in view (reversed; underlined on the reversed row), widths intact; esc clears the search', async () => {
	const h = open(RUNS, {color: false});
	await h.ready();
	const before = plain(rows(h).find(row => plain(row).includes('spot deploy'))!);
	await h.press('/');
	await h.type('spot');
	await h.press(KEYS.enter);
	const frame = rows(h);
	const other = frame.find(row => plain(row).includes('spot deploy'))!;
	const selected = frame.find(row => plain(row).includes('spot check'))!;
	assert.match(other, /\u001b\[7m(\u001b\[[0-9;]*m)*spot(\u001b\[[0-9;]*m)+ deploy/, 'reversed');
	assert.match(selected, /\u001b\[4m(\u001b\[[0-9;]*m)*spot/, 'underlined on the selected row, which is reversed already');
	assert.doesNotMatch(frame.find(row => plain(row).includes('billing'))!, /\u001b\[4m/);
	assert.ok(
		frame.every(row => stringWidth(plain(row)) <= 80),
		'every row fits 80 columns',
	);
	assert.equal(plain(other).slice(2), before.slice(2), 'a highlighted row reads as before, column for column');
	// Where no style is drawn at all (NO_COLOR: the CLI turns chalk off), the gutter says which rows match, as less -J does.
	assert.match(plain(other), /^ \*✓ ok/);
	assert.match(plain(selected), /^›\*✓ ok/);
	assert.match(plain(frame.find(row => plain(row).includes('billing'))!), /^ {2}✓ ok/);

	await h.press(KEYS.esc);
	assert.doesNotMatch(statusLine(h), /\/spot/);
	assert.doesNotMatch(h.frame(), /\u001b\[4m/);
});

test('runs: f is the filter now (the whole index), and opens empty with the filter in force on ↑', async () => {
	const h = open(RUNS);
	await h.ready();
	await h.press('f');
	await h.type('spot');
	await h.press(KEYS.enter);
	// The rows come from the store after the prompt closes: wait for them (a loaded machine answers late).
	await settle(h, frame => frame.includes('filter: spot ('));
	assert.match(h.frame(), /filter: spot \(2 of 4\)/);
	await h.press('f');
	assert.match(promptLine(h), /^filter █/);
	await h.press(KEYS.up);
	assert.match(promptLine(h), /^filter spot█/);
	await h.press(KEYS.esc);
	assert.match(h.frame(), /filter: spot \(2 of 4\)/, 'esc on the prompt keeps the filter as it was');
});

test('trace: / searches span names from the selection, n/N step and wrap, the count follows', async () => {
	const h = open(failedDeploy());
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('migrate'));
	await h.press('/');
	await h.type('i');
	await h.press(KEYS.enter);
	// deploy api, build, migrate: the root is selected and matches.
	assert.match(statusLine(h), /\/i 1\/3/);
	await h.press('n', 'n');
	assert.match(statusLine(h), /\/i 3\/3/);
	assert.match(selectedRow(h), /migrate/);
	await h.press('n');
	assert.match(statusLine(h), /search hit the bottom, continued at the top .*\/i 1\/3/);
	await h.press('N');
	assert.match(statusLine(h), /search hit the top, continued at the bottom .*\/i 3\/3/);
	const migrate = rows(h).find(row => plain(row).startsWith('›'))!;
	assert.match(plain(migrate), /migrate/);
	assert.match(migrate, /m(\u001b\[[0-9;]*m)*\u001b\[4m(\u001b\[[0-9;]*m)*i/, 'the i of migrate is marked (underlined: its row is the reversed one)');
	await h.press('/');
	await h.type('nothing here');
	await h.press(KEYS.enter);
	assert.match(statusLine(h), /✗ no match for "nothing here"/);
});

const COMMAND = `npm run deploy -- --env prod --target api --plan ${'p'.repeat(90)} --final-flag-at-the-end`;

/** A run whose step has a long command, a long stderr line with an escape in it, and a huge attribute. */
function longValues(huge = 0): TraceEvent[] {
	const trace = 't-long';
	return [
		ev(trace, 'root', null, 'workflow:started', T0, {name: 'deploy api', run_id: 'run-20260114-101500-long000', env: 'prod', target: 'api'}),
		// Enough attributes for the page to scroll at 24 rows.
		ev(trace, 'exec', 'root', 'step:started', T0 + 10, {name: 'exec', command: COMMAND, ...Object.fromEntries(Array.from({length: 16}, (_, i) => [`attr${i}`, `value ${i}`])), ...(huge > 0 ? {blob: 'b'.repeat(huge)} : {})}),
		ev(trace, 'exec', 'root', 'log:stderr', T0 + 20, {line: `error: \u001b[31mcould not reach the registry\u001b[0m at https://registry.example.com/${'x'.repeat(80)}/end-of-url`}),
		ev(trace, 'exec', 'root', 'step:failed', T0 + 30, {error: {message: 'exit 1'}}, 'failed'),
		ev(trace, 'root', null, 'workflow:failed', T0 + 40, undefined, 'failed'),
	];
}

/** Open the exec span's detail. */
async function openExec(h: Harness): Promise<void> {
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('exec'));
	await h.press('j', KEYS.enter);
	await settle(h, frame => frame.includes('ATTRIBUTES'));
}

/** j until the detail's hint names `what` as the selected value. */
async function cursorTo(h: Harness, what: RegExp): Promise<void> {
	for (let i = 0; i < 80 && !what.test(plain(rows(h).at(-3)!)); i++) {
		// eslint-disable-next-line no-await-in-loop
		await h.press('j');
	}

	assert.match(plain(rows(h).at(-3)!), what);
}

test('span detail: long values wrap (no "…"), the line cursor moves and the page scrolls with it', async () => {
	const h = open(longValues());
	await openExec(h);
	const text = plain(h.frame());
	assert.match(text, /--final-flag-at-the-end/, 'the end of the command is on screen, wrapped');
	assert.ok(
		rows(h).every(row => stringWidth(plain(row)) <= 80),
		'fits 80 columns',
	);
	assert.match(plain(rows(h).find(row => plain(row).includes('command'))!), /command +npm run deploy/);
	await h.press('G');
	assert.match(plain(rows(h).at(-3)!), /lines \d+-(\d+) of \1/, 'the last line in view');
	assert.match(text, /^› /m, 'a cursor on the first line');
	await h.press('g');
	assert.match(plain(rows(h).at(-3)!), /lines 1-/);
});

test('y copies over OSC 52: a run id on the runs list, the exact sequence, and the status line says so', async () => {
	const written: string[] = [];
	const h = open(RUNS, {writeTerminal: data => written.push(data)});
	await h.ready();
	await h.press('y');
	assert.deepEqual(written, [`\u001b]52;c;${Buffer.from('run-t-spot1').toString('base64')}\u0007`]);
	assert.match(statusLine(h), /copied run id run-t-spot1 \(OSC 52\)/);
});

test('y in span detail copies the value under the cursor, escapes stripped; o pages it, O the span; a big value is refused, said', async () => {
	const written: string[] = [];
	const paged: string[] = [];
	let answer: PagerOutcome = {ok: true};
	const h = open(longValues(), {
		writeTerminal: data => written.push(data),
		pager: text => {
			paged.push(text);
			return answer;
		},
	});
	await openExec(h);
	await h.press('y');
	assert.match(statusLine(h), /copied span name exec \(OSC 52\)/);
	await cursorTo(h, /y\/o: command/);
	await h.press('y');
	assert.equal(Buffer.from(written.at(-1)!.slice('\u001b]52;c;'.length, -1), 'base64').toString(), COMMAND);
	assert.match(statusLine(h), /copied command \(\d+ characters\) \(OSC 52\)/);
	await h.press('o');
	assert.deepEqual(paged, [COMMAND]);
	await cursorTo(h, /y\/o: stderr line/);
	await h.press('y');
	const stderr = Buffer.from(written.at(-1)!.slice('\u001b]52;c;'.length, -1), 'base64').toString();
	assert.match(stderr, /^error: could not reach the registry at https:\/\/registry\.example\.com\/x+\/end-of-url$/, 'raw value, escapes gone');
	await h.press('O');
	assert.equal((JSON.parse(paged.at(-1)!) as {span_id: string}).span_id, 'exec');
	answer = {ok: false, reason: 'pager nope not found; set PAGER'};
	await h.press('o');
	assert.match(statusLine(h), /✗ could not show the stderr line: pager nope not found; set PAGER/);

	harness?.cleanup();
	written.length = 0;
	const big = open(longValues(150_000), {writeTerminal: data => written.push(data)});
	await openExec(big);
	await cursorTo(big, /y\/o: attribute blob/);
	await big.press('y');
	assert.deepEqual(written, [], 'nothing sent');
	assert.match(statusLine(big), /✗ not copied: the attribute blob is too big for the clipboard/);
});
