import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {CheckpointResult} from '../../source/store/checkpoint-worker.js';
import {tempIndex} from '../helpers/temp-index.js';
import {newTraceId, nthEvent} from '../live/live-helpers.js';

function walBytes(home: string): number {
	try {
		return fs.statSync(path.join(home, 'runs.db-wal')).size;
	} catch {
		return 0;
	}
}

test('checkpoint worker: the WAL stays bounded while writes go on, with no checkpoint on this thread', async () => {
	const {home, index, cleanup} = tempIndex();
	try {
		// The timer is out of the way (an hour): each checkpoint is asked for between writes, so none overlaps one.
		const worker = index.checkpointInWorker(3_600_000);
		assert.ok(worker, 'a writable file index checkpoints in a worker');
		assert.equal(index.checkpointInWorker(5), worker, 'once');
		const sizes: number[] = [];
		for (let round = 0; round < 12; round++) {
			const traceId = newTraceId();
			index.appendEvents(Array.from({length: 200}, (_, n) => nthEvent(traceId, n)));
			const report: CheckpointResult = await worker.checkpointNow();
			assert.equal(report.checkpointed, report.log, 'a PASSIVE checkpoint with no reader copies the whole log');
			sizes.push(walBytes(home));
		}

		// Without checkpoints the log would grow by a round's size each round (12x the first); restarted after each, it stays at one round's.
		assert.ok(Math.max(...sizes) <= sizes[0]! * 1.5, `WAL sizes ${sizes.join(', ')}`);
		assert.equal(index.listRuns().length, 12);
	} finally {
		cleanup();
	}
});

test('checkpoint worker: ends when the index closes; everything written is in the file', async () => {
	const {home, index, cleanup} = tempIndex();
	const worker = index.checkpointInWorker(5)!;
	const traceId = newTraceId();
	index.appendEvents([nthEvent(traceId, 0), nthEvent(traceId, 1)]);
	index.close();
	await worker.exited;
	assert.equal(walBytes(home), 0, 'the last close copied the log back and removed it');
	cleanup();
});
