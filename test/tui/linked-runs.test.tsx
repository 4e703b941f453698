import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {ev, KEYS, renderApp, settle, spanEvents, T0} from './helpers.js';

/** A loan approval that started a credit check and a scoring run; the credit check and a later audit share its loan id. */
function linkedWorkflows(): TraceEvent[] {
	const run = (trace: string, name: string, start: number, links: Partial<TraceEvent>, failed = false): TraceEvent[] => [
		{...ev(trace, 'root', null, 'workflow:started', start, {name, run_id: `run-20260114-${trace}`}), ...links},
		...spanEvents(trace, 'step', 'root', 'step', 'work', start + 100, start + 900, {failed}),
		ev(trace, 'root', null, failed ? 'workflow:failed' : 'workflow:completed', start + 1000, undefined, failed ? 'failed' : 'success'),
	];
	return [
		...run('loan', 'loan approval', T0, {correlation_id: 'loan-482913-application'}),
		...run('credit', 'credit check', T0 + 10_000, {parent_trace_id: 'loan', correlation_id: 'loan-482913-application'}),
		...run('score', 'risk score', T0 + 20_000, {parent_trace_id: 'loan'}, true),
		...run('audit', 'loan audit', T0 + 30_000, {correlation_id: 'loan-482913-application'}),
	];
}

const h = renderApp(linkedWorkflows(), {initial: {screen: 'trace', run: 'run-20260114-credit'}});
after(() => h.cleanup());

test('linked runs: the banner names the parent and the correlation id (cut to fit 80 columns); L lists parent and correlated runs with their status; enter jumps; esc comes back', async () => {
	await settle(h, frame => frame.includes('parent loan approval'));
	const banner = h
		.frame()
		.split('\n')
		.find(line => line.includes('parent loan approval'));
	assert.ok(banner !== undefined, h.frame());
	assert.match(banner, /✓ ok .* · parent loan approval · correlation loan-482913-a… · r/, 'the run id is cut first');
	assert.ok(
		h
			.frame()
			.split('\n')
			.every(line => line.length <= 80),
	);

	await h.press('L');
	await settle(h, frame => frame.includes('loan audit'));
	const lines = h.frame().split('\n');
	assert.match(lines[0]!, /credit check run-20260114-credit › trace › linked/);
	assert.match(h.frame(), /correlation loan-482913-application · 2 linked runs/);
	const parent = lines.findIndex(line => /parent +✓ ok +loan approval/.test(line));
	const audit = lines.findIndex(line => /correlated +✓ ok +loan audit/.test(line));
	assert.ok(parent > 0 && audit > parent, h.frame());
	assert.doesNotMatch(h.frame(), /risk score/, 'a sibling by parent only is not linked to this run');
	assert.match(lines.at(-1)!, /enter open/);

	await h.press(KEYS.down, KEYS.enter);
	await settle(h, frame => frame.split('\n')[0]!.includes('loan audit run-20260114-audit'));
	assert.match(h.frame().split('\n')[0]!, /linked › loan audit run-20260114-audit › trace/);
	assert.match(h.frame(), /correlation loan-482913-a…/);

	await h.press(KEYS.esc);
	assert.match(h.frame().split('\n')[0]!, /› linked$/);
	await h.press(KEYS.up, KEYS.enter);
	await settle(h, frame => frame.split('\n')[0]!.includes('loan approval run-20260114-loan'));
	// On the parent: its children are listed.
	await h.press('L');
	await settle(h, frame => frame.includes('risk score'));
	assert.match(h.frame(), /child +✗ failed +risk score/);
	assert.match(h.frame(), /child +✓ ok +credit check/);
	assert.match(h.frame(), /correlated +✓ ok +loan audit/);
});
