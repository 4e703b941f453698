import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {storeHealth} from '../../source/commands/serve.js';
import {StoreBusyError} from '../../source/core/errors.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {PART_EVENTS, TraceIntake} from '../../source/interop/otlp-intake.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const nanos = (ms: number): string => `${BigInt(T0 + ms) * 1_000_000n}`;
const exportBody = JSON.stringify({resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-locked'}}]}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'deploy', startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(5)}]}]}]});

/** Counts event-loop turns with a 10 ms interval and keeps the longest gap between two: a blocked loop shows as one long gap. */
function loopWatch(): {maxGapMs: () => number; stop: () => void} {
	let last = performance.now();
	let max = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		max = Math.max(max, now - last);
		last = now;
	}, 10);
	return {maxGapMs: () => Math.max(max, performance.now() - last), stop: () => clearInterval(timer)};
}

describe('busy database', () => {
	let home: string;
	let index: RunIndex;
	let receiver: OtlpReceiver;
	/** Another connection, as another process would hold it: BEGIN EXCLUSIVE on runs.db. */
	let other: Database.Database;

	before(async () => {
		home = tempHome();
		index = RunIndex.open(home);
		// What serve builds: parts, a second of patience, then 503.
		const writer = new EventWriter(new SqliteStore(index), undefined, {partEvents: PART_EVENTS, patienceMs: 1000});
		receiver = await startOtlpReceiver({port: 0, intake: new TraceIntake({sink: writer, log: () => {}}), health: storeHealth(new SqliteStore(index)), log: () => {}});
		other = new Database(path.join(home, 'runs.db'));
		// A first read makes the connection see the WAL; a BEGIN EXCLUSIVE before it would try a rollback-journal lock.
		assert.equal(other.pragma('journal_mode', {simple: true}), 'wal');
	});

	after(async () => {
		other.close();
		await receiver.close();
		index.close();
	});

	it('busy database: while another connection holds BEGIN EXCLUSIVE, serve keeps its event loop, answers 503 with Retry-After and /healthz; the retry lands after release', async () => {
		other.exec('BEGIN EXCLUSIVE');
		const watch = loopWatch();
		let busy: Response;
		let health: Response;
		try {
			[busy, health] = await Promise.all([
				fetch(`${receiver.url}/v1/traces`, {method: 'POST', body: exportBody, headers: {'Content-Type': 'application/json'}}),
				// Asked while the export waits out the lock: answered at once.
				new Promise<Response>(resolve => {
					setTimeout(() => resolve(fetch(`${receiver.url}/healthz`)), 200);
				}),
			]);
		} finally {
			watch.stop();
			other.exec('ROLLBACK');
		}

		assert.equal(busy.status, 503);
		assert.equal(busy.headers.get('retry-after'), '5');
		assert.match(((await busy.json()) as {message: string}).message, /could not store the spans, retry later: .*stayed locked/);
		assert.equal(health.status, 200);
		assert.deepEqual(await health.json(), {status: 'ok'});
		// A generous bound (this is not a timing benchmark): the old 10 s busy_timeout blocked for the whole wait.
		assert.ok(watch.maxGapMs() < 200, `the event loop went ${watch.maxGapMs().toFixed(0)} ms without a turn`);

		const retry = await fetch(`${receiver.url}/v1/traces`, {method: 'POST', body: exportBody, headers: {'Content-Type': 'application/json'}});
		assert.equal(retry.status, 200);
		assert.equal(index.resolveRun('run-locked').status, 'success');
	});

	it('busy database: the emitter throws StoreBusyError after its retries, without blocking the event loop, and stores once the lock is gone', async () => {
		const emitter = new TraceEmitter(new EventWriter(new SqliteStore(index), undefined, {patienceMs: 400}));
		other.exec('BEGIN EXCLUSIVE');
		const watch = loopWatch();
		try {
			await assert.rejects(emitter.emit({trace_id: 'busy-trace', span_id: 'r', event_type: 'workflow:started', data: {name: 'locked out'}}), StoreBusyError);
		} finally {
			watch.stop();
			other.exec('ROLLBACK');
		}

		assert.ok(watch.maxGapMs() < 200, `the event loop went ${watch.maxGapMs().toFixed(0)} ms without a turn`);
		await emitter.emit({trace_id: 'busy-trace', span_id: 'r', event_type: 'workflow:started', data: {name: 'let in'}});
		assert.equal(index.spans('busy-trace').length, 1);
	});

	it('busy database: /healthz answers 503 when the store cannot be read', async () => {
		const closed = RunIndex.open(tempHome());
		closed.close();
		const probe = await startOtlpReceiver({port: 0, sink: {write: async events => ({inserted: events})}, health: storeHealth(new SqliteStore(closed)), log: () => {}});
		try {
			const answer = await fetch(`${probe.url}/healthz`);
			assert.equal(answer.status, 503);
			assert.equal(((await answer.json()) as {status: string}).status, 'unavailable');
		} finally {
			await probe.close();
		}
	});
});
