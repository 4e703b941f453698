import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {agentDecision, failedSaga} from '../../fixtures/canonical.js';
import {tempHome} from '../helpers/temp-home.js';
import {ev, failedDeploy, KEYS, okDeploy, renderApp, runningDeploy, settle, type Harness} from './helpers.js';

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

test('runs: active runs first with step k/n and elapsed, stuck ones flagged, then recent ones; fits 80x24', async () => {
	const now = Date.now();
	const h = open([...failedDeploy(), ...okDeploy(), ...runningDeploy(now, 5000), ...runningDeploy(now, 9 * 60_000, 'trace-stuck', 'deploy worker')]);
	await h.ready();
	const frame = lines(h);
	assert.equal(frame.length, 23, 'one line short of 24 rows: ink keeps the cursor on the last');
	assert.ok(
		frame.every(line => line.length <= 80),
		'nothing wider than the terminal',
	);
	assert.match(frame[0]!, /tracedeck › runs/);
	assert.match(h.frame(), /2 active \(⚠ 1 stuck\) · 2 recent/);
	const web = frame.findIndex(line => line.includes('deploy web'));
	const worker = frame.findIndex(line => line.includes('deploy worker'));
	const api = frame.findIndex(line => line.includes('deploy api'));
	assert.ok(web < api && worker < api, 'running runs come first');
	assert.match(frame[web]!, /… running +deploy web +step 2\/4 · 1m10s/);
	assert.match(frame[worker]!, /⚠ stuck +deploy worker/);
	assert.match(h.frame(), /✗ failed +deploy api +30s/);
	assert.match(frame.at(-2)!, /live: polling/);
	assert.match(frame.at(-1)!, /enter open .*\? help/);
});

test('runs: f filters by status, env and text; esc clears; s cycles the sort', async () => {
	const h = open([...failedDeploy(), ...okDeploy(), ...failedSaga()]);
	await h.ready();
	await h.press('f');
	assert.match(lines(h).at(-1)!, /^filter █/);
	await h.type('status:failed env:prod api');
	// The rows are read by the filter as typed, after the keys: on a loaded machine the last key's read
	// can come after the prompt shows it (the header names the filter its rows were read by meanwhile).
	await settle(h, frame => frame.includes('filter: status:failed env:prod api ('));
	assert.match(h.frame(), /filter: status:failed env:prod api \(1 of 3\)/);
	assert.match(h.frame(), /deploy api/);
	assert.doesNotMatch(h.frame(), /loan-approval/);
	await h.press(KEYS.enter);
	assert.match(lines(h)[0]!, /runs \[status:failed env:prod api\]/);
	await h.press(KEYS.esc);
	assert.match(h.frame(), /loan-approval/);
	await h.press('s');
	assert.match(h.frame(), /sort: duration/);
	const first = lines(h).findIndex(line => line.includes('1m30s'));
	const second = lines(h).findIndex(line => line.includes('30s ') && line.includes('✗'));
	assert.ok(first < second, 'longest first');
	await h.press('s');
	assert.match(h.frame(), /sort: status/);
});

test('runs: m marks, d diffs the selected run against the marked one, side by side', async () => {
	const h = open([...failedDeploy(), ...okDeploy()]);
	await h.ready();
	// Nothing marked: d compares with the last success (its own test below); esc comes back.
	await h.press('d');
	await settle(h, f => f.includes('A run-'));
	assert.match(lines(h)[0]!, /› diff last-success run-20260114-101500-abc1234$/);
	await h.press(KEYS.esc);
	await h.press('m');
	assert.match(h.frame(), /marked: run-20260114-101500-abc1234/);
	assert.match(selectedLine(h), /^›●/);
	await h.press('j', 'd');
	await settle(h, f => f.includes('A run-'));
	const frame = h.frame();
	assert.match(lines(h)[0]!, /tracedeck › runs › diff run-20260114-101500-abc1234 run-20260113-101500-fff0000/);
	assert.match(frame, /A run-20260114-101500-abc1234 · ✗ failed · 30s/);
	assert.match(frame, /B run-20260113-101500-fff0000 · ✓ ok · 1m30s/);
	assert.match(frame, /~ 1 status {2}\+ 1 added {2}= 1 same/);
	assert.match(frame, /= build +✓ 20s +✓ 19s +-100ms/);
	assert.match(frame, /~ migrate +✗ 10s +✓ 1m00s +\+50s/);
	assert.match(frame, /\+ smoke +- +✓ 9.8s/);
	assert.match(frame, /no plan recorded for either run/);
	await h.press('j', KEYS.enter);
	assert.match(lines(h)[0]!, /› deploy api run-20260113-101500-fff0000 › trace$/);
	await h.press(KEYS.esc, KEYS.esc);
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
});

