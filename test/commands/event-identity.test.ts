import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {startOtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

/*
 * Issue 14, item 1, end to end: `exec`, `ingest` and `serve` as a user runs
 * them. DESIGN ("Events"): two identical events in one input are two events
 * (a line printed twice is printed twice); ingesting the same input again adds nothing.
 */

function stderrLines(home: string, runRef: string): {events: string[]; tail: string[]} {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(runRef);
		const events = index
			.events(run.trace_id)
			.map(stored => stored.event)
			.filter(event => event.event_type === 'log:stderr');
		const span = index.spans(run.trace_id).find(s => s.stderr.length > 0);
		return {events: events.map(event => String(event.data?.['line'])), tail: span?.stderr ?? []};
	} finally {
		index.close();
	}
}

test('identical events (issue 14.1): an exec step that prints the same stderr line 5 times records it 5 times', () => {
	const home = tempHome();
	// Five writes within a millisecond or two: the old store saw one or two distinct events and kept those.
	const script = 'for (let i = 0; i < 5; i++) process.stderr.write("same\\n")';
	const result = runCli(['exec', '--run', 'run-same5', '--step', 'noisy', '--', process.execPath, '-e', script], {home});
	assert.equal(result.code, 0, result.stderr);
	assert.equal(result.stderr.split('\n').filter(text => text === 'same').length, 5, "the command's own stderr passes through");
	assert.deepEqual(stderrLines(home, 'run-same5'), {events: Array(5).fill('same'), tail: Array(5).fill('same')});
});

const NANOS = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** One failed span whose stderr_tail holds ["same", "same", "other", "same"]: four lines at one instant. */
function otlpWithRepeats(): unknown {
	return {
		resourceSpans: [
			{
				resource: {
					attributes: [
						{key: 'service.name', value: {stringValue: 'deployer'}},
						{key: 'devcmd.run_id', value: {stringValue: 'run-otlp-repeats'}},
					],
				},
				scopeSpans: [
					{
						spans: [
							{
								traceId: TRACE,
								spanId: '00f067aa0ba902b7',
								name: 'migrate',
								startTimeUnixNano: NANOS(at(0)),
								endTimeUnixNano: NANOS(at(9)),
								status: {code: 2, message: 'lock timeout'},
								events: [{timeUnixNano: NANOS(at(8)), name: 'stderr_tail', attributes: [{key: 'lines', value: {arrayValue: {values: ['same', 'same', 'other', 'same'].map(stringValue => ({stringValue}))}}}]}],
							},
						],
					},
				],
			},
		],
	};
}

test('identical events (issue 14.1): OTLP stderr lines ["same","same","other","same"] are stored as exactly that, by ingest and by serve', async () => {
	const byIngest = tempHome();
	const file = path.join(byIngest, 'export.json');
	fs.writeFileSync(file, JSON.stringify(otlpWithRepeats()));
	const first = runCli(['ingest', file, '--json'], {home: byIngest});
	assert.equal(first.code, 0, first.stderr);
	// Four stderr lines, start and end, and the stderr_tail span event itself, kept as it came.
	assert.deepEqual(JSON.parse(first.stdout), {files: 1, events: 7, duplicates: 0, traces: 1});
	const expected = {events: ['same', 'same', 'other', 'same'], tail: ['same', 'same', 'other', 'same']};
	assert.deepEqual(stderrLines(byIngest, 'run-otlp-repeats'), expected);
	const again = runCli(['ingest', file, '--json'], {home: byIngest});
	assert.deepEqual(JSON.parse(again.stdout), {files: 1, events: 0, duplicates: 7, traces: 0});
	assert.deepEqual(stderrLines(byIngest, 'run-otlp-repeats'), expected);

	const byServe = tempHome();
	const index = RunIndex.open(byServe);
	const receiver = await startOtlpReceiver({port: 0, sink: new EventWriter(new SqliteStore(index)), log: () => {}});
	try {
		// The second post is what an exporter's retry sends: the same request again.
		for (let i = 0; i < 2; i++) {
			const response = await fetch(`${receiver.url}/v1/traces`, {method: 'POST', body: JSON.stringify(otlpWithRepeats()), headers: {'Content-Type': 'application/json'}});
			assert.equal(response.status, 200);
		}
	} finally {
		await receiver.close();
		index.close();
	}

	assert.deepEqual(stderrLines(byServe, 'run-otlp-repeats'), expected);
});

function line(text: string): TraceEvent {
	return {trace_id: 'jsonl-trace', span_id: 'root', event_type: 'log:stderr', timestamp: at(1), data: {line: text}};
}

test('identical events (issue 14.1): ingest of a JSONL file with two identical lines stores both, again reports 0 stored and 2 already stored, grown stores only the new line', () => {
	const home = tempHome();
	const file = path.join(home, 'run.jsonl');
	fs.writeFileSync(file, toJsonl([line('retrying'), line('retrying')]));
	const ingest = (): string => {
		const result = runCli(['ingest', file], {home});
		assert.equal(result.code, 0, result.stderr);
		return result.stdout.trim();
	};

	// The old store kept one and called the other "already stored", with nothing stored before.
	assert.equal(ingest(), 'ingested 2 events (0 already stored) from 1 file into 1 run');
	assert.equal(ingest(), 'ingested 0 events (2 already stored) from 1 file into 0 runs');
	fs.appendFileSync(file, toJsonl([line('retrying')]));
	assert.equal(ingest(), 'ingested 1 event (2 already stored) from 1 file into 1 run');
	// A trace without a run_id is the run named by its trace id.
	assert.deepEqual(stderrLines(home, 'jsonl-trace'), {events: ['retrying', 'retrying', 'retrying'], tail: ['retrying', 'retrying', 'retrying']});
});
