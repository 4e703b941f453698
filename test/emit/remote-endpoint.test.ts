import assert from 'node:assert/strict';
import {once} from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {traceIdForRun} from '../../source/emit/ids.js';
import {RunIndex} from '../../source/store/run-index.js';
import {startServe, type Served} from '../helpers/serve-cli.js';
import {runSourceCli, spawnSourceCli} from '../helpers/source-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * exec and the emitter on TRACEDECK_ENDPOINT against a real `tracedeck
 * serve`: what they send is in serve's index once, in the order it was
 * written, however often serve was away meanwhile.
 */

const running: Served[] = [];
after(async () => {
	await Promise.all(running.map(async served => served.stop()));
});

async function serve(home: string, args: string[] = []): Promise<Served> {
	const served = await startServe(args, {home});
	running.push(served);
	return served;
}

function storedEvents(home: string, runId: string): Array<{id: number; event: TraceEvent}> {
	const index = RunIndex.open(home, {readonly: true});
	try {
		return index.events(traceIdForRun(runId));
	} finally {
		index.close();
	}
}

function lines(events: Array<{event: TraceEvent}>, type: string): unknown[] {
	return events.filter(({event}) => event.event_type === type).map(({event}) => event.data?.['line']);
}

describe('TRACEDECK_ENDPOINT', () => {
	it('spools while serve is down, replays in order when it is back: every event once, the CI step unharmed', async () => {
		const serveHome = tempHome();
		const runner = tempHome();
		let served = await serve(serveHome);
		const {port} = new URL(served.httpUrl);
		const exec = (runId: string, args: string[]) => runSourceCli(['exec', ...args], {home: runner, env: {TRACEDECK_ENDPOINT: served.httpUrl, TRACEDECK_RUN_ID: runId}});

		const first = exec('run-a', ['--step', 'build/compile', '--', 'echo one; echo two >&2']);
		assert.equal(first.code, 0, first.stderr);
		assert.doesNotMatch(first.stderr, /warning/);

		await served.stop();
		const second = exec('run-a', ['--step', 'build/unit', '--', 'echo three; echo four >&2; exit 3']);
		assert.equal(second.code, 3, 'the command exits as it would without tracedeck');
		assert.equal(second.stdout, 'three\n');
		assert.equal(second.stderr.match(/cannot reach/g)?.length, 1, second.stderr);

		const finish = exec('run-a', ['--finish', '--json']);
		assert.equal(finish.code, 0, finish.stderr);
		const summary = JSON.parse(finish.stdout) as {status: string; delivery: {not_delivered: number; pending: number; dropped: number}};
		assert.equal(summary.status, 'failed', 'from what this runner recorded: build/unit failed');
		assert.ok(summary.delivery.pending > 0);
		assert.equal(summary.delivery.not_delivered, summary.delivery.pending);
		assert.equal(summary.delivery.dropped, 0);
		const text = exec('run-a', ['--finish']);
		assert.match(text.stdout, /not delivered: \d+ event\(s\) \(\d+ spooled on this runner/);
		// The run is finished on this runner (its journal is gone): a second finish adds nothing, and still says what waits.
		assert.match(text.stderr, /nothing to finish/);

		served = await serve(serveHome, ['--port', port]);
		const next = exec('run-b', ['--step', 'deploy', '--', 'echo five']);
		assert.equal(next.code, 0, next.stderr);
		assert.doesNotMatch(next.stderr, /cannot reach/);
		await served.stop();

		assert.deepEqual(fs.readdirSync(path.join(runner, 'spool')), [], 'the spool is empty once replayed');
		const a = storedEvents(serveHome, 'run-a');
		const b = storedEvents(serveHome, 'run-b');
		const ids = [...a, ...b].map(({event}) => event.event_id);
		assert.equal(new Set(ids).size, ids.length, 'no event twice');
		assert.deepEqual(lines(a, 'log:stdout'), ['one', 'three']);
		assert.deepEqual(lines(a, 'log:stderr'), ['two', 'four']);
		assert.deepEqual(lines(b, 'log:stdout'), ['five']);
		// In the order written: the first step, the spooled step, the finish, then the next run's events.
		const order = a.map(({event}) => `${event.event_type}${event.data?.['step_path'] ? ` ${String(event.data['step_path'])}` : ''}`);
		assert.deepEqual(
			order.filter(type => /started|failed|completed/.test(type)),
			['workflow:started', 'stage:started build', 'step:started build/compile', 'step:completed', 'stage:completed', 'step:started build/unit', 'step:failed', 'stage:failed', 'workflow:failed'],
		);
		assert.ok(
			a.every(({id}) => b.every(later => later.id > id)),
			'run-a was replayed before run-b was sent',
		);
		assert.deepEqual(
			a.map(({id}) => id),
			a.map(({id}) => id).sort((x, y) => x - y),
		);

		const shown = runSourceCli(['runs', 'show', 'run-a', '--json'], {home: serveHome});
		const report = JSON.parse(shown.stdout) as {run: {status: string; failed_step: string}};
		assert.equal(report.run.status, 'failed');
		assert.equal(report.run.failed_step, 'build/unit');
	});

	it('two exec runners and two emitters through one serve into one index: every event once', async () => {
		const serveHome = tempHome();
		const served = await serve(serveHome);
		const env = {TRACEDECK_ENDPOINT: served.httpUrl};
		const runners = ['run-x', 'run-y'].map(runId => {
			const child = spawnSourceCli(['exec', '--step', 'work', '--', 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done'], {home: tempHome(), env: {...env, TRACEDECK_RUN_ID: runId}});
			let stderr = '';
			child.stderr.on('data', chunk => {
				stderr += String(chunk);
			});
			return once(child, 'exit').then(([code]) => ({code: code as number, stderr}));
		});
		const emitters = await Promise.all([0, 1].map(async () => TraceEmitter.open({endpoint: served.httpUrl, home: tempHome(), warn: message => assert.fail(message)})));
		const sent = await Promise.all(
			emitters.map(async (emitter, e) => {
				const run = await emitter.startRun({run_id: `run-emitter-${e}`, name: 'emitted', env: 'dev', target: 'api'});
				const events = await Promise.all(Array.from({length: 150}, async (_, i) => emitter.emit({trace_id: run.trace_id, span_id: run.span_id, event_type: 'log:stdout', data: {line: `e${e}-${i}`}})));
				await run.finish('success');
				await emitter.close();
				return events;
			}),
		);
		for (const result of await Promise.all(runners)) {
			assert.equal(result.code, 0, result.stderr);
		}

		await served.stop();
		for (const runId of ['run-x', 'run-y']) {
			const events = storedEvents(serveHome, runId);
			assert.deepEqual(
				lines(events, 'log:stdout'),
				Array.from({length: 10}, (_, i) => `line-${i + 1}`),
			);
			assert.equal(new Set(events.map(({event}) => event.event_id)).size, events.length);
		}

		for (const [e, events] of sent.entries()) {
			const stored = storedEvents(serveHome, `run-emitter-${e}`);
			// The run's start and finish, and the 150 lines.
			assert.equal(stored.length, 152);
			const ids = new Set(stored.map(({event}) => event.event_id));
			assert.equal(ids.size, stored.length);
			for (const event of events) {
				assert.ok(ids.has(event.event_id));
			}
		}
	});
});