test('trace: tree beside a waterfall, f jumps to the root cause, c toggles the critical path, ← → fold', async () => {
	const h = open([...failedDeploy()]);
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('shown of 3'));
	let frame = h.frame();
	assert.match(lines(h)[0]!, /tracedeck › runs › deploy api run-20260114-101500-abc1234 › trace/);
	assert.match(frame, /✗ failed · 30s · prod\/api · 2\/3 steps · failed at migrate · 1 retry/);
	assert.match(frame, /\[trace\]/);
	assert.match(frame, /◆ ▾ ✗ deploy api +30s █/);
	assert.match(frame, /◆ +✓ build +20s █+/);
	assert.match(frame, /✗ migrate ↻1 ← root cause +10s +█+/);
	await h.press('f');
	assert.match(selectedLine(h), /migrate/);
	assert.match(h.frame(), /root cause: migrate: connection refused: db:5432/);
	await h.press('c');
	frame = h.frame();
	assert.doesNotMatch(frame, /◆/, 'critical path marks gone');
	await h.press('c');
	assert.match(h.frame(), /◆/);
	await h.press('g');
	assert.match(selectedLine(h), /deploy api/);
	await h.press(KEYS.left);
	assert.match(h.frame(), /1 shown of 3/);
	assert.match(h.frame(), /▸ ✗ deploy api/);
	await h.press(KEYS.right);
	assert.match(h.frame(), /3 shown of 3/);
	await h.press(KEYS.right);
	assert.match(selectedLine(h), /build/, 'again: first child');
	await h.press(KEYS.left);
	assert.match(selectedLine(h), /deploy api/, 'on a leaf: the parent');
	await h.press(KEYS.esc);
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
});

test('span detail: path from the root, error, retries, input, sanitized stderr; e expands; esc goes back', async () => {
	const h = open([...failedDeploy()]);
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('shown of 3'));
	await h.press('f', KEYS.enter);
	const frame = h.frame();
	assert.match(lines(h)[0]!, /› trace › migrate$/);
	assert.match(frame, /migrate · ✗ failed · stage · took 10s · started \+20s/);
	assert.match(frame, /PATH FROM ROOT \(2 levels\)/);
	assert.match(frame, /✗ deploy api/);
	assert.match(frame, /✗ migrate {2}← this span/);
	assert.match(frame, /connection refused: db:5432/);
	assert.match(frame, /↻ #1 {2}exit 1 {2}at \+25s/);
	assert.match(frame, /"database": "orders"/);
	await h.press('G');
	assert.match(h.frame(), /STDERR/);
	assert.match(h.frame(), /psql: could not connect to server red/);
	assert.ok(!h.frame().includes('\u001b[31m'), 'no escape sequence from the producer');
	await h.press('e');
	assert.match(h.frame(), /data expanded/);
	await h.press(KEYS.esc);
	assert.match(lines(h)[0]!, /› trace$/);
});

test('compensations: C shows forward steps beside their compensations, orphans called out', async () => {
	const h = open(failedSaga());
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => /[1-9]\d* shown of/.test(frame));
	await h.press('C');
	const frame = h.frame();
	assert.match(lines(h)[0]!, /loan-approval run-.* › compensations$/);
	assert.match(frame, /\[compensations 5\]/);
	assert.match(frame, /✗ compensation incomplete: 1 orphan, 1 undo failed, 4 of 6 steps undone/);
	assert.match(frame, /⚠✓ create-account .*← +✗ failed .*⚠ ORPHAN: undo failed/);
	assert.match(frame, /✓ validate-applicat.*← +✓ undone .*✓ undone/);
	assert.match(frame, /✗ disburse .*nothing to undo/);
	await h.press('j', 'j', 'j');
	assert.match(selectedLine(h), /create-account/);
	assert.match(h.frame(), /create-account ← compensate create-account: close account failed: account has/);
	await h.press(KEYS.enter);
	assert.match(lines(h)[0]!, /› compensate create-account$/);
	await h.press(KEYS.esc);
	assert.match(lines(h)[0]!, /› compensations$/);
	await h.press(KEYS.tab);
	assert.match(lines(h)[0]!, /› decisions$/);
	await h.press(KEYS.esc);
	assert.match(lines(h)[0]!, /› trace$/);
});

