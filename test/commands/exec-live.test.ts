import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {execStep} from '../../source/commands/exec-step.js';
import {run as runsTail} from '../../source/commands/runs-tail.js';
import {isStuck} from '../../source/core/active-runs.js';
import type {Span} from '../../source/core/span.js';
import type {TailRecord} from '../../source/live/tail-events.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * exec records a step's output while the step runs, and beats while it is
 * quiet: one step of `echo one >&2; sleep 3; echo two` under a 2 s stuck
 * threshold, watched through the run index as it runs (in-process, no CLI).
 */

const home = tempHome();
const STUCK_AFTER_MS = 2000;
const previous = process.env['TRACEDECK_STUCK_AFTER'];
after(() => {
	if (previous === undefined) {
		delete process.env['TRACEDECK_STUCK_AFTER'];
	} else {
		process.env['TRACEDECK_STUCK_AFTER'] = previous;
	}
});

/** `runs tail run-live --json <flags>` in-process, until aborted: its records so far. */
function tail(signal: AbortSignal, ...flags: string[]): {records: () => TailRecord[]; done: Promise<number>} {
	let text = '';
	const stdout = {
		write(chunk: string) {
			text += chunk;
			return true;
		},
	};
	const done = runsTail(['run-live', '--home', home, '--json', ...flags], {stdout, stderr: {write: () => true}, signal, pollMs: 50});
	return {
		records: () =>
			text
				.split('\n')
				.filter(line => line !== '')
				.map(line => JSON.parse(line) as TailRecord),
		done,
	};
}

function stepSpan(index: RunIndex): {run: ReturnType<RunIndex['resolveRun']>; span: Span | undefined} | undefined {
	try {
		const run = index.resolveRun('run-live');
		return {run, span: index.spans(run.trace_id).find(s => s.name === 'live')};
	} catch {
		return undefined;
	}
}

test('a running step shows its stderr line live, heartbeats keep a quiet step from being stuck, stdout is recorded as stdout', {skip: process.platform === 'win32'}, async () => {
	process.env['TRACEDECK_STUCK_AFTER'] = '2s';
	const running = execStep({target: {location: {home}, redisUrl: undefined}, runId: 'run-live', segments: ['live'], retries: 0, command: ['echo one >&2; sleep 3; echo two'], fields: {}});
	let done = false;
	const finished = running.finally(() => {
		done = true;
	});
	let index: RunIndex | undefined;
	let sawOneWhileRunning = false;
	let checks = 0;
	const stopTails = new AbortController();
	let tails: {all: ReturnType<typeof tail>; errors: ReturnType<typeof tail>} | undefined;
	while (!done) {
		await sleep(200);
		index ??= (() => {
			try {
				return RunIndex.open(home, {readonly: true});
			} catch {
				return undefined;
			}
		})();
		const seen = index === undefined ? undefined : stepSpan(index);
		if (done || seen?.span === undefined || seen.span.status !== 'pending') {
			continue;
		}

		tails ??= {all: tail(stopTails.signal, '--step', 'live'), errors: tail(stopTails.signal, '--step', 'live', '--level', 'error')};
		checks++;
		assert.equal(isStuck(seen.run, Date.now(), STUCK_AFTER_MS), false, `not stuck ${Date.now() - seen.run.last_event_ms} ms after its last event`);
		if (seen.span.stderr.includes('one')) {
			sawOneWhileRunning = true;
			assert.ok(!seen.span.stderr.includes('two'));
		}
	}

	assert.equal(await finished, 0);
	assert.ok(tails, 'the tails started while the step ran');
	// runs tail --step follows the running step: "two" comes after the tail started, from the watch.
	const lines = (records: TailRecord[]) => records.map(record => [record.event_type, record.message, record.source]);
	while (!tails.all.records().some(record => record.event_type === 'step:completed')) {
		await sleep(50);
	}

	stopTails.abort();
	assert.equal(await tails.all.done, 0);
	assert.equal(await tails.errors.done, 0);
	const followed = lines(tails.all.records()).filter(([type]) => type !== 'step:started');
	assert.deepEqual(followed.slice(-2), [
		['log:stdout', 'two', 'polling'],
		['step:completed', '', 'polling'],
	]);
	assert.ok(!tails.all.records().some(record => record.event_type === 'step:progress'), 'no heartbeats in the tail');
	assert.deepEqual(
		tails.errors.records().map(record => record.message),
		['one'],
		'--level error: the stderr line, not the stdout one',
	);
	assert.ok(sawOneWhileRunning, '"one" was recorded while the step ran');
	assert.ok(checks >= 8, `checked stuck ${checks} times while it ran`);
	index ??= RunIndex.open(home, {readonly: true});
	try {
		const {run, span} = stepSpan(index)!;
		assert.equal(span?.status, 'success');
		assert.equal(span.kind, 'step');
		assert.deepEqual(span.stderr, ['one'], 'stdout lines are not in the stderr tail');
		assert.deepEqual(run.progress, {completed: 1, total: 1}, 'heartbeats are not steps');
		const events = index.events(run.trace_id).map(e => e.event);
		const two = events.find(e => e.data?.['line'] === 'two');
		assert.equal(two?.event_type, 'log:stdout');
		assert.equal(two.data?.['stream'], 'stdout');
		assert.equal(events.filter(e => e.data?.['line'] === 'one').length, 1, 'recorded once');
		assert.ok(events.filter(e => e.event_type === 'step:progress').length >= 2, 'heartbeats while quiet');
	} finally {
		index.close();
	}
});
