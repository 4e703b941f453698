import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import type React from 'react';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {useRuns, WINDOW_ROWS, type RunsPager} from '../../source/tui/hooks/use-runs.js';
import {ev, KEYS, ManualFeed, renderApp, settle as settleWithin, sleep, spanEvents, type Harness} from './helpers.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {tempIndex} from '../helpers/temp-index.js';

/** A 3005-run index reloads slower than the small ones: wait longer. */
const settle = async (h: Harness, until: (frame: string) => boolean): Promise<void> => settleWithin(h, until, 10_000);

const HOUR = 3_600_000;

async function until(check: () => boolean, ms = 5000): Promise<void> {
	const start = Date.now();
	while (!check() && Date.now() - start < ms) {
		// eslint-disable-next-line no-await-in-loop
		await sleep(5);
	}
}

/** One finished run: `deploy <n>` (or a given name), failed at `failAt` when given. */
function finished(n: string, start: number, failAt: string | null, name = `deploy ${n}`): TraceEvent[] {
	const trace = `trace-${n}`;
	const events: TraceEvent[] = [ev(trace, 'root', null, 'workflow:started', start, {name, run_id: `run-${n}`, env: 'prod', target: 'api'})];
	if (failAt === null) {
		events.push(...spanEvents(trace, 'build', 'root', 'stage', 'build', start + 100, start + 5000));
		events.push(ev(trace, 'root', null, 'workflow:completed', start + 6000, undefined, 'success'));
	} else {
		const [stage, step] = failAt.split('/') as [string, string | undefined];
		events.push(ev(trace, 's', 'root', 'stage:started', start + 100, {name: stage}));
		if (step !== undefined) {
			events.push(...spanEvents(trace, 'st', 's', 'step', step, start + 200, start + 4000, {failed: true}));
		}

		events.push(ev(trace, 's', 'root', 'stage:failed', start + 5000, undefined, 'failed'));
		events.push(ev(trace, 'root', null, 'workflow:failed', start + 6000, undefined, 'failed'));
	}

	return events;
}

/*
 * 3005 runs. Runs 0..2999 started (i+1)·20 s ago: the oldest 16 h 40 m ago,
 * all inside the last 24 hours. Every 7th failed (i = 0, 7, ..., 2996: 429
 * runs): i % 14 = 0 at deploy/migrate (0, 14, ..., 2996: 215), i % 14 = 7 at
 * build (214). Five more, "old 0".."old 4", started 30..34 hours ago, all
 * failed at build: were they counted the figure would read 434/3005 and
 * build would lead with 219. The truth: 24h 429/3000 failed, most at
 * deploy/migrate ×215; the list holds 3005 runs, the oldest "old 4".
 */
function bigIndex(now: number): TraceEvent[] {
	const events: TraceEvent[] = [];
	for (let i = 0; i < 3000; i++) {
		const failAt = i % 14 === 0 ? 'deploy/migrate' : i % 14 === 7 ? 'build' : null;
		events.push(...finished(String(i).padStart(4, '0'), now - (i + 1) * 20_000, failAt, `deploy ${i}`));
	}

	for (let k = 0; k < 5; k++) {
		events.push(...finished(`old-${k}`, now - (30 + k) * HOUR, 'build', `old ${k}`));
	}

	return events;
}

let harness: Harness | undefined;
afterEach(() => {
	harness?.cleanup();
	harness = undefined;
});

function lines(h: Harness): string[] {
	return h.frame().split('\n');
}

function selectedLine(h: Harness): string {
	return lines(h).find(line => line.startsWith('›')) ?? '';
}

/** The selected row, once it matches (a loaded machine may take longer than a key's settle). */
async function selects(h: Harness, pattern: RegExp, message?: string): Promise<void> {
	await settle(h, () => pattern.test(selectedLine(h)));
	assert.match(selectedLine(h), pattern, message);
}

test('3005 runs: the true count and 24 h figure; G reaches the oldest, g the newest, PgDn/PgUp page through', async () => {
	const now = Date.now();
	const h = renderApp(bigIndex(now));
	harness = h;
	await settle(h, frame => frame.includes('3005 runs'));
	const frame = lines(h);
	assert.match(frame[1]!, /^0 active · 3005 recent · 24h: 429\/3000 failed, most at deploy\/migrate ×215/);
	assert.match(frame.at(-2)!, /3005 runs$/);
	await selects(h, /deploy 0 /);
	await h.press('G');
	await selects(h, /old 4 /, 'the oldest run, past the 1000 newest');
	assert.match(lines(h).at(-3)!, /run-old-4/);
	await h.press(KEYS.pageUp);
	// 80x24: 18 table rows, a page is 16; 3004 - 16 = 2988.
	await selects(h, /deploy 2988 /);
	await h.press('k');
	await selects(h, /deploy 2987 /);
	await h.press('g');
	await selects(h, /deploy 0 /);
	await h.press(KEYS.pageDown, KEYS.pageDown, KEYS.pageDown);
	await selects(h, /deploy 48 /);
	await h.press('G', KEYS.pageUp, KEYS.pageUp);
	await selects(h, /deploy 2972 /);
});