test('decisions: a shows the choice, alternatives with scores, reasoning, what followed, and the cross-run rate', async () => {
	const h = open(agentDecision());
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => /[1-9]\d* shown of/.test(frame));
	await h.press('a');
	const frame = h.frame();
	assert.match(lines(h)[0]!, /agent triage run-.* › decisions$/);
	assert.match(frame, /✗ failed after plan\/choose-route +B +0\.72 +3/);
	assert.match(frame, /plan\/choose-route · chose B · confidence 0\.72/);
	assert.match(frame, /then ✗ execute\/run tests failed: 3 tests failed after applying the patch/);
	assert.match(frame, /▶ B +0\.72 ■+ +chosen +1\/1 runs chose it, 1 failed \(100%\)/);
	assert.match(frame, / A +0\.41 ■+ +0\/1 runs chose it/);
	assert.match(frame, /REASONING/);
	assert.match(frame, /The regression correlates with commit/);
	await h.press(KEYS.enter);
	assert.match(lines(h)[0]!, /› choose-route$/);
});

test('decisions: the outcome rate counts earlier runs of the same workflow', async () => {
	// Three more "agent triage" runs: B chosen twice (one fails), A once (succeeds).
	const runs = [
		['r1', 'B', true],
		['r2', 'B', false],
		['r3', 'A', false],
	] as const;
	const extra = runs.flatMap(([id, choice, fails], i) => {
		const t = Date.parse('2025-03-10T10:00:00.000Z') + i * 3_600_000;
		const trace = `trace-${id}`;
		return [
			ev(trace, 'root', null, 'workflow:started', t, {name: 'agent triage', run_id: `run-${id}`}),
			ev(trace, 'plan', 'root', 'stage:started', t + 10, {name: 'plan'}),
			ev(trace, 'd', 'plan', 'ai:started', t + 20, {name: 'choose-route'}),
			ev(trace, 'd', 'plan', 'ai:decision', t + 30, {decision: choice, alternatives: [{option: 'A'}, {option: 'B'}]}),
			ev(trace, 'plan', 'root', 'stage:completed', t + 40),
			ev(trace, 'root', null, fails ? 'workflow:failed' : 'workflow:completed', t + 50, undefined, fails ? 'failed' : 'success'),
		];
	});
	const h = open([...agentDecision(), ...extra]);
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => /[1-9]\d* shown of/.test(frame));
	await h.press('a');
	await settle(h, frame => !frame.includes('reading earlier runs'));
	assert.match(h.frame(), /▶ B .*3\/4 runs chose it, 2 failed \(67%\)/);
	assert.match(h.frame(), / A .*1\/4 runs chose it, 0 failed \(0%\)/);
});

test('help overlay is generated from the keymap and closes with esc; : runs commands', async () => {
	const h = open([...failedDeploy(), ...okDeploy()]);
	await h.ready();
	await h.press('?');
	let frame = h.frame();
	assert.match(lines(h)[0]!, /runs › help$/);
	assert.match(frame, /KEYS: RUNS/);
	assert.match(frame, /sort: started\/duration\/status/);
	assert.match(frame, /mark this run for a diff/);
	// At 80x24 the help scrolls (rough edges: never cut silently); the commands are further down.
	await h.press('G');
	assert.match(h.frame(), /:diff <a> <b> +diff two runs/);
	await h.press(KEYS.esc);
	assert.doesNotMatch(h.frame(), /KEYS: RUNS/);
	await h.press(':');
	assert.match(lines(h).at(-1)!, /^:█/);
	await h.type('run run-20260113');
	await h.press(KEYS.enter);
	await settle(h, f => /[1-9]\d* shown of/.test(f));
	assert.match(lines(h)[0]!, /tracedeck › runs › deploy api run-20260113-101500-fff0000 › trace/);
	await h.press('?');
	frame = h.frame();
	assert.match(frame, /KEYS: TRACE/);
	assert.match(frame, /jump to the root cause/);
	assert.match(frame, /pause\/resume following/);
	await h.press('?');
	await h.press(':');
	await h.type('diff run-20260114 run-20260113');
	await h.press(KEYS.enter);
	await settle(h, f => f.includes('A run-'));
	assert.match(lines(h)[0]!, /tracedeck › runs › diff run-20260114-101500-abc1234 run-20260113-101500-fff0000$/);
	await h.press(':');
	await h.type('run nope');
	await h.press(KEYS.enter);
	// The store's answer comes after the prompt closes.
	await settle(h, frame => frame.includes('no run matches'));
	assert.match(h.frame(), /✗ no run matches "nope"/);
});

