// Issue 12: the root-cause, saga-scope and every-root rules on runs as they really happen.
// Each hand-made trace has its answer worked out in the comment above it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {compensationChains} from '../../source/core/compensations.js';
import {criticalPath} from '../../source/core/critical-path.js';
import {decisionOutcomes} from '../../source/core/decisions.js';
import {isUnrecoveredFailure, recoveredFailures, rootCauseFailure} from '../../source/core/failure.js';
import {buildRunReport} from '../../source/core/run-report.js';
import {summarizeRun} from '../../source/core/run-summary.js';
import type {Span, SpanStatus} from '../../source/core/span.js';
import {buildTree, pathTo} from '../../source/core/tree.js';
import {failed, span} from './span-builder.js';

function undo(id: string, parent: string, original: string, start: number, end: number | null, status?: SpanStatus): Span {
	const settled: SpanStatus = status ?? (end === null ? 'pending' : 'success');
	const phase = settled === 'failed' ? 'compensation_failed' : settled === 'pending' ? 'compensating' : 'compensated';
	return span(id, parent, start, end, {kind: 'saga', status: settled, last_event_type: `saga:${phase}`, attributes: {original_span_id: original}});
}

function report(spans: Span[]) {
	const run = summarizeRun(spans)!;
	return buildRunReport(run, spans);
}

test('a recovered failure, then a real one: the real one is the root cause', () => {
	// root ✗ 0..100
	// ├ deploy ✓ 0..50            (succeeded: what failed below it was recovered)
	// │ ├ attach spot nodes ✗ 5..10   recovered by
	// │ └ fallback on-demand ✓ 10..40
	// └ smoke ✗ 50..95
	//   └ POST /checkout ✗ 60..70     the root cause: unrecovered, nothing failed below it
	// Before: "attach spot nodes" (failed first, ended first) was blamed.
	const spans = [
		failed('root', null, 0, 100, {kind: 'workflow', name: 'deploy api'}),
		span('deploy', 'root', 0, 50, {kind: 'stage'}),
		failed('attach', 'deploy', 5, 10, {name: 'attach spot nodes'}),
		span('fallback', 'deploy', 10, 40, {name: 'fallback on-demand'}),
		failed('smoke', 'root', 50, 95, {kind: 'stage'}),
		failed('checkout', 'smoke', 60, 70, {name: 'POST /checkout'}),
	];
	const r = report(spans);
	assert.equal(r.run.status, 'failed');
	assert.equal(r.failure?.span_id, 'checkout');
	assert.deepEqual(r.failure?.path, ['root', 'smoke', 'checkout']);
	assert.equal(r.run.failed_step, 'smoke/POST /checkout');
	assert.deepEqual(r.recovered, ['attach']);
});

test('a run that succeeded after a local undo has no root cause, no failed step and no orphans', () => {
	// root ✓ 0..100
	// ├ build ✓ 0..20
	// ├ push ✗ 20..30              recovered (root succeeded)
	// ├ undo build ✓ 30..40        compensation in root's scope, which succeeded: a local undo
	// └ push via mirror ✓ 40..90
	// Before: "✗ compensation incomplete: 1 orphan (build)" and a root-cause marker on push.
	const spans = [span('root', null, 0, 100, {kind: 'workflow'}), span('build', 'root', 0, 20), failed('push', 'root', 20, 30), undo('undo-build', 'root', 'build', 30, 40), span('mirror', 'root', 40, 90, {name: 'push via mirror'})];
	const r = report(spans);
	assert.equal(r.run.status, 'success');
	assert.equal(r.failure, null);
	assert.equal(r.run.failed_step, null);
	assert.deepEqual(r.recovered, ['push']);
	assert.deepEqual(r.orphans, []);
	assert.deepEqual(
		r.compensations.map(c => [c.span_id, c.scope_span_id, c.scope]),
		[['undo-build', 'root', 'local_undo']],
	);
});

test('a local undo whose compensation failed leaves that step as an orphan even in a scope that succeeded', () => {
	// root ✓ ├ build ✓ 0..20 ├ undo build ✗ 30..40 └ retry ✓ 40..60: build was never undone.
	const spans = [span('root', null, 0, 100, {kind: 'workflow'}), span('build', 'root', 0, 20), undo('undo-build', 'root', 'build', 30, 40, 'failed'), span('retry', 'root', 40, 60)];
	assert.deepEqual(compensationChains(buildTree(spans)).orphans, ['build']);
});