test('3005 runs: a filter and a sort apply to the whole index, and the 24 h figure says it follows the filter', async () => {
	const now = Date.now();
	// Wide enough for the whole summary line (80 columns cut its end).
	const h = renderApp(bigIndex(now), {columns: 130});
	harness = h;
	await settle(h, frame => frame.includes('3005 runs'));
	await h.press('f');
	await h.type('status:failed');
	await h.press(KEYS.enter);
	// (The prompt's own hint mentions status:failed: wait for the filter itself.)
	await settle(h, frame => frame.includes('filter: status:failed (434 of 3005)'));
	// 429 failed in the day plus the five old ones; all 429 of the day's failed runs failed.
	assert.match(lines(h)[1]!, /^0 active · filter: status:failed \(434 of 3005\) · 24h \(filtered\): 429\/429 failed, most at deploy\/migrate ×215 · sort: started/);
	await h.press('G');
	await selects(h, /old 4 /);
	await h.press(KEYS.esc);
	await h.press('f');
	await h.type('old');
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('filter: old (5 of 3005)'));
	assert.doesNotMatch(lines(h)[1]!, /24h/, 'none of the five started in the last 24 hours');
	await h.press(KEYS.esc);
	await settle(h, frame => !frame.includes('filter:'));
	// Sorted by status: the failed ones first, newest first: deploy 0.
	await h.press('s', 's');
	await settle(h, frame => frame.includes('sort: status'));
	await h.press('G');
	// The last of the successes, oldest first among them: i = 2999 (2999 % 7 = 3: succeeded).
	await selects(h, /deploy 2999 /);
});

test('live: the selected run stays selected when new runs push it down, and the count follows', async () => {
	const now = Date.now();
	const h = renderApp(bigIndex(now));
	harness = h;
	await settle(h, frame => frame.includes('3005 runs'));
	await h.press('j', 'j', 'j', 'j', 'j');
	await selects(h, /deploy 5 /);
	h.index.appendEvents([...finished('new-1', now + 1000, null, 'fresh 1'), ...finished('new-2', now + 2000, 'deploy/migrate', 'fresh 2')]);
	h.index.appendEvents([ev('trace-live', 'root', null, 'workflow:started', now + 3000, {name: 'live one', run_id: 'run-live', env: 'prod', target: 'api', total_steps: 2}), ev('trace-live', 'a', 'root', 'step:started', now + 3100, {name: 'compile'})]);
	h.feed.changed(['trace-new-1', 'trace-new-2', 'trace-live']);
	await settle(h, frame => frame.includes('3008 runs'));
	await selects(h, /deploy 5 /, 'still deploy 5, three rows further down');
	assert.match(lines(h)[1]!, /^1 active · 3007 recent · 24h: 430\/3003 failed, most at deploy\/migrate ×216/);
	await h.press('g');
	await selects(h, /live one/, 'running runs first');
	await h.press('j');
	await selects(h, /fresh 2/);
});

test('the runs held stay a bounded window around the selection, wherever it goes in the index; a row is the right one or not there', async () => {
	const now = Date.now();
	const {index, cleanup} = tempIndex(bigIndex(now));
	const store = new SqliteStore(index);
	const feed = new ManualFeed();
	const expectedAt = (i: number): string => (i < 3000 ? `run-${String(i).padStart(4, '0')}` : `run-old-${i - 3000}`);
	let pager: RunsPager | undefined;
	let most = 0;
	const wrong: string[] = [];
	function Probe(): React.JSX.Element {
		pager = useRuns(store, feed, 5, {nowMs: now});
		most = Math.max(most, pager.runs.length);
		for (const [i, run] of pager.runs.entries()) {
			if (run.run_id !== expectedAt(pager.offset + i)) {
				wrong.push(`${pager.offset + i}: ${run.run_id}`);
			}
		}

		return <Text>{pager.runs.length}</Text>;
	}

	const {unmount} = render(<Probe />);
	await until(() => pager?.total !== null, 10_000);
	assert.equal(pager!.total, 3005);
	// Every position from the bottom up, a page at a time, then jumps both ways. The store answers
	// later: a jump shows its row once its window is in; a page at a time, the next window is read
	// before the selection reaches the edge of the one held, so the row is there when asked for.
	const walk = Array.from({length: 188}, (_, k) => 3004 - 16 * k);
	const misses: number[] = [];
	for (const [step, position] of [3004, ...walk, 0, 1500, 2999, 3000, 7].entries()) {
		const answer = pager!.fetch(position, 18);
		if (answer === undefined) {
			if (step > 0 && step <= walk.length) {
				misses.push(position);
			}
		} else {
			assert.equal(answer.run_id, expectedAt(position), `position ${position}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await until(() => pager!.at(position) !== undefined);
		assert.equal(pager!.at(position)?.run_id, expectedAt(position), `position ${position}`);
		assert.ok(pager!.runs.length <= WINDOW_ROWS, `${pager!.runs.length} runs held`);
	}

	assert.deepEqual(wrong, [], "no row ever held at another run's position");
	assert.deepEqual(misses, [], 'a page at a time, every row was held when asked for');
	assert.ok(most <= WINDOW_ROWS, `at most ${most} runs held of 3005`);
	unmount();
	cleanup();
});

test('80 columns, ASCII: a long failure point gives way from its start, its count stays', async () => {
	const now = Date.now();
	const long = 'deploy/attach spot nodes to the big cluster';
	const h = renderApp([...finished('a', now - 60_000, long), ...finished('b', now - 120_000, long), ...finished('c', now - 180_000, null)], {ascii: true});
	harness = h;
	await settle(h, frame => frame.includes('3 runs'));
	// "0 active | 3 recent | 24h: 2/3 failed" is 37 columns, ", most at " 10 and " x2" 3: 30 are left for
	// the 43-column path, "~" and its last 29 characters. The sort no longer fits and goes.
	assert.equal(lines(h)[1], '0 active | 3 recent | 24h: 2/3 failed, most at ~spot nodes to the big cluster x2');
	assert.ok(
		h
			.frame()
			.split('')
			.every(char => char.charCodeAt(0) < 128),
		'ASCII only',
	);
});
