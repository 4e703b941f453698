import assert from 'node:assert/strict';
import {afterEach, describe, it, test} from 'node:test';
import {agentDecision, failedSaga} from '../../fixtures/canonical.js';
import {MIN_SIZE} from '../../source/tui/min-size.js';
import {textWidth} from '../../source/tui/text.js';
import {ev, failedDeploy, KEYS, okDeploy, renderApp, runningDeploy, settle, T0, type Harness} from './helpers.js';

// Issue 18.4: the console's rough edges, one test each.

let harness: Harness | undefined;
afterEach(() => {
	harness?.cleanup();
	harness = undefined;
});

function open(...args: Parameters<typeof renderApp>): Harness {
	harness = renderApp(...args);
	return harness;
}

function lines(h: Harness): string[] {
	return h.frame().split('\n');
}

/** The line the cursor glyph is on (the selected row). */
function selectedLine(h: Harness): string {
	return lines(h).find(line => line.startsWith('›')) ?? '';
}

test('diff: enter on a step opens that step in the run it is in (only in A: A; in both: B)', async () => {
	const h = open([...failedDeploy(), ...okDeploy()]);
	await h.ready();
	// A = the successful run (build, migrate, smoke), B = the failed one (build, migrate).
	await h.press('j', 'm', 'k', 'd');
	await settle(h, f => f.includes('A run-'));
	assert.match(h.frame(), /- smoke +✓ 9.8s +-/);
	await h.press('j', 'j', KEYS.enter);
	assert.match(lines(h)[0]!, /› deploy api run-20260113-101500-fff0000 › trace$/);
	await settle(h, f => /^›.*smoke/m.test(f));
	assert.match(selectedLine(h), /smoke/);
	await h.press(KEYS.esc, 'g', 'j', KEYS.enter);
	assert.match(lines(h)[0]!, /› deploy api run-20260114-101500-abc1234 › trace$/);
	await settle(h, f => /^›.*migrate/m.test(f));
	assert.match(selectedLine(h), /migrate/);
});

test('esc then a key in one read (a laggy link, tmux) is both keys: esc goes back, j moves', async () => {
	const h = open([...failedDeploy(), ...okDeploy()]);
	await h.ready();
	await h.press(KEYS.enter);
	assert.match(lines(h)[0]!, /› deploy api run-20260114-101500-abc1234 › trace$/);
	// ink reads "\u001bj" as meta+j: before the fix neither the esc nor the j counted.
	await h.press(`${KEYS.esc}j`);
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
	assert.match(lines(h).at(-3)!, /run-20260113-101500-fff0000/);
	// Esc then ":" in one read (ink: a bare ":", the esc dropped): back from the run, then the command line.
	await h.press(KEYS.enter);
	assert.match(lines(h)[0]!, /› deploy api run-20260113-101500-fff0000 › trace$/);
	await h.press(`${KEYS.esc}:`);
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
	assert.match(lines(h).at(-1)!, /^:/);
	// Esc Esc in one read: the prompt cancelled, then esc on the runs list (nothing to clear).
	await h.press(`${KEYS.esc}${KEYS.esc}`);
	assert.doesNotMatch(lines(h).at(-1)!, /^:/);
	// Esc, a pause, then k: two reads, as ever.
	await h.press(KEYS.enter);
	await h.press(KEYS.esc, 'k');
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
	assert.match(lines(h).at(-3)!, /run-20260114-101500-abc1234/);
});

test('resize: after the window grows, the running runs at the head of the list come back into view, the cursor with them', async () => {
	const now = Date.now();
	const finished = Array.from({length: 60}, (_, i) => okDeploy(`trace-ok-${i}`, `run-ok-${String(i).padStart(2, '0')}`, T0 - i * 3_600_000)).flat();
	const h = open([...runningDeploy(now, 5000, 'trace-live-1', 'live one'), ...runningDeploy(now, 6000, 'trace-live-2', 'live two'), ...finished]);
	await h.ready();
	assert.match(h.frame(), /live one/);
	// 80x24: 17 rows on screen; the cursor on the 26th run scrolls the running ones away.
	await h.press(KEYS.pageDown, 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'j');
	assert.doesNotMatch(h.frame(), /live one|live two/);
	const cursor = selectedLine(h);
	h.rerender({rows: 40});
	await h.ready();
	assert.equal(lines(h).length, 39);
	assert.match(h.frame(), /live one/);
	assert.match(h.frame(), /live two/);
	assert.equal(selectedLine(h), cursor);
	// Smaller again: the cursor stays in view.
	h.rerender({rows: 14});
	await h.ready();
	assert.equal(selectedLine(h), cursor);
});

