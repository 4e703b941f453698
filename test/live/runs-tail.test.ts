import assert from 'node:assert/strict';
import {test} from 'node:test';
import {NotFoundError} from '../../source/core/errors.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {run} from '../../source/commands/runs-tail.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {createRedisPublisher} from '../../source/live/redis-publisher.js';
import {simulateLiveRun} from '../../source/live/simulate-run.js';
import type {TailRecord} from '../../source/live/tail-events.js';
import type {RunIndex} from '../../source/store/run-index.js';
import {captureLogger, newTraceId, nthEvent, TEST_PUBLISHER, waitFor} from './live-helpers.js';
import {tempIndex} from '../helpers/temp-index.js';
import {testRedisForFile} from '../helpers/redis-server.js';
import {runSourceCli} from '../helpers/source-cli.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const redis = testRedisForFile();

function capture() {
	const out = {
		text: '',
		isTTY: false,
		write(chunk: string) {
			out.text += chunk;
			return true;
		},
		lines: () => out.text.split('\n').filter(line => line !== ''),
		records: () => out.lines().map(line => JSON.parse(line) as TailRecord),
	};
	return out;
}

async function firstRunId(index: RunIndex): Promise<string> {
	await waitFor(() => index.listRuns().length > 0, 'the run to be stored');
	return index.listRuns()[0]!.run_id;
}

function storedEvents(index: RunIndex, runId: string): TraceEvent[] {
	return index.events(index.resolveRun(runId).trace_id).map(stored => stored.event);
}

test('tails a live run from its start to its end, one plain line per event, and exits 0', async () => {
	const {home, index, cleanup} = tempIndex();
	try {
		const simulation = simulateLiveRun(new EventWriter(new SqliteStore(index)), {seed: 3, durationMs: 800, outcome: 'failed'});
		const runId = await firstRunId(index);
		const out = capture();
		const code = await run([runId, '--home', home], {stdout: out, pollMs: 30});
		const simulated = await simulation;
		assert.equal(code, 0);
		const lines = out.lines();
		assert.equal(lines.length, simulated.events, 'every event, once');
		assert.doesNotMatch(out.text, /\u001b/, 'no colour when stdout is not a terminal');
		assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} … running +deploy api {2}workflow:started$/);
		assert.match(lines.at(-1)!, /✗ failed +deploy api {2}workflow:failed {2}POST \/v1\/checkout: expected 201, got 502/);
		assert.ok(lines.some(line => /! stderr +Deploy\/attach spot nodes {2}log:stderr {2}InsufficientInstanceCapacity/.test(line)));
		assert.ok(lines.some(line => /Deploy\/release spot capacity {2}saga:compensating {2}undoes Deploy\/reserve spot capacity/.test(line)));
		assert.ok(lines.some(line => /Deploy\/choose capacity pool {2}ai:decision {2}chose spot \(confidence [\d.]+\) over on-demand: /.test(line)));
		assert.ok(lines.some(line => /Health Check\/probe \/healthz {2}step:retrying {2}retry 1 \(exit 7\)/.test(line)));
	} finally {
		cleanup();
	}
});

test('--json prints NDJSON; with Redis the live part comes from Redis, matching the stored events in order', async () => {
	const {home, index, cleanup} = tempIndex();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	try {
		const simulation = simulateLiveRun(new EventWriter(new SqliteStore(index), publisher), {seed: 4, durationMs: 800, outcome: 'success'});
		const runId = await firstRunId(index);
		const out = capture();
		const code = await run([runId, '--home', home, '--json', '--redis', redis.url], {stdout: out});
		await simulation;
		assert.equal(code, 0);
		const records = out.records();
		assert.deepEqual(
			records.map(record => record.event),
			storedEvents(index, runId),
		);
		assert.ok(
			records.every(record => record.source === 'history' || record.source === 'redis'),
			'Redis was up throughout',
		);
		assert.ok(records.some(record => record.source === 'redis'));
		const last = records.at(-1)!;
		assert.equal(last.event_type, 'workflow:completed');
		assert.equal(last.status, 'success');
		assert.equal(last.step_path, '');
		assert.equal(last.name, 'deploy api');
	} finally {
		await publisher.close();
		cleanup();
	}
});

test('an ended run prints at once and exits; --level, --step and --since filter it', async () => {
	const {home, index, cleanup} = tempIndex();
	try {
		const threeHoursAgo = Date.now() - 3 * 3_600_000;
		const result = await simulateLiveRun(new EventWriter(new SqliteStore(index)), {seed: 5, durationMs: 0, outcome: 'failed', now: () => threeHoursAgo});
		const tail = async (...flags: string[]) => {
			const out = capture();
			assert.equal(await run([result.run_id.slice(0, 24), '--home', home, '--json', ...flags], {stdout: out}), 0);
			return out.records();
		};

		assert.equal((await tail()).length, result.events);
		const errors = await tail('--level', 'error');
		assert.ok(errors.length > 0);
		assert.ok(
			errors.every(record => record.status === 'failed' || record.event_type === 'log:stderr'),
			'error: failures and stderr',
		);
		const warnings = await tail('--level', 'warn');
		assert.deepEqual(
			warnings.filter(record => !errors.some(e => e.time === record.time && e.event_type === record.event_type)).map(record => record.event_type),
			['saga:compensating', 'saga:compensated', 'step:retrying'],
			'warn: also compensations and retries',
		);
		const deploy = await tail('--step', 'Deploy');
		assert.ok(deploy.length > 5);
		assert.ok(deploy.every(record => record.step_path === 'Deploy' || record.step_path.startsWith('Deploy/')));
		assert.deepEqual(await tail('--since', '2h'), [], 'the run happened 3 h ago');
		assert.equal((await tail('--since', '4h')).length, result.events);
	} finally {
		cleanup();
	}
});