test('a failed saga with a failing compensation: the forward failure is the cause, the failed undo an orphan', () => {
	// checkout (stage) ✗ 0..60, in root ✗ 0..70
	// ├ reserve ✓ 0..10
	// ├ charge ✓ 10..20
	// ├ ship ✗ 20..30                 root cause: ended before the failed undo
	// ├ undo charge ✓ 30..40
	// ├ undo reserve ✗ 40..50         unrecovered too, but ended later
	// └ notify ✓ 32..45                finished after the rollback began: not an orphan
	// Orphans of checkout's rollback: reserve (its undo failed). charge was undone.
	const spans = [
		failed('root', null, 0, 70, {kind: 'workflow'}),
		failed('checkout', 'root', 0, 60, {kind: 'stage'}),
		span('reserve', 'checkout', 0, 10),
		span('charge', 'checkout', 10, 20),
		failed('ship', 'checkout', 20, 30),
		undo('undo-charge', 'checkout', 'charge', 30, 40),
		undo('undo-reserve', 'checkout', 'reserve', 40, 50, 'failed'),
		span('notify', 'checkout', 32, 45),
	];
	const r = report(spans);
	assert.equal(r.failure?.span_id, 'ship');
	assert.deepEqual(r.orphans, ['reserve']);
	assert.deepEqual(
		r.compensations.map(c => [c.span_id, c.scope]),
		[
			['undo-charge', 'rollback'],
			['undo-reserve', 'rollback'],
		],
	);
});

test('a rolled-back scope orphans the steps it completed and never undid; a sibling scope that succeeded orphans nothing', () => {
	// root ✗ 0..200
	// ├ provision (stage) ✓ 0..50       local undo inside: its scope succeeded
	// │ ├ vpc ✓ 0..10
	// │ ├ undo vpc ✓ 10..15
	// │ └ vpc again ✓ 15..50
	// └ release (stage) ✗ 60..150       rolling back
	//   ├ tag ✓ 60..70                  completed before the first undo (90), never undone: orphan
	//   ├ publish ✓ 70..80              undone
	//   ├ announce ✗ 80..90
	//   └ undo publish ✓ 90..100
	const spans = [
		failed('root', null, 0, 200, {kind: 'workflow'}),
		span('provision', 'root', 0, 50, {kind: 'stage'}),
		span('vpc', 'provision', 0, 10),
		undo('undo-vpc', 'provision', 'vpc', 10, 15),
		span('vpc2', 'provision', 15, 50),
		failed('release', 'root', 60, 150, {kind: 'stage'}),
		span('tag', 'release', 60, 70),
		span('publish', 'release', 70, 80),
		failed('announce', 'release', 80, 90),
		undo('undo-publish', 'release', 'publish', 90, 100),
	];
	const chains = compensationChains(buildTree(spans));
	assert.deepEqual(chains.orphans, ['tag']);
	assert.deepEqual(
		chains.compensations.map(c => [c.span_id, c.scope_span_id, c.scope]),
		[
			['undo-vpc', 'provision', 'local_undo'],
			['undo-publish', 'release', 'rollback'],
		],
	);
});

test('two roots that never joined: the window covers both, the path runs through both in time order', () => {
	// web (declared root) ✓ 1000..1100 └ render ✓ 1010..1090
	// worker (parent "queue" never arrived) ✗ 1150..1300 └ job ✗ 1160..1200
	// Window 1000..1300; status failed (worker's failure reached no success above it); cause: job.
	// Path: web's window (web 1000..1010, render 1010..1090, web 1090..1100), then worker's
	// (worker 1150..1160, job 1160..1200, worker 1200..1300).
	const spans = [span('web', null, 1000, 1100, {kind: 'workflow'}), span('render', 'web', 1010, 1090), failed('worker', 'queue', 1150, 1300, {kind: 'stage'}), failed('job', 'worker', 1160, 1200)];
	const r = report(spans);
	assert.equal(r.run.started_at, new Date(1000).toISOString());
	assert.equal(r.run.ended_at, new Date(1300).toISOString());
	assert.equal(r.run.status, 'failed');
	assert.equal(r.failure?.span_id, 'job');
	assert.deepEqual(
		r.critical_path.map(s => [s.span_id, s.start_ms, s.end_ms]),
		[
			['web', 1000, 1010],
			['render', 1010, 1090],
			['web', 1090, 1100],
			['worker', 1150, 1160],
			['job', 1160, 1200],
			['worker', 1200, 1300],
		],
	);
});