test('q on the runs screen exits the app (useApp().exit, not process.exit)', async () => {
	// Two runs, so that `j` would visibly move the selection if the app still listened.
	const h = open([...okDeploy(), ...failedDeploy()]);
	await h.ready();
	const realExit = process.exit;
	let processExitCalled = false;
	process.exit = (() => {
		processExitCalled = true;
	}) as typeof process.exit;
	try {
		await h.press('q');
		await h.wait(50);
		// Ink may clear its output on unmount; what matters is that input no longer moves anything.
		const afterExit = h.frame();
		await h.press('j');
		await h.wait(50);
		assert.equal(h.frame(), afterExit);
		assert.equal(processExitCalled, false);
	} finally {
		process.exit = realExit;
	}
});

test('live: the runs screen updates when the feed says something changed', async () => {
	const h = open([...okDeploy()]);
	await h.ready();
	assert.match(h.frame(), /0 active · 1 recent/);
	h.index.appendEvents(runningDeploy(Date.now(), 1000));
	h.feed.changed(['trace-running']);
	await settle(h, frame => frame.includes('1 active'));
	assert.match(h.frame(), /1 active · 1 recent/);
	assert.match(h.frame(), /… running +deploy web +step 2\/4/);
	h.feed.setStatus({source: 'redis', lagMs: 42});
	await h.ready();
	assert.match(h.frame(), /live: redis · lag 42ms/);
});

test('live: a running trace grows and the selection follows the newest span; space pauses and counts what is new', async () => {
	const now = Date.now();
	const h = open(runningDeploy(now, 1000));
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('shown of 3'));
	await settle(h, () => /upload/.test(selectedLine(h)));
	assert.match(selectedLine(h), /upload/, 'following selects the newest span');
	assert.match(h.frame(), /▶ following/);
	h.index.appendEvents([ev('trace-running', 's2', 'root', 'step:completed', now + 10, undefined, 'success'), ev('trace-running', 's3', 'root', 'step:started', now + 20, {name: 'migrate db'})]);
	h.feed.changed(['trace-running']);
	await settle(h, frame => frame.includes('shown of 4'));
	await settle(h, () => /migrate db/.test(selectedLine(h)));
	assert.match(selectedLine(h), /migrate db/);
	await h.press(' ');
	assert.match(h.frame(), /paused \(space resumes\)/);
	h.index.appendEvents([ev('trace-running', 's3', 'root', 'log:stderr', now + 30, {line: 'applying 0042'}), ev('trace-running', 's4', 'root', 'step:started', now + 40, {name: 'smoke'})]);
	h.feed.changed(['trace-running']);
	await settle(h, frame => frame.includes('shown of 5'));
	assert.match(h.frame(), /paused ▼ 2 new \(space resumes\)/);
	assert.match(selectedLine(h), /migrate db/, 'paused: the selection stays');
	await h.press(' ');
	await settle(h, () => /smoke/.test(selectedLine(h)));
	assert.match(selectedLine(h), /smoke/);
	assert.match(h.frame(), /▶ following/);
	// Moving by hand pauses following.
	await h.press('k');
	assert.match(h.frame(), /paused/);
});