test('untrusted text is sanitized in text output and kept exact in JSON', async () => {
	const {home, index, cleanup} = tempIndex();
	try {
		const traceId = newTraceId();
		const writer = new EventWriter(new SqliteStore(index));
		const hostile = 'evil \u001b]0;pwned\u0007title \u001b[2Jclear \u009b31mred';
		await writer.write([nthEvent(traceId, 0), {trace_id: traceId, span_id: 'root', event_type: 'log:stderr', timestamp: new Date().toISOString(), data: {line: hostile}}, {trace_id: traceId, span_id: 'root', event_type: 'workflow:completed', status: 'success', timestamp: new Date().toISOString()}]);
		const text = capture();
		assert.equal(await run([traceId, '--home', home], {stdout: text}), 0);
		assert.match(text.lines()[1]!, /log:stderr {2}evil title clear red$/);
		assert.doesNotMatch(text.text, /[\u001b\u0007\u009b]/);
		const json = capture();
		assert.equal(await run([traceId, '--home', home, '--json'], {stdout: json}), 0);
		assert.doesNotMatch(json.text, /[\u001b\u0007\u009b]/, 'controls are escaped in JSON');
		assert.equal(json.records()[1]!.event.data?.['line'], hostile);
	} finally {
		cleanup();
	}
});

test('an unknown run is a NotFoundError; a bad --level an InputError', async () => {
	const {home, cleanup} = tempIndex();
	try {
		await assert.rejects(run(['run-nope', '--home', home], {stdout: capture()}), (error: unknown) => error instanceof NotFoundError && error.exitCode === 3);
		await assert.rejects(run(['run-nope', '--home', home, '--level', 'debug'], {stdout: capture()}), /--level must be one of error, warn, info/);
	} finally {
		cleanup();
	}
});

test('Redis killed mid-tail: the tail goes on by polling and loses nothing; restarted: back on Redis, no duplicates', {skip: !process.env['REDIS_URL'] ? false : 'needs a Redis it can kill (REDIS_URL is set)'}, async () => {
	const {home, index, cleanup} = tempIndex();
	const publisher = await createRedisPublisher(redis.url, {logger: captureLogger(), ...TEST_PUBLISHER});
	const writer = new EventWriter(new SqliteStore(index), publisher);
	const traceId = newTraceId();
	let n = 0;
	const produce = async (count: number) => {
		for (let i = 0; i < count; i++) {
			await writer.write([nthEvent(traceId, n++)]);
			await new Promise(resolve => setTimeout(resolve, 3));
		}
	};

	const out = capture();
	const err = capture();
	try {
		await produce(5);
		const tail = run([traceId, '--home', home, '--json', '--redis', redis.url], {stdout: out, stderr: err, pollMs: 30});
		await waitFor(() => out.lines().length >= 5, 'the history');
		await produce(20);
		await waitFor(() => out.records().filter(record => record.source === 'redis').length >= 20, 'live events from Redis');
		await redis.kill();
		await produce(20);
		await waitFor(() => /unreachable/.test(err.text), 'the note that the tail polls');
		await produce(20);
		await waitFor(() => out.lines().length >= n, "the outage's events by polling");
		await redis.restart();
		await waitFor(() => /back/.test(err.text), 'the note that Redis is back');
		await produce(20);
		await writer.write([{trace_id: traceId, span_id: 'root', event_type: 'workflow:completed', status: 'success', timestamp: new Date().toISOString()}]);
		assert.equal(await tail, 0, 'the run ended, so did the tail');
		const records = out.records();
		assert.deepEqual(
			records.map(record => record.event),
			index.events(traceId).map(stored => stored.event),
			'all events, once, in order',
		);
		const sources = records.map(record => record.source).filter((source, i, all) => source !== all[i - 1]);
		assert.deepEqual(sources, ['history', 'redis', 'polling', 'redis']);
	} finally {
		await publisher.close();
		cleanup();
	}
});

test('end to end through the CLI: runs tail of an ended run exits 0; an unknown run exits 3', async () => {
	const {home, index, cleanup} = tempIndex();
	try {
		const result = await simulateLiveRun(new EventWriter(new SqliteStore(index)), {seed: 6, durationMs: 0, outcome: 'success'});
		const cli = (...args: string[]) => runSourceCli(args, {home});
		const ok = cli('runs', 'tail', result.run_id, '--level', 'warn');
		assert.equal(ok.code, 0, ok.stderr);
		assert.match(ok.stdout, /saga:compensating/);
		assert.ok(ok.stdout.trim().split('\n').length >= 5);
		const missing = cli('runs', 'tail', 'run-does-not-exist');
		assert.equal(missing.code, 3);
		assert.match(missing.stderr, /^tracedeck: no run matches "run-does-not-exist"/);
		assert.equal(missing.stdout, '');
	} finally {
		cleanup();
	}
});