test('a failure inside a still-running stage is the root cause so far; the run still runs', () => {
	// root … 0..   └ deploy … 10..   └ migrate ✗ 20..30: no ancestor succeeded (they are open).
	// A decision at 5 is followed by that unrecovered failure: its outcome is failed already.
	const spans = [span('root', null, 0, null, {kind: 'workflow'}), span('choose', 'root', 5, 6, {kind: 'ai', last_event_type: 'ai:decision', attributes: {decision: 'B'}}), span('deploy', 'root', 10, null, {kind: 'stage'}), failed('migrate', 'deploy', 20, 30)];
	const r = report(spans);
	assert.equal(r.run.status, 'running');
	assert.equal(r.failure?.span_id, 'migrate');
	assert.equal(r.run.failed_step, 'deploy/migrate');
	assert.deepEqual(r.recovered, []);
	assert.deepEqual(
		r.decisions.map(d => [d.outcome, d.downstream_failed_span_id]),
		[['failed', 'migrate']],
	);
});

test('a decision followed only by a recovered failure succeeded', () => {
	// root ✓ ├ choose (decision) 0..1 └ step ✓ 10..50 └ try ✗ 10..20 (recovered by step's success)
	const spans = [span('root', null, 0, 100, {kind: 'workflow'}), span('choose', 'root', 0, 1, {kind: 'ai', last_event_type: 'ai:decision', attributes: {decision: 'B'}}), span('step', 'root', 10, 50), failed('try', 'step', 10, 20)];
	assert.deepEqual(
		decisionOutcomes(buildTree(spans), 'success').map(d => d.outcome),
		['success'],
	);
});

test('a root that failed with only recovered failures below it is its own root cause', () => {
	// root ✗ └ stage ✓ └ step ✗: step was recovered by stage; the root failed on its own.
	const t = buildTree([failed('root', null, 0, 100), span('stage', 'root', 0, 50), failed('step', 'stage', 0, 10)]);
	assert.equal(rootCauseFailure(t)?.span.span_id, 'root');
	assert.deepEqual(
		recoveredFailures(t).map(s => s.span_id),
		['step'],
	);
});

// Random traces with statuses, open spans, lost parents (several roots) and compensations.
const randomRun = fc
	.array(
		fc.record({
			parent: fc.nat(),
			orphanParent: fc.integer({min: 0, max: 9}),
			start: fc.integer({min: 0, max: 200}),
			length: fc.integer({min: 0, max: 120}),
			open: fc.integer({min: 0, max: 5}),
			failed: fc.boolean(),
			compensates: fc.option(fc.nat(), {nil: undefined}),
			kind: fc.constantFrom('step', 'stage', 'task'),
		}),
		{minLength: 1, maxLength: 30},
	)
	.map(rows =>
		rows.map((row, i): Span => {
			const end = row.open === 0 ? null : row.start + row.length;
			// One span in ten loses its parent: the trace gets a second root.
			const parent = i === 0 ? null : row.orphanParent === 0 ? `lost-${i}` : `s${row.parent % i}`;
			const status: SpanStatus = end === null ? 'pending' : row.failed ? 'failed' : 'success';
			if (row.compensates !== undefined && i > 0) {
				return undo(`s${i}`, parent ?? 's0', `s${row.compensates % i}`, row.start, end, status);
			}

			return span(`s${i}`, parent, row.start, end, {kind: i === 0 ? 'workflow' : row.kind, status});
		}),
	);

test('a failure recovered above it that rolled back still leaves the steps it never undid, in a run that succeeded', () => {
	// The counterexample the property below found in CI (it had asked for more than the rule says).
	// root ✓ 0..100
	// └ deploy ✓ 0..90                 recovered the failure below it
	//   ├ warm caches ✓ 0..5
	//   ├ canary (stage) ✗ 0..40       failed: rolling back
	//   │ ├ reserve ✓ 0..10            completed before the first undo (20), never undone: orphan
	//   │ ├ route ✗ 10..20
	//   │ └ undo warm caches … 20..    undoes a step outside the canary, still running
	//   └ full rollout ✓ 40..90
	// The run succeeded and nothing is blamed, but the canary's reservation was left in place.
	const spans = [
		span('root', null, 0, 100, {kind: 'workflow'}),
		span('deploy', 'root', 0, 90, {kind: 'stage'}),
		span('warm', 'deploy', 0, 5, {name: 'warm caches'}),
		failed('canary', 'deploy', 0, 40, {kind: 'stage'}),
		span('reserve', 'canary', 0, 10),
		failed('route', 'canary', 10, 20),
		undo('undo-warm', 'canary', 'warm', 20, null),
		span('rollout', 'deploy', 40, 90),
	];
	const r = report(spans);
	assert.equal(r.run.status, 'success');
	assert.equal(r.failure, null);
	assert.equal(r.run.failed_step, null);
	assert.deepEqual(r.recovered.sort(), ['canary', 'route']);
	assert.deepEqual(r.orphans, ['reserve']);
	assert.deepEqual(
		r.compensations.map(c => [c.span_id, c.scope_span_id, c.scope]),
		[['undo-warm', 'canary', 'rollback']],
	);
});

