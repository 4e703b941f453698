import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatRunId} from '../../source/core/run-id.js';
import {runIdFor} from '../../source/demo/generate.js';
import {stepSegments} from '../../source/emit/step-path.js';

test('run ids: run-<yyyyMMdd-HHmmss>-<shortsha> in UTC, without the sha when there is none', () => {
	const at = new Date('2026-11-24T03:15:09.999Z');
	assert.equal(formatRunId(at, '3f2a9c1'), 'run-20261124-031509-3f2a9c1');
	assert.equal(formatRunId(at), 'run-20261124-031509');
	assert.equal(formatRunId(at, ''), 'run-20261124-031509');
});

test('step paths: segments, blanks dropped, an empty path refused', () => {
	assert.deepEqual(stepSegments('build/unit'), ['build', 'unit']);
	assert.deepEqual(stepSegments(' build//unit/ '), ['build', 'unit']);
	assert.throws(() => stepSegments('//'), /no step name/);
});

test("one run id format: the demo and the simulated live run use the emitter's (they had their own copies, which kept an upper-case sha)", () => {
	const startMs = Date.parse('2026-11-24T03:15:09Z');
	assert.equal(runIdFor(startMs, '3F2A9C1D0E'), 'run-20261124-031509-3f2a9c1');
	assert.equal(runIdFor(startMs, '3f2a9c1d0e'), formatRunId(new Date(startMs), '3f2a9c1'));
});
