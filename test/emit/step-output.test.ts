import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {TailLine} from '../../source/emit/line-tail.js';
import {heartbeatMs, StepOutput} from '../../source/emit/step-output.js';
import type {EventInput} from '../../source/emit/trace-context.js';

const BASE: EventInput = {trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), event_type: 'log:stderr'};

function line(text: string, at_ms: number): TailLine {
	return {text, at_ms, truncated_bytes: 0};
}

test('the heartbeat beats three times per stuck threshold, at most once a minute', () => {
	assert.equal(heartbeatMs(5 * 60_000), 60_000);
	assert.equal(heartbeatMs(3000), 1000);
});

test('lines over the rate or step cap are dropped and counted in a marker; kept lines are redacted and marked by stream', async () => {
	const recorded: EventInput[] = [];
	let now = 1_000_000;
	const output = new StepOutput({record: async events => recorded.push(...events), heartbeatMs: 60_000, limits: {linesPerSecond: 5, linesPerStep: 8}, now: () => now});
	output.attach(BASE);
	output.line('stdout', line('Authorization: Bearer abc.def.ghi', now));
	for (let i = 1; i < 10; i++) {
		output.line('stderr', line(`burst ${i}`, now));
	}

	now += 1000;
	for (let i = 0; i < 5; i++) {
		output.line('stderr', line(`later ${i}`, now));
	}

	await output.close();
	output.line('stderr', line('after close', now));
	const lines = recorded.filter(event => event.event_type === 'log:stdout' || event.event_type === 'log:stderr');
	assert.equal(lines.length, 8, '5 in the first second, then 3 up to the step cap');
	assert.equal(lines[0]!.event_type, 'log:stdout');
	assert.equal(lines[0]!.data?.['stream'], 'stdout');
	assert.doesNotMatch(String(lines[0]!.data?.['line']), /abc\.def\.ghi/, 'redacted');
	assert.deepEqual(
		lines.slice(1).map(event => [event.data?.['stream'], event.data?.['line']]),
		['burst 1', 'burst 2', 'burst 3', 'burst 4', 'later 0', 'later 1', 'later 2'].map(text => ['stderr', text]),
	);
	const markers = recorded.filter(event => event.event_type === 'log:dropped');
	assert.equal(
		markers.reduce((sum, event) => sum + Number(event.data?.['dropped']), 0),
		7,
	);
	assert.match(String(markers[0]!.data?.['line']), /lines dropped \(at most 5 lines a second and 8 a step/);
});
