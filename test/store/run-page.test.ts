import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Run} from '../../source/core/run.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {daySummary} from '../../source/store/run-day-summary.js';
import {RunIndex} from '../../source/store/run-index.js';
import {countAllRuns, countRuns, countStuck, firstRuns, positionOf, readRunPage, runsBetween, type RunListing, type RunOrder} from '../../source/store/run-page.js';
import {parseRunQuery} from '../../source/tui/state/run-filter.js';
import {tempHome} from '../helpers/temp-home.js';

const N = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const STUCK_AFTER = 5 * MIN;

interface RunSpec {
	id: string;
	status: 'running' | 'success' | 'failed' | 'cancelled';
	start: number;
	/** Finished runs: when the root ended. */
	end?: number;
	/** Failed runs: the step path that failed (each part a nested span, all failed). */
	failAt?: string;
	/** Running runs: the open step path, opened at `quietSince` (its last event). */
	current?: string;
	quietSince?: number;
	name: string;
	env?: string;
	target?: string;
	user?: string;
	branch?: string;
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** The events a producer would send for one run; the run index folds them as it does any run. */
function runEvents(spec: RunSpec): TraceEvent[] {
	const trace = `t-${spec.id}`;
	const root = 'root';
	const events: TraceEvent[] = [
		{
			trace_id: trace,
			span_id: root,
			event_type: 'workflow:started',
			timestamp: iso(spec.start),
			data: {name: spec.name, run_id: `run-${spec.id}`, env: spec.env, target: spec.target, user: spec.user, git: spec.branch ? {branch: spec.branch, sha: `sha${spec.id}`} : undefined},
		},
	];
	const nested = (path: string, at: number): string => {
		let parent = root;
		for (const [i, part] of path.split('/').entries()) {
			const span = `${part}-${i}`;
			events.push({trace_id: trace, span_id: span, parent_span_id: parent, event_type: i === 0 ? 'stage:started' : 'step:started', timestamp: iso(at + i), data: {name: part}});
			parent = span;
		}

		return parent;
	};

	if (spec.status === 'running') {
		const open = nested(spec.current!, spec.quietSince! - 10);
		// The open step's last word is the run's last event: it is quiet since then.
		events.push({trace_id: trace, span_id: open, event_type: 'log:stderr', timestamp: iso(spec.quietSince!), data: {line: 'working'}});
		return events;
	}

	if (spec.status === 'failed') {
		const parts = spec.failAt!.split('/');
		nested(spec.failAt!, spec.start + 1000);
		for (let i = parts.length - 1; i >= 0; i--) {
			events.push({trace_id: trace, span_id: `${parts[i]}-${i}`, event_type: i === 0 ? 'stage:failed' : 'step:failed', status: 'failed', timestamp: iso(spec.end! - 10 + i), data: {error: {message: `${parts[i]} broke`}}});
		}

		events.push({trace_id: trace, span_id: root, event_type: 'workflow:failed', status: 'failed', timestamp: iso(spec.end!)});
		return events;
	}

	events.push({trace_id: trace, span_id: 'build-0', parent_span_id: root, event_type: 'stage:started', timestamp: iso(spec.start + 1000), data: {name: 'build'}});
	events.push({trace_id: trace, span_id: 'build-0', event_type: 'stage:completed', status: 'success', timestamp: iso(spec.end! - 1000)});
	events.push({trace_id: trace, span_id: root, event_type: spec.status === 'cancelled' ? 'workflow:cancelled' : 'workflow:completed', status: spec.status === 'cancelled' ? undefined : 'success', timestamp: iso(spec.end!)});
	return events;
}

/*
 * Eight runs, now = N. Started and duration:
 *   A running   N-30m  (30m so far)  staging/web     alice  main           at build since N-1m
 *   B running   N-2h   (2h so far)   prod/api        bob    feature/login  at deploy/migrate since N-20m: stuck (> 5m)
 *   C success   N-5m   1m            prod/api        Alina  "Deploy API"
 *   D failed    N-1h   10m           prod/api        carol  at deploy/migrate
 *   E cancelled N-1h   2m            staging/worker         (ties D on start: run-d before run-e)
 *   F success   N-25h  30m           dev/api                (outside the 24 h)
 *   G failed    N-24h  5m            prod/web               at deploy/migrate (exactly on the 24 h edge: inside)
 *   H failed    N-24h-1ms 10m        prod-eu/api            at build (1 ms outside)
 */
const SPECS: RunSpec[] = [
	{id: 'a', status: 'running', start: N - 30 * MIN, current: 'build', quietSince: N - MIN, name: 'ci web', env: 'staging', target: 'web', user: 'alice', branch: 'main'},
	{id: 'b', status: 'running', start: N - 2 * HOUR, current: 'deploy/migrate', quietSince: N - 20 * MIN, name: 'deploy api', env: 'prod', target: 'api', user: 'bob', branch: 'feature/login'},
	{id: 'c', status: 'success', start: N - 5 * MIN, end: N - 4 * MIN, name: 'Deploy API', env: 'prod', target: 'api', user: 'Alina'},
	{id: 'd', status: 'failed', start: N - HOUR, end: N - 50 * MIN, failAt: 'deploy/migrate', name: 'deploy api', env: 'prod', target: 'api', user: 'carol'},
	{id: 'e', status: 'cancelled', start: N - HOUR, end: N - 58 * MIN, name: 'worker sync', env: 'staging', target: 'worker'},
	{id: 'f', status: 'success', start: N - 25 * HOUR, end: N - 24.5 * HOUR, name: 'nightly', env: 'dev', target: 'api'},
	{id: 'g', status: 'failed', start: N - 24 * HOUR, end: N - 24 * HOUR + 5 * MIN, failAt: 'deploy/migrate', name: 'deploy web', env: 'prod', target: 'web'},
	{id: 'h', status: 'failed', start: N - 24 * HOUR - 1, end: N - 24 * HOUR - 1 + 10 * MIN, failAt: 'build', name: 'deploy api', env: 'prod-eu', target: 'api'},
];

function openIndex(specs: readonly RunSpec[]): RunIndex {
	const index = RunIndex.open(tempHome());
	index.appendEvents(specs.flatMap(spec => runEvents(spec)));
	return index;
}

function listing(filter: string, order: RunOrder = 'started', nowMs = N): RunListing {
	return {query: parseRunQuery(filter), order, clock: {nowMs, stuckAfterMs: STUCK_AFTER}};
}

const letters = (runs: readonly Run[]): string => runs.map(run => run.run_id.replace('run-', '')).join('');

function all(index: RunIndex, l: RunListing): Run[] {
	const counts = countRuns(index.db, l);
	return runsBetween(index.db, l, counts, 0, counts.total);
}

test('the runs fold as the table above says (the fixture the other tests stand on)', () => {
	const index = openIndex(SPECS);
	const runs = all(index, listing(''));
	const byId = new Map(runs.map(run => [run.run_id, run]));
	assert.equal(byId.get('run-b')?.current_step, 'deploy/migrate');
	assert.equal(byId.get('run-a')?.current_step, 'build');
	assert.equal(byId.get('run-b')?.last_event_ms, N - 20 * MIN);
	assert.equal(byId.get('run-d')?.failed_step, 'deploy/migrate');
	assert.equal(byId.get('run-h')?.failed_step, 'build');
	assert.equal(byId.get('run-e')?.status, 'cancelled');
	assert.equal(byId.get('run-e')?.ended_at, iso(N - 58 * MIN));
	assert.equal(byId.get('run-g')?.started_at, iso(N - 24 * HOUR));
	index.close();
});

test('the three sorts over the whole index, running runs first', () => {
	const index = openIndex(SPECS);
	// started: running by start (A, B), then newest first; D and E start together: run id decides.
	assert.equal(letters(all(index, listing(''))), 'abcdeghf');
	// duration: B 2h, A 30m; then F 30m, D 10m, H 10m (tie: D started later), G 5m, E 2m, C 1m.
	assert.equal(letters(all(index, listing('', 'duration'))), 'bafdhgec');
	// status: running, then failed (D, G, H by start), cancelled (E), success (C, F).
	assert.equal(letters(all(index, listing('', 'status'))), 'abdghecf');
	index.close();
});

test('the filter language over the whole index: fields, stuck, case-insensitive text, running step', () => {
	const index = openIndex(SPECS);
	const cases: Array<[string, string]> = [
		['status:failed', 'dgh'],
		['status:stuck', 'b'],
		['status:stuck,cancelled', 'be'],
		['status:error', 'dgh'],
		['env:prod', 'bcdgh'],
		['env:prod target:api', 'bcdh'],
		['env:prod,dev target:web', 'g'],
		['user:ali', 'ac'],
		['user:ALI', 'ac'],
		['branch:feat', 'b'],
		// failed_step for D and G, the running step of B
		['migrate', 'bdg'],
		// names (C's "Deploy API" in any case) and F's target
		['api', 'bcdhf'],
		['status:failed api', 'dh'],
		['sha', 'ab'],
		['nothing-like-this', ''],
	];
	for (const [filter, expected] of cases) {
		assert.equal(letters(all(index, listing(filter))), expected, filter);
		assert.equal(countRuns(index.db, listing(filter)).total, expected.length, `${filter}: count`);
	}

	assert.equal(countAllRuns(index.db), 8);
	index.close();
});

test('counts, stuck runs and windows: any slice of the list, across segments and from either end', () => {
	const index = openIndex(SPECS);
	const l = listing('');
	const counts = countRuns(index.db, l);
	assert.deepEqual(counts, {total: 8, segments: [2, 6]});
	assert.equal(countStuck(index.db, l), 1, 'B');
	assert.equal(countStuck(index.db, listing('env:staging')), 0, 'A is running but not quiet');
	// a b | c d e g h f
	assert.equal(letters(runsBetween(index.db, l, counts, 1, 4)), 'bcd', 'across the running/finished boundary');
	assert.equal(letters(runsBetween(index.db, l, counts, 5, 8)), 'ghf', 'the end, read backwards and turned round');
	assert.equal(letters(runsBetween(index.db, l, counts, 2, 3)), 'c');
	assert.equal(letters(runsBetween(index.db, l, counts, 8, 9)), '');
	const byStatus = listing('', 'status');
	const statusCounts = countRuns(index.db, byStatus);
	assert.deepEqual(statusCounts, {total: 8, segments: [2, 3, 1, 2, 0]}, 'running, failed, cancelled, success, other');
	// a b | d g h | e | c f
	assert.equal(letters(runsBetween(index.db, byStatus, statusCounts, 1, 7)), 'bdghec');
	assert.equal(letters(firstRuns(index.db, l, 3)), 'abc');
	assert.equal(letters(firstRuns(index.db, listing('status:failed'), 10)), 'dgh');
	index.close();
});

test("a run's position in each sort and filter, and none when the filter drops it", () => {
	const index = openIndex(SPECS);
	for (const [filter, order, expected] of [
		['', 'started', 'abcdeghf'],
		['', 'duration', 'bafdhgec'],
		['', 'status', 'abdghecf'],
		['env:prod', 'started', 'bcdgh'],
		['api', 'duration', 'bfdhc'],
	] as const) {
		const l = listing(filter, order);
		const counts = countRuns(index.db, l);
		for (const [i, letter] of [...expected].entries()) {
			assert.equal(positionOf(index.db, l, counts, `t-${letter}`), i, `${filter} ${order}: ${letter}`);
		}
	}

	const failed = listing('status:failed');
	assert.equal(positionOf(index.db, failed, countRuns(index.db, failed), 't-c'), undefined);
	assert.equal(positionOf(index.db, failed, countRuns(index.db, failed), 'no-such-trace'), undefined);
	index.close();
});

test('the last 24 hours: runs on both sides of the edge, failed, the top failure point; the filter applies', () => {
	const index = openIndex(SPECS);
	const clock = {nowMs: N, stuckAfterMs: STUCK_AFTER};
	// Started at or after N-24h: A B C D E G (G exactly on the edge); F and H (1 ms out) are not.
	// Failed among them: D and G, both at deploy/migrate (H's "build" is outside).
	assert.deepEqual(daySummary(index.db, parseRunQuery(''), clock), {total: 6, failed: 2, top: {step: 'deploy/migrate', count: 2}});
	// One millisecond later G drops out: A B C D E, D failed.
	assert.deepEqual(daySummary(index.db, parseRunQuery(''), {...clock, nowMs: N + 1}), {total: 5, failed: 1, top: {step: 'deploy/migrate', count: 1}});
	// One millisecond earlier H is in: its "build" ties nothing, migrate still has two.
	assert.deepEqual(daySummary(index.db, parseRunQuery(''), {...clock, nowMs: N - 1}), {total: 7, failed: 3, top: {step: 'deploy/migrate', count: 2}});
	// env:prod: B C D G (H is prod-eu but outside); target:web: A G; cancelled: E only.
	assert.deepEqual(daySummary(index.db, parseRunQuery('env:prod'), clock), {total: 4, failed: 2, top: {step: 'deploy/migrate', count: 2}});
	assert.deepEqual(daySummary(index.db, parseRunQuery('target:web'), clock), {total: 2, failed: 1, top: {step: 'deploy/migrate', count: 1}});
	assert.deepEqual(daySummary(index.db, parseRunQuery('status:cancelled'), clock), {total: 1, failed: 0, top: null});
	assert.deepEqual(daySummary(index.db, parseRunQuery('env:nowhere'), clock), {total: 0, failed: 0, top: null});
	index.close();
});

test('failure points tie: the first step by name wins', () => {
	// Two failures each at "b-step" and "a-step" within the day: a-step, ×2.
	const specs: RunSpec[] = ['b-step', 'a-step', 'b-step', 'a-step'].map((step, i) => ({id: `p${i}`, status: 'failed', start: N - (i + 1) * HOUR, end: N - (i + 1) * HOUR + MIN, failAt: step, name: 'x'}));
	const index = openIndex(specs);
	assert.deepEqual(daySummary(index.db, parseRunQuery(''), {nowMs: N, stuckAfterMs: STUCK_AFTER}), {total: 4, failed: 4, top: {step: 'a-step', count: 2}});
	index.close();
});

test('text matches as matchesRun does: LIKE wildcards are literal, case folds as JavaScript folds it', () => {
	const names = ['ship 50%', 'ship 500', 'a_b', 'axb', 'back\\slash', 'İSTANBUL', '5\u212a run', 'ÜMIT', 'quote"d'];
	const specs: RunSpec[] = names.map((name, i) => ({id: `n${i}`, status: 'success', start: N - (i + 1) * MIN, end: N - i * MIN - 1000, name}));
	const index = openIndex(specs);
	const matching = (filter: string): string[] => all(index, listing(filter)).map(run => run.name);
	assert.deepEqual(matching('50%'), ['ship 50%'], '% is a character, not a wildcard');
	assert.deepEqual(matching('a_b'), ['a_b'], '_ is a character, not a wildcard');
	assert.deepEqual(matching('k\\s'), ['back\\slash']);
	assert.deepEqual(matching('ümit'), ['ÜMIT'], 'beyond ASCII: toLowerCase folds Ü');
	// "İSTANBUL".toLowerCase() is "i̇stanbul": an i, a combining dot, then "stanbul".
	assert.deepEqual(matching('istanbul'), [], 'the combining dot sits between i and s');
	assert.deepEqual(matching('i\u0307stanbul'), ['İSTANBUL']);
	assert.deepEqual(matching('stanbul'), ['İSTANBUL']);
	assert.deepEqual(matching('5k'), ['5\u212a run'], 'the Kelvin sign folds into k');
	assert.deepEqual(matching('quote"d'), ['quote"d']);
	index.close();
});

test('readRunPage: a window around the selected run, found again after new runs push it down', () => {
	const index = openIndex(SPECS);
	const l = listing('');
	let page = readRunPage(index.db, l, {traceId: 't-e', index: 4}, 3);
	assert.equal(page.selected, 4);
	assert.equal(page.offset, 3);
	assert.equal(letters(page.runs), 'deg');
	assert.equal(page.indexTotal, 8);
	assert.deepEqual(page.day, {total: 6, failed: 2, top: {step: 'deploy/migrate', count: 2}});
	assert.equal(page.stuck, 1);
	// Two newer runs arrive; E is now at 6.
	index.appendEvents([...runEvents({id: 'i', status: 'success', start: N - 2 * MIN, end: N - MIN, name: 'x'}), ...runEvents({id: 'j', status: 'success', start: N - 3 * MIN, end: N - MIN, name: 'x'})]);
	page = readRunPage(index.db, l, {traceId: 't-e', index: 4}, 3);
	assert.equal(page.selected, 6);
	assert.equal(letters(page.runs), 'deg');
	// A run the filter drops: the selection keeps its place, within the list.
	page = readRunPage(index.db, listing('status:failed'), {traceId: 't-e', index: 7}, 3);
	assert.equal(page.selected, 2);
	assert.equal(letters(page.runs), 'dgh');
	assert.equal(page.indexTotal, 10);
	// No selection yet: the top (running first, then the newest, I).
	page = readRunPage(index.db, l, {traceId: null, index: 0}, 3);
	assert.equal(letters(page.runs), 'abi');
	index.close();
});