test('NO_COLOR and ASCII: no escape codes, no non-ASCII glyphs, the cues remain as text', async () => {
	const h = open([...failedDeploy(), ...okDeploy(), ...runningDeploy(Date.now(), 1000)], {ascii: true, color: false});
	await h.ready();
	let frame = h.frame();
	assert.ok(!frame.includes('\u001b'), 'no escape codes');
	assert.match(frame, /^[\x00-\x7f]*$/, 'ASCII only');
	assert.match(frame, /> \.\. running/);
	assert.match(frame, /x failed/);
	assert.match(frame, / {2}ok +deploy api/);
	assert.match(lines(h)[0]!, /tracedeck > runs/);
	await h.press('j', KEYS.enter);
	await settle(h, f => /[1-9]\d* shown of/.test(f));
	await h.press('f');
	frame = h.frame();
	assert.match(frame, /^[\x00-\x7f]*$/, 'trace screen ASCII only');
	assert.match(frame, /\* - x deploy api/);
	assert.match(frame, /x migrate r1 <- root cause/);
	assert.match(frame, /#/);
	await h.press(KEYS.enter, 'G');
	assert.match(h.frame(), /^[\x00-\x7f]*$/);
	await h.press(KEYS.esc, KEYS.esc, '?');
	assert.match(h.frame(), /^[\x00-\x7f]*$/, 'help ASCII only');
	assert.match(h.frame(), /j down +move down/);
});

test('resize: a wider terminal shows more columns; a wide one adds the span detail pane', async () => {
	const h = open([...failedDeploy(), ...okDeploy()]);
	await h.ready();
	assert.doesNotMatch(h.frame(), /run id/);
	h.rerender({columns: 160, rows: 40});
	await h.ready();
	assert.equal(lines(h).length, 39);
	assert.match(h.frame(), /run id/);
	assert.match(h.frame(), /step \/ failed at/);
	await h.press(KEYS.enter);
	await settle(h, f => /[1-9]\d* shown of/.test(f));
	await h.press('f');
	assert.match(h.frame(), /│ ?migrate · ✗ failed · stage/);
	assert.match(h.frame(), /PATH FROM ROOT/);
	h.rerender({columns: 30, rows: 8});
	await h.ready();
	assert.match(h.frame().replace(/\s+/g, ' '), /needs at least 40x10 \(this is 30x8\)/);
});

test('hostile names and data are sanitized before they render', async () => {
	const trace = 'trace-evil';
	const h = open([
		ev(trace, 'root', null, 'workflow:started', Date.parse('2026-01-01T00:00:00.000Z'), {name: 'evil\u001b]0;pwned\u0007 run\u001b[2J', run_id: 'run-evil'}),
		ev(trace, 'x', 'root', 'step:started', Date.parse('2026-01-01T00:00:01.000Z'), {name: 'step\u001b[31m red', input: {k: '\u001b[1mbold\u009b2J'}}),
		ev(trace, 'x', 'root', 'step:failed', Date.parse('2026-01-01T00:00:02.000Z'), {error: {message: 'bad\u001b[5m blink'}}, 'failed'),
		ev(trace, 'root', null, 'workflow:failed', Date.parse('2026-01-01T00:00:03.000Z'), undefined, 'failed'),
	]);
	await h.ready();
	assert.match(h.frame(), /evil run/);
	await h.press(KEYS.enter);
	await settle(h, f => /[1-9]\d* shown of/.test(f));
	await h.press('f', KEYS.enter);
	const frame = h.frame();
	assert.ok(!/[\u001b\u0007\u009b]/.test(frame), 'no escape or control characters reach the screen');
	assert.match(frame, /step red/);
	assert.match(frame, /bad blink/);
});

test("diff: plan arg and env changes from the runs' plan.json, secrets shown redacted", async () => {
	const {default: fs} = await import('node:fs');
	const {default: path} = await import('node:path');
	const root = tempHome('tracedeck-artifacts-');
	const withPlan = (events: ReturnType<typeof okDeploy>, hash: string) => events.map(e => (e.span_id === 'root' && e.event_type === 'workflow:started' ? {...e, data: {...e.data, plan_hash: hash}} : e));
	const a = withPlan(failedDeploy(), 'hash-a');
	const b = withPlan(okDeploy(), 'hash-b');
	const write = (hash: string, runId: string, plan: unknown) => {
		const dir = path.join(root, 'artifacts', 'prod', 'api', hash, runId);
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
	};

	write('hash-a', 'run-20260114-101500-abc1234', {args: {replicas: 3, image: 'api:1.4.2'}, env: {REGION: 'eu-west-1', API_TOKEN: '<redacted:32chars>'}});
	write('hash-b', 'run-20260113-101500-fff0000', {args: {replicas: 2, image: 'api:1.4.2', canary: true}, env: {REGION: 'eu-west-1', API_TOKEN: '<redacted:40chars>'}});
	const h = open([...a, ...b], {home: root});
	await h.ready();
	await h.press(':');
	await h.type('diff run-20260114 run-20260113');
	await h.press(KEYS.enter);
	await settle(h, f => f.includes('PLAN ARGS'));
	const frame = h.frame();
	assert.match(frame, /plan: 2 args, 1 env changed/);
	assert.match(frame, /PLAN ARGS/);
	assert.match(frame, /\+ canary +\(absent\) → true/);
	assert.match(frame, /~ replicas +3 → 2/);
	assert.match(frame, /PLAN ENV/);
	assert.match(frame, /~ API_TOKEN +<redacted> → <redacted>/);
	assert.doesNotMatch(frame, /32chars|40chars/);
	fs.rmSync(root, {recursive: true, force: true});
});

test('opens on a run or a diff when asked (tracedeck runs open / runs diff), and says so when the run is unknown', async () => {
	let h = open([...failedDeploy(), ...okDeploy()], {initial: {screen: 'trace', run: 'run-20260114'}});
	await settle(h, f => /[1-9]\d* shown of/.test(f));
	assert.match(lines(h)[0]!, /tracedeck › runs › deploy api run-20260114-101500-abc1234 › trace$/);
	await h.press(KEYS.esc);
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
	h.cleanup();
	h = open([...failedDeploy(), ...okDeploy()], {initial: {screen: 'diff', a: 'run-20260114', b: 'run-20260113'}});
	await settle(h, f => f.includes('A run-'));
	assert.match(h.frame(), /~ migrate/);
	h.cleanup();
	h = open([...okDeploy()], {initial: {screen: 'trace', run: 'missing'}});
	await h.ready();
	assert.match(lines(h)[0]!, /tracedeck › runs$/);
	assert.match(h.frame(), /✗ no run matches "missing"/);
});

/** A finished one-stage run: root with run fields, one stage, both ending `status` after 10 s. */
function finishedRun(trace: string, runId: string, env: string | null, target: string | null, start: number, status: 'success' | 'failed'): ReturnType<typeof ev>[] {
	const fields: Record<string, unknown> = {name: `deploy ${trace}`, run_id: runId};
	if (env !== null) {
		fields['env'] = env;
	}

	if (target !== null) {
		fields['target'] = target;
	}

	const end = status === 'success' ? 'completed' : 'failed';
	return [ev(trace, 'root', null, 'workflow:started', start, fields), ev(trace, 'st', 'root', 'stage:started', start + 1000, {name: 'build'}), ev(trace, 'st', 'root', `stage:${end}`, start + 9000, undefined, status), ev(trace, 'root', null, `workflow:${end}`, start + 10_000, undefined, status)];
}

test('diff: d with nothing marked compares the selected run with its last success, and says which; none is a clear message', async () => {
	const T0 = Date.parse('2026-01-14T10:15:00.000Z');
	const hour = 3_600_000;
	// The failed prod/api deploy at T0 (failedDeploy) is the run asked about. The candidates, by hand:
	//   okDeploy, prod/api success at T0 - 24 h  → the last success before it: the answer
	//   older,    prod/api success at T0 - 48 h  → a success, but an older one
	//   failed,   prod/api failed  at T0 - 2 h   → later, but failed
	//   staging,  staging/api success at T0 - 1 h → other env
	//   web,      prod/web success at T0 - 30 min → other target
	//   later,    prod/api success at T0 + 10 min → started after it
	const h = open([
		...failedDeploy(),
		...okDeploy(),
		...finishedRun('older', 'run-older', 'prod', 'api', T0 - 48 * hour, 'success'),
		...finishedRun('failed', 'run-failed', 'prod', 'api', T0 - 2 * hour, 'failed'),
		...finishedRun('staging', 'run-staging', 'staging', 'api', T0 - hour, 'success'),
		...finishedRun('web', 'run-web', 'prod', 'web', T0 - hour / 2, 'success'),
		...finishedRun('later', 'run-later', 'prod', 'api', T0 + hour / 6, 'success'),
	]);
	await h.ready();
	// Newest first: later (T0 + 10 min) is on top, the failed deploy (T0) next.
	await h.press('j');
	assert.match(selectedLine(h), /deploy api/);
	await h.press('d');
	await settle(h, f => f.includes('A run-'));
	let frame = h.frame();
	assert.match(lines(h)[0]!, /tracedeck › runs › diff last-success run-20260114-101500-abc1234$/);
	assert.match(frame, /A is the last successful prod\/api run before B/);
	assert.match(frame, /A run-20260113-101500-fff0000 · ✓ ok/);
	assert.match(frame, /B run-20260114-101500-abc1234 · ✗ failed/);
	assert.match(frame, /~ migrate +✓ 1m00s +✗ 10s/);
	assert.match(frame, /no plan recorded for either run/);
	assert.ok(
		lines(h).every(line => line.length <= 80),
		'fits 80 columns',
	);
	// The web run has no earlier prod/web success: the screen says so and what to do instead.
	await h.press(KEYS.esc, 'j');
	assert.match(selectedLine(h), /deploy web/);
	await h.press('d');
	await settle(h, f => f.includes('no successful'));
	frame = h.frame();
	assert.match(frame, /✗ no successful prod\/web run started before run-web; press m on a run, then d\n +on another to diff the two/);
	// With a mark, d is the mark's diff as before.
	await h.press(KEYS.esc, 'm', 'j', 'd');
	await settle(h, f => f.includes('A run-'));
	assert.match(lines(h)[0]!, /› diff run-web run-staging$/);
	assert.doesNotMatch(h.frame(), /last successful/);
});

test('diff: opens on a run against its last success (tracedeck runs diff <run> in a terminal)', async () => {
	const h = open([...failedDeploy(), ...okDeploy()], {initial: {screen: 'diff', b: 'run-20260114'}});
	await settle(h, f => f.includes('A run-'));
	assert.match(h.frame(), /A is the last successful prod\/api run before B/);
	assert.match(h.frame(), /A run-20260113-101500-fff0000/);
});

test('diff: devcmd plans in the console: steps by id, resolved values by key, secrets redacted; a missing plan is said', async () => {
	const {default: fs} = await import('node:fs');
	const {default: path} = await import('node:path');
	const root = tempHome('tracedeck-artifacts-');
	const write = (runId: string, plan: unknown) => {
		// No plan_hash on these runs: the artifact folder's hash segment is "_".
		const dir = path.join(root, 'artifacts', 'prod', 'api', '_', runId);
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
	};

	// A = the last success (0113), B = the failed run (0114). deploy/api's command changed, smoke was added,
	// the token rotated (32 → 40 chars), REPLICAS 3 → 5.
	write('run-20260113-101500-fff0000', {
		steps: [{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api/', decorator: 'shell'}],
		resolved_values: {1: '@env(API_TOKEN) → <redacted:32chars>', 2: '@var(REPLICAS) → 3'},
	});
	write('run-20260114-101500-abc1234', {
		steps: [
			{id: 'main/deploy/api', command: 'kubectl apply -f k8s/api-v2/', decorator: 'shell'},
			{id: 'main/smoke', command: 'curl -f /health', decorator: 'retry'},
		],
		resolved_values: {1: '@env(API_TOKEN) → <redacted:40chars>', 2: '@var(REPLICAS) → 5'},
	});
	let h = open([...failedDeploy(), ...okDeploy()], {home: root});
	await h.ready();
	await h.press('d');
	await settle(h, f => f.includes('PLAN STEPS'));
	await h.press('G');
	const frame = h.frame();
	assert.match(frame, /plan: 2 steps, 2 resolved values changed/);
	assert.match(frame, /~ main\/deploy\/api +changed\n +command: kubectl apply -f k8s\/api\/ → kubectl apply -f k8s\/api-v2\//);
	assert.match(frame, /\+ main\/smoke +added\n +command: curl -f \/health\n +decorator: retry/);
	assert.match(frame, /PLAN RESOLVED VALUES\n.*~ 1 +@env\(API_TOKEN\) <redacted> → <redacted> +\(redacted; values differ\)\n.*~ 2 +@var\(REPLICAS\) 3 → 5/);
	assert.doesNotMatch(frame, /chars>/);
	h.cleanup();
	fs.rmSync(path.join(root, 'artifacts', 'prod', 'api', '_', 'run-20260113-101500-fff0000'), {recursive: true});
	h = open([...failedDeploy(), ...okDeploy()], {home: root});
	await h.ready();
	await h.press('d');
	await settle(h, f => f.includes('A run-'));
	assert.match(h.frame(), /plan recorded for B only \(A has none\): not compared/);
	assert.doesNotMatch(h.frame(), /PLAN STEPS/);
	fs.rmSync(root, {recursive: true, force: true});
});