test('help: where it does not fit it scrolls (j/k, PgDn/PgUp, g/G) and says so ("more ↓ 1-9/38"), never cut silently', async () => {
	const h = open([...failedDeploy(), ...okDeploy()], {rows: 14});
	await h.ready();
	await h.press('?');
	const more = /more ↓ (\d+)-(\d+)\/(\d+) +j\/k scroll +esc close/;
	assert.match(lines(h)[1]!, /^KEYS: RUNS/);
	const [, from, to, total] = more.exec(h.frame())!;
	assert.deepEqual([from, to], ['1', '9']);
	await h.press('j', 'j');
	assert.match(h.frame(), /more ↓ 3-11\//);
	assert.match(lines(h)[1]!, /k ↑ +move up/);
	await h.press('k');
	assert.match(h.frame(), /more ↓ 2-10\//);
	await h.press(KEYS.pageDown);
	assert.match(h.frame(), /more ↓ 10-18\//);
	// The end says so, and shows the last line of the help.
	await h.press('G');
	assert.match(h.frame(), new RegExp(`end ↑ ${Number(total) - 8}-${total}/${total}`));
	assert.match(h.frame(), /words +match id, name, step/);
	await h.press(KEYS.pageUp, 'g');
	assert.match(lines(h)[1]!, /^KEYS: RUNS/);
	// Closed and opened again: from the top; where it fits (a taller terminal, two columns), no marker.
	await h.press('G', KEYS.esc, '?');
	assert.match(h.frame(), /more ↓ 1-9\//);
	await h.press(KEYS.esc);
	h.rerender({rows: 40});
	await h.ready();
	await h.press('?');
	assert.doesNotMatch(h.frame(), /more ↓|end ↑/);
	assert.match(h.frame(), /esc, \? or q closes this help/);
	assert.match(h.frame(), /words +match id, name, step/);
});

describe('the smallest terminal: every screen works at MIN_SIZE (40x10), and below it the note names that size', () => {
	const child = [{...ev('child', 'root', null, 'workflow:started', Date.parse('2026-01-14T10:16:00Z'), {name: 'child job', run_id: 'run-child'}), parent_trace_id: 'trace-deploy-failed'}, ev('child', 'root', null, 'workflow:completed', Date.parse('2026-01-14T10:17:00Z'), undefined, 'success')];
	const events = [...failedSaga(), ...agentDecision(), ...failedDeploy(), ...okDeploy(), ...child];
	const openRun = async (h: Harness, filter: string): Promise<void> => {
		await h.type(`/${filter}`);
		await h.press(KEYS.enter, KEYS.enter);
		await settle(h, f => /shown of/.test(f));
	};

	// Each screen, how to reach it, and what "works" means there: its selected row readable.
	const screens: Record<string, {reach: (h: Harness) => Promise<void>; works: RegExp}> = {
		runs: {reach: async () => {}, works: /^› \S+ \S+ +child job/m},
		trace: {reach: async h => openRun(h, 'loan'), works: /^›.*loan-app/m},
		compensations: {reach: async h => openRun(h, 'loan').then(async () => h.press('C')), works: /^› ✓ validate.*✓ undone/m},
		decisions: {reach: async h => openRun(h, 'agent').then(async () => h.press('a')), works: /^› ✗ failed after plan\/choose-route[\s\S]*enter: the decision/m},
		span: {reach: async h => openRun(h, 'loan').then(async () => h.press('f', KEYS.enter)), works: /disburse · ✗ failed[\s\S]*lines 1-\d+ of \d+/},
		diff: {reach: async h => h.type('/deploy api').then(async () => h.press(KEYS.enter, 'd')), works: /^A run-[\s\S]*^B run-[\s\S]*^› = build +✓ 19s +✓ 20s/m},
		linked: {reach: async h => openRun(h, 'child').then(async () => h.press('L')), works: /^› parent .*deploy api/m},
		help: {reach: async h => h.press('?'), works: /KEYS: RUNS[\s\S]*more ↓ 1-5\//},
	};
	for (const [name, screen] of Object.entries(screens)) {
		it(name, async () => {
			const h = open(events, {columns: 120, rows: 40});
			await h.ready();
			await screen.reach(h);
			await settle(h, f => !/loading…|… reading/.test(f));
			h.rerender({columns: MIN_SIZE.columns, rows: MIN_SIZE.rows});
			await h.ready();
			const frame = h.frame();
			const rows = frame.split('\n');
			assert.equal(rows.length, MIN_SIZE.rows - 1);
			assert.ok(
				rows.every(row => textWidth(row) <= MIN_SIZE.columns),
				frame,
			);
			assert.match(rows[0]!, /^(tracedeck|…)/);
			assert.match(rows.at(-1)!, /\? help/);
			assert.match(frame, screen.works);
			for (const smaller of [
				{columns: MIN_SIZE.columns - 1, rows: MIN_SIZE.rows},
				{columns: MIN_SIZE.columns, rows: MIN_SIZE.rows - 1},
			]) {
				h.rerender(smaller);
				// eslint-disable-next-line no-await-in-loop
				await h.ready();
				assert.match(h.frame().replace(/\s+/g, ' '), new RegExp(`needs at least 40x10 \\(this is ${smaller.columns}x${smaller.rows}\\)`));
			}
		});
	}
});
