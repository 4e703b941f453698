import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {MIGRATIONS} from '../../source/store/migrations.js';
import {RunIndex} from '../../source/store/run-index.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

test('migration 6 summarizes runs folded under the old rules again: a recovered failure stops being the failed step', () => {
	// deploy ✓ after spot ✗ (recovered), smoke ✗ at checkout: the old fold said failed at deploy/spot.
	const home = tempHome();
	const e = (span: string, parent: string | null, type: string, s: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({trace_id: 'tr', span_id: span, ...(parent === null ? {} : {parent_span_id: parent}), event_type: type, timestamp: at(s), ...extra});
	const index = RunIndex.open(home);
	index.appendEvents([
		e('r', null, 'workflow:started', 0, {data: {name: 'deploy', run_id: 'run-old'}}),
		e('deploy', 'r', 'stage:started', 1, {data: {name: 'deploy'}}),
		e('spot', 'deploy', 'step:started', 2, {data: {name: 'spot'}}),
		e('spot', 'deploy', 'step:failed', 3, {status: 'failed'}),
		e('deploy', 'r', 'stage:completed', 4, {status: 'success'}),
		e('smoke', 'r', 'step:started', 5, {data: {name: 'checkout'}}),
		e('smoke', 'r', 'step:failed', 6, {status: 'failed'}),
		e('r', null, 'workflow:failed', 7, {status: 'failed'}),
	]);
	index.close();
	// What the first version stored: failed_step at the first failure to end, schema 5.
	const db = new Database(path.join(home, 'runs.db'));
	const body = JSON.parse(db.prepare('SELECT body FROM runs').pluck().get() as string) as Record<string, unknown>;
	db.prepare('UPDATE runs SET failed_step = ?, body = ?').run('deploy/spot', JSON.stringify({...body, failed_step: 'deploy/spot'}));
	// Schema 5: migration 6 (and every later one) runs on open.
	db.pragma('user_version = 5');
	db.close();

	const upgraded = RunIndex.open(home, {readonly: true});
	const run = upgraded.resolveRun('run-old');
	assert.equal(run.failed_step, 'checkout');
	assert.equal(run.status, 'failed');
	assert.equal(upgraded.db.prepare('SELECT failed_step FROM runs').pluck().get(), 'checkout');
	assert.equal(upgraded.db.pragma('user_version', {simple: true}), MIGRATIONS.length);
	upgraded.close();
});
