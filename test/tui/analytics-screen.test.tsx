import assert from 'node:assert/strict';
import {test} from 'node:test';
import {allocateRows, windowTop} from '../../source/tui/screens/analytics-layout.js';
import {analyticsScope} from '../../source/tui/state/analytics-scope.js';
import {parseConsoleCommand} from '../../source/tui/state/console-command.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {ev, failedDeploy, KEYS, okDeploy, renderApp, settle, spanEvents} from './helpers.js';

/*
 * Hand-made runs, relative to now, whose figures were worked out by hand:
 *   last hour:  f1 failed at migrate (prod/api), o1 ok (prod/api)           → 2 runs, 1 failed, 50.0%
 *   3 h ago:    f2 failed at migrate (prod/api), b1 failed at build (staging/web) → 24h: 4 runs, 3 failed, 75.0%
 *   3 days ago: o2 ok (prod/api)                                             → 7d: 5 runs, 3 failed, 60.0%
 * Failure points in 24h: migrate 2 (f1, f2), build 1 (b1).
 */
const NOW = Date.now();
const HOUR = 3_600_000;

function buildFailure(trace: string, runId: string, base: number) {
	return [
		ev(trace, 'root', null, 'workflow:started', base, {name: 'build web', run_id: runId, env: 'staging', target: 'web'}),
		...spanEvents(trace, 'build', 'root', 'stage', 'build', base + 100, base + 5000, {failed: true, end: {error: {message: 'tsc failed'}}}),
		ev(trace, 'root', null, 'workflow:failed', base + 5100, undefined, 'failed'),
	];
}

const EVENTS = [
	...failedDeploy('t-f1', 'run-20260101-000001-aaaa001', NOW - 20 * 60_000),
	...okDeploy('t-o1', 'run-20260101-000002-aaaa002', NOW - 30 * 60_000),
	...failedDeploy('t-f2', 'run-20260101-000003-aaaa003', NOW - 3 * HOUR),
	...buildFailure('t-b1', 'run-20260101-000004-aaaa004', NOW - 3 * HOUR - 60_000),
	...okDeploy('t-o2', 'run-20260101-000005-aaaa005', NOW - 72 * HOUR),
];

test('analytics: one key from launch answers question 5 for 24h; 1 and 3 switch the window and the figures', async () => {
	const h = renderApp(EVENTS);
	try {
		await h.ready();
		await h.press('A');
		await settle(h, frame => frame.includes('4 runs'));
		const frame = h.frame();
		assert.match(frame, /24h: 4 runs, 3 failed \(75\.0%\)/);
		assert.match(frame, /analytics 24h/);
		assert.match(frame, /FAILURE POINTS \(2\)/);
		assert.match(frame, /› migrate\s+2 failed runs/);
		assert.match(frame, /build\s+1 failed run/);
		assert.match(frame, /prod\/api\s+3 runs\s+2 failed\s+66\.7%/);
		assert.match(frame, /staging\/web\s+1 runs\s+1 failed\s+100\.0%/);
		assert.match(frame, /SLOWEST STEPS/);
		for (const line of frame.split('\n')) {
			assert.ok(line.length <= 80, line);
		}

		await h.press('1');
		await settle(h, f => f.includes('2 runs, 1 failed'));
		assert.match(h.frame(), /1h: 2 runs, 1 failed \(50\.0%\)/);
		await h.press('3');
		await settle(h, f => f.includes('5 runs'));
		assert.match(h.frame(), /7d: 5 runs, 3 failed \(60\.0%\)/);
		// tab goes back to the runs tab.
		await h.press(KEYS.tab);
		assert.match(h.frame(), /^tracedeck › runs\n/);
	} finally {
		h.cleanup();
	}
});

