// Issue 12 in the console: a recovered failure is a neutral note, not the cause; a local undo in a run that succeeded is no rollback.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {ev, KEYS, renderApp, settle, spanEvents, T0, type Harness} from './helpers.js';

let harness: Harness | undefined;
afterEach(() => {
	harness?.cleanup();
	harness = undefined;
});

/** deploy ✓ after "attach spot nodes" ✗ (a fallback took over), then smoke ✗ at POST /checkout. */
function fallbackThenRealFailure(trace = 'trace-spot'): TraceEvent[] {
	return [
		ev(trace, 'root', null, 'workflow:started', T0, {name: 'deploy shop', run_id: 'run-20260114-101500-5b07000', env: 'prod', target: 'shop'}),
		ev(trace, 'deploy', 'root', 'stage:started', T0 + 100, {name: 'deploy'}),
		...spanEvents(trace, 'spot', 'deploy', 'step', 'attach spot nodes', T0 + 200, T0 + 5000, {failed: true, end: {error: {message: 'no spot capacity in eu-west-1a'}}}),
		...spanEvents(trace, 'ondemand', 'deploy', 'step', 'attach on-demand nodes', T0 + 5100, T0 + 20_000),
		ev(trace, 'deploy', 'root', 'stage:completed', T0 + 20_100, undefined, 'success'),
		ev(trace, 'smoke', 'root', 'stage:started', T0 + 20_200, {name: 'smoke'}),
		...spanEvents(trace, 'checkout', 'smoke', 'step', 'POST /checkout', T0 + 20_300, T0 + 21_000, {failed: true, end: {error: {message: 'HTTP 502 from /checkout'}}}),
		ev(trace, 'smoke', 'root', 'stage:failed', T0 + 21_100, undefined, 'failed'),
		ev(trace, 'root', null, 'workflow:failed', T0 + 21_200, undefined, 'failed'),
	];
}

/** build ✓, push ✗, undo build ✓, push via mirror ✓: the run succeeded after a local undo. */
function localUndo(trace = 'trace-undo'): TraceEvent[] {
	return [
		ev(trace, 'root', null, 'workflow:started', T0, {name: 'release lib', run_id: 'run-20260114-101500-10ca100', env: 'prod', target: 'lib'}),
		...spanEvents(trace, 'build', 'root', 'stage', 'Build', T0 + 100, T0 + 1000),
		...spanEvents(trace, 'push', 'root', 'step', 'push', T0 + 1100, T0 + 2000, {failed: true, end: {error: {message: 'registry 503'}}}),
		ev(trace, 'undo', 'root', 'saga:compensating', T0 + 2100, {name: 'undo Build', original_span_id: 'build'}),
		ev(trace, 'undo', 'root', 'saga:compensated', T0 + 2500, undefined, 'success'),
		...spanEvents(trace, 'mirror', 'root', 'step', 'push via mirror', T0 + 2600, T0 + 4000),
		ev(trace, 'root', null, 'workflow:completed', T0 + 4100, undefined, 'success'),
	];
}

test('a fallback that recovered a step is a note; the real failure is the root cause in the list, the banner and f', async () => {
	const h = renderApp(fallbackThenRealFailure(), {columns: 140});
	harness = h;
	await h.ready();
	assert.match(h.frame(), /smoke\/POST \/checkout/);
	assert.ok(!h.frame().includes('attach spot'), 'the recovered step is not where the run failed');
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('recovered failure'));
	assert.match(h.frame(), /failed at smoke\/POST \/checkout · 1 recovered failure/);
	await h.press('f');
	assert.match(h.frame(), /root cause: POST \/checkout: HTTP 502 from \/checkout/);
	assert.match(h.frame(), /attach spot nodes recovered/);
	assert.match(h.frame(), /POST \/checkout ← root cause/);
});

test('a run that succeeded after a local undo shows no root cause, no failed step and no orphan', async () => {
	const h = renderApp(localUndo());
	harness = h;
	await h.ready();
	await h.press(KEYS.enter);
	await settle(h, frame => frame.includes('push via mirror'));
	const trace = h.frame();
	assert.match(trace, /✓ ok · 4\.1s/);
	assert.ok(!trace.includes('root cause'), 'no root-cause marker in a green run');
	assert.ok(!trace.includes('failed at'), 'no failed step in a green run');
	assert.match(trace, /1 recovered failure/);
	await h.press('C');
	const comp = h.frame();
	assert.match(comp, /✓ local undo: 1 step undone and its scope went on to succeed \(no rollback\)/);
	assert.ok(!comp.includes('ORPHAN'), 'no orphan');
	assert.ok(!comp.includes('incomplete'), 'not an incomplete rollback');
	assert.match(comp, /✓ push via mirror .*no undo needed/);
});
