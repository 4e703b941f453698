import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {Run, RunStatus} from '../../source/core/run.js';
import {daySummary} from '../../source/store/run-day-summary.js';
import {RunIndex} from '../../source/store/run-index.js';
import {countRuns, countStuck, positionOf, runsBetween, type RunListing} from '../../source/store/run-page.js';
import type {SortKey} from '../../source/tui/state/console-state.js';
import {isStuck} from '../../source/core/active-runs.js';
import {filterRuns, lastDay, parseRunQuery} from '../../source/tui/state/run-filter.js';
import {tempHome} from '../helpers/temp-home.js';

const N = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;
const STUCK_AFTER = 5 * MIN;

/*
 * The SQL listing against the rules it translates (filterRuns, orderRuns,
 * isStuck, lastDay in source/tui/state/run-filter.ts) on random runs: values
 * beyond ASCII that fold oddly (İ, the Kelvin sign, Σ), LIKE's own
 * characters (% _ \), JSON's (" \), ties on start and duration, the 24 h
 * edge to the millisecond, statuses outside the four.
 */

const TEXT = ['prod', 'Prod-EU', 'staging', 'ÜMIT', 'İstanbul', '5\u212a', 'a_b', 'axb', '50%', 'x"y', 'back\\slash', 'ΣΊΣΥΦΟΣ', 'tab\there', 'deploy api', 'Deploy API', 'migrate', ''];
const STEPS = ['deploy/migrate', 'Deploy/Migrate', 'build', 'İ/k', ''];
const STARTS = [0, 30 * MIN, 24 * 60 * MIN, 24 * 60 * MIN + 1, 24 * 60 * MIN - 1, 25 * 60 * MIN, 3 * MIN];
const TOKENS = ['status:failed', 'status:stuck', 'status:running,cancelled', 'status:queued', 'status:ok', 'env:prod', 'env:ü', 'target:5k', 'user:i', 'branch:ma', 'api', 'i', 'k', 'I', '50%', 'a_b', '_', '%', 'x"y', '\\', 'ς', 'σ', 'i\u0307', 'deploy/m', 'run-1', 'ab', 'ΣΊ', 'stanbul', 'e"'];

const text = fc.constantFrom(...TEXT);
const runArb = fc.record({
	status: fc.constantFrom<string>('running', 'success', 'failed', 'cancelled', 'running', 'queued'),
	startAgo: fc.constantFrom(...STARTS),
	duration: fc.option(fc.constantFrom(0, MIN, 10 * MIN, 30 * MIN), {freq: 8}),
	quiet: fc.constantFrom(0, 4 * MIN, 5 * MIN, 6 * MIN, 60 * MIN),
	env: fc.option(text),
	target: fc.option(text),
	user: fc.option(text),
	name: text,
	git: fc.option(fc.record({branch: fc.option(text, {nil: undefined}), sha: fc.option(fc.constantFrom('abc1234', 'K1'), {nil: undefined})}, {requiredKeys: []})),
	failedStep: fc.option(fc.constantFrom(...STEPS)),
	idTail: fc.constantFrom('a', 'b', 'Z', '~', 'é'),
});

type Spec = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function toRun(spec: Spec, i: number): Run {
	const started = N - spec.startAgo;
	const running = spec.status === 'running';
	const ended = running || spec.duration === null ? null : started + spec.duration;
	return {
		run_id: `run-${i % 3}${spec.idTail}${i}`,
		trace_id: `t${i}`,
		env: spec.env,
		target: spec.target,
		plan_hash: null,
		status: spec.status as RunStatus,
		started_at: new Date(started).toISOString(),
		ended_at: ended === null ? null : new Date(ended).toISOString(),
		failed_step: spec.status === 'failed' ? spec.failedStep : null,
		retries: 0,
		runner: null,
		git: spec.git,
		user: spec.user,
		progress: {completed: 0, total: 0},
		policy: null,
		name: spec.name,
		last_event_ms: running ? N - spec.quiet : (ended ?? started),
		parent_trace_id: null,
		correlation_id: null,
		current_step: null,
	};
}

/** A run row as RunIndex writes one (its columns mirror the body). */
function insert(index: RunIndex, runs: readonly Run[]): void {
	index.db.prepare('DELETE FROM runs').run();
	const statement = index.db.prepare(`INSERT INTO runs (trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, user, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`);
	index.db.transaction(() => {
		for (const run of runs) {
			statement.run(run.trace_id, run.run_id, run.env, run.target, run.plan_hash, run.status, Date.parse(run.started_at), run.ended_at === null ? null : Date.parse(run.ended_at), run.last_event_ms, run.failed_step, run.user, JSON.stringify(run));
		}
	})();
}

test('the SQL listing keeps and orders the runs matchesRun and orderRuns do, counts them, and finds each one', () => {
	const index = RunIndex.open(tempHome());
	fc.assert(
		fc.property(fc.array(runArb, {maxLength: 40}), fc.array(fc.constantFrom(...TOKENS), {maxLength: 3}), fc.constantFrom<SortKey>('started', 'duration', 'status'), fc.nat(), fc.nat(), (specs, tokens, sort, a, b) => {
			const runs = specs.map((spec, i) => toRun(spec, i));
			insert(index, runs);
			const filter = tokens.join(' ');
			const listing: RunListing = {query: parseRunQuery(filter), order: sort, clock: {nowMs: N, stuckAfterMs: STUCK_AFTER}};
			const expected = filterRuns(runs, filter, sort, N, STUCK_AFTER).map(run => run.run_id);
			const counts = countRuns(index.db, listing);
			assert.equal(counts.total, expected.length);
			assert.equal(counts.segments[0], expected.filter(id => runs.find(run => run.run_id === id)!.status === 'running').length, 'running first');
			assert.deepEqual(
				runsBetween(index.db, listing, counts, 0, counts.total).map(run => run.run_id),
				expected,
			);
			const from = expected.length === 0 ? 0 : a % expected.length;
			const to = Math.min(expected.length, from + (b % 7));
			assert.deepEqual(
				runsBetween(index.db, listing, counts, from, to).map(run => run.run_id),
				expected.slice(from, to),
				`window ${from}..${to}`,
			);
			for (const [i, id] of expected.entries()) {
				assert.equal(positionOf(index.db, listing, counts, runs.find(run => run.run_id === id)!.trace_id), i);
			}

			const kept = runs.filter(run => expected.includes(run.run_id));
			assert.equal(countStuck(index.db, listing), kept.filter(run => isStuck(run, N, STUCK_AFTER)).length);
			assert.deepEqual(daySummary(index.db, listing.query, listing.clock), lastDay(kept, N));
		}),
		{numRuns: 300},
	);
	index.close();
});