test('analytics: enter on a failure point lists exactly its runs; enter there opens the run', async () => {
	const h = renderApp(EVENTS);
	try {
		await h.ready();
		await h.press('A');
		await settle(h, frame => frame.includes('4 runs'));
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('2 runs in the last 24h'));
		const frame = h.frame();
		assert.match(frame, /failed at migrate/);
		assert.match(frame, /run-20260101-000001-aaaa001/);
		assert.match(frame, /run-20260101-000003-aaaa003/);
		assert.doesNotMatch(frame, /aaaa004|aaaa002|aaaa005/);
		await h.press('j', KEYS.enter);
		await settle(h, f => f.includes('deploy api run-20260101-000003-aaaa003'));
		assert.match(h.frame(), /deploy api run-20260101-000003-aaaa003/);
		await h.press(KEYS.esc);
		assert.match(h.frame(), /failed at migrate/);
	} finally {
		h.cleanup();
	}
});

test('analytics: :analyze 7d opens it from anywhere; the runs filter env:/target: narrows the figures as --env/--target do', async () => {
	const h = renderApp(EVENTS);
	try {
		await h.ready();
		await h.press('f');
		await h.type('env:staging');
		await h.press(KEYS.enter);
		await h.press(':');
		await h.type('analyze 7d');
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('1 runs'));
		assert.match(h.frame(), /7d env=staging: 1 runs, 1 failed \(100\.0%\)/);
	} finally {
		h.cleanup();
	}
});

test("analytics: the figures are runs analyze --json's for the same window", async () => {
	const h = renderApp(EVENTS);
	try {
		await h.ready();
		await h.press('A');
		for (const [key, since] of [
			['2', '24h'],
			['4', '30d'],
		] as const) {
			// eslint-disable-next-line no-await-in-loop
			const cli = await runInProcess(['runs', 'analyze', '--since', since, '--json'], {home: h.dir});
			assert.equal(cli.code, 0, cli.stderr);
			const analysis = JSON.parse(cli.stdout) as {runs: number; failed: number; failure_rate: number; failure_points: Array<{path: string; failures: number}>; slowest_steps: Array<{path: string; count: number}>};
			// eslint-disable-next-line no-await-in-loop
			await h.press(key);
			// eslint-disable-next-line no-await-in-loop
			await settle(h, f => f.includes(`${since}: ${analysis.runs} runs`));
			const frame = h.frame();
			assert.ok(frame.includes(`${since}: ${analysis.runs} runs, ${analysis.failed} failed (${(analysis.failure_rate * 100).toFixed(1)}%)`), frame);
			for (const point of analysis.failure_points) {
				assert.match(frame, new RegExp(`${point.path}\\s+${point.failures} failed run`));
			}

			for (const step of analysis.slowest_steps.slice(0, 2)) {
				assert.match(frame, new RegExp(`${step.path}\\s+${step.count}x`));
			}
		}
	} finally {
		h.cleanup();
	}
});

test('analytics: at the smallest console size the screen still says the window figures', async () => {
	const h = renderApp(EVENTS, {columns: 40, rows: 11});
	try {
		await h.ready();
		await h.press('A');
		await settle(h, frame => frame.includes('4 runs'));
		const frame = h.frame();
		assert.match(frame, /4 runs, 3 failed/);
		assert.match(frame, /FAILURE/);
		assert.ok(frame.split('\n').length <= 10);
	} finally {
		h.cleanup();
	}
});

test('analytics: scope, layout and the command line', () => {
	assert.deepEqual(analyticsScope('24h', 'env:prod target:api status:failed db'), {window: '24h', env: 'prod', target: 'api', ignored: 'status:failed db'});
	assert.deepEqual(analyticsScope('1h', ''), {window: '1h', ignored: null});
	assert.deepEqual(allocateRows([3, 5, 10, 0], 9), [2, 2, 2, 0]);
	assert.deepEqual(allocateRows([3, 5, 10, 2], 3), [2, 0, 0, 0]);
	assert.equal(windowTop(9, 3, 10), 7);
	assert.deepEqual(parseConsoleCommand(':analyze'), {kind: 'analyze', window: null});
	assert.deepEqual(parseConsoleCommand('analyze 30d'), {kind: 'analyze', window: '30d'});
	assert.equal(parseConsoleCommand('analyze 2w').kind, 'error');
	assert.deepEqual(parseConsoleCommand('level all'), {kind: 'level', level: 'info'});
	assert.deepEqual(parseConsoleCommand('level'), {kind: 'level', level: null});
});