test('property: a run that succeeded has no root cause; its orphans are steps whose undo failed or steps of a failed scope that rolled back', () => {
	fc.assert(
		fc.property(randomRun, spans => {
			const run = summarizeRun(spans)!;
			const t = buildTree(spans);
			if (run.status !== 'success') {
				return;
			}

			assert.equal(rootCauseFailure(t), null);
			assert.equal(run.failed_step, null);
			const chains = compensationChains(t);
			const rollbacks = new Set(chains.compensations.filter(c => c.scope === 'rollback').map(c => c.scope_span_id));
			for (const orphan of chains.orphans) {
				const undos = chains.compensations.filter(c => c.original_span_id === orphan);
				const undoFailed = undos.length > 0 && undos.every(c => c.status !== 'success') && undos.some(c => c.status === 'failed');
				// A scope that succeeded only ran a local undo: an orphan there needs a failed undo of its own.
				const inRollback = pathTo(t, orphan)
					.slice(0, -1)
					.some(s => rollbacks.has(s.span_id) && s.status !== 'success');
				assert.ok(undoFailed || inRollback, `orphan ${orphan} in a run that succeeded had no failed undo and no rolled-back scope`);
			}
		}),
		{numRuns: 1000},
	);
});

test('property: the root cause is an unrecovered failure whose ancestors all failed or still run', () => {
	fc.assert(
		fc.property(randomRun, spans => {
			const t = buildTree(spans);
			const failure = rootCauseFailure(t);
			if (failure === null) {
				assert.ok(
					[...t.byId.values()].every(s => !isUnrecoveredFailure(t, s)),
					'no root cause means no unrecovered failure',
				);
				return;
			}

			assert.equal(failure.span.status, 'failed');
			for (const ancestor of pathTo(t, failure.span.span_id).slice(0, -1)) {
				assert.ok(ancestor.status === 'failed' || ancestor.status === 'pending', `ancestor ${ancestor.span_id} is ${ancestor.status}`);
			}

			const unrecoveredBelow = [...t.byId.values()].filter(s => s !== failure.span && isUnrecoveredFailure(t, s) && pathTo(t, s.span_id).includes(failure.span));
			assert.deepEqual(unrecoveredBelow, [], 'no unrecovered failure below the root cause');
		}),
		{numRuns: 1000},
	);
});

test("property: the critical path of a multi-root trace covers each root's end, each root's segments inside its own tree", () => {
	fc.assert(
		fc.property(randomRun, fc.integer({min: 0, max: 400}), (spans, now) => {
			const t = buildTree(spans);
			const path = criticalPath(t, now);
			const rootOf = (id: string): string => pathTo(t, id)[0]!.span_id;
			for (const root of t.roots) {
				const end = Math.max(root.start_ms, root.end_ms ?? now);
				if (end === root.start_ms) {
					continue;
				}

				const own = path.filter(s => rootOf(s.span_id) === root.span_id);
				assert.ok(own.length > 0, `root ${root.span_id} has a path`);
				assert.equal(own[0]!.start_ms, root.start_ms);
				assert.equal(own.at(-1)!.end_ms, end, `root ${root.span_id}'s end is covered`);
			}

			for (let i = 1; i < path.length; i++) {
				assert.ok(path[i - 1]!.start_ms <= path[i]!.start_ms || rootOf(path[i - 1]!.span_id) !== rootOf(path[i]!.span_id), 'roots in time order');
			}
		}),
		{numRuns: 500},
	);
});

test('property: the run window covers every span', () => {
	fc.assert(
		fc.property(randomRun, spans => {
			const run = summarizeRun(spans)!;
			const started = Date.parse(run.started_at);
			for (const s of spans) {
				assert.ok(s.start_ms >= started);
				if (run.ended_at !== null && s.end_ms !== null) {
					assert.ok(s.end_ms <= Date.parse(run.ended_at));
				}
			}
		}),
		{numRuns: 500},
	);
});
