import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {MIGRATIONS} from '../../source/store/migrations.js';
import {openStore} from '../../source/store/open-store.js';
import {RunIndex} from '../../source/store/run-index.js';
import {SCHEMA_VERSION} from '../../source/store/schema-version.js';
import {SqliteReadStore} from '../../source/store/sqlite-read-store.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

const STARTED = {trace_id: 'tr', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: 'run-1'}} as const;

describe('a read-only open of the SQLite store (SqliteReadStore)', () => {
	it('knows the schema version the migrations write', () => {
		assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
	});

	it('reads a current index without the write path', async () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		index.appendEvents([STARTED]);
		index.close();
		const store = await openStore({home}, {readonly: true});
		try {
			assert.ok(store instanceof SqliteReadStore);
			assert.deepEqual(
				(await store.listRuns()).map(run => run.run_id),
				['run-1'],
			);
		} finally {
			await store.close();
		}
	});

	it('migrates an index whose schema is behind, then reads it', async () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		index.appendEvents([STARTED]);
		index.close();
		const db = new Database(path.join(home, 'runs.db'));
		db.pragma('user_version = 6');
		db.close();
		const store = await openStore({home}, {readonly: true});
		try {
			assert.deepEqual(
				(await store.listRuns()).map(run => run.run_id),
				['run-1'],
			);
		} finally {
			await store.close();
		}

		const after = new Database(path.join(home, 'runs.db'), {readonly: true});
		assert.equal(after.pragma('user_version', {simple: true}), SCHEMA_VERSION);
		after.close();
	});

	it('in a fresh home, creates the index as a writable open does, and a write through it works', async () => {
		const home = tempHome();
		const store = await openStore({home}, {readonly: true});
		try {
			assert.deepEqual(await store.listRuns(), []);
			const stored = await store.appendEvents([STARTED]);
			assert.deepEqual(stored.traces, ['tr']);
			assert.deepEqual(
				(await store.listRuns()).map(run => run.run_id),
				['run-1'],
			);
		} finally {
			await store.close();
		}

		assert.deepEqual(fs.readdirSync(home), ['runs.db'], 'closed as a writable connection closes: the log checkpointed away');
	});

	it('refuses a write on a read-only connection as SqliteStore does', async () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		index.appendEvents([STARTED]);
		index.close();
		const store = await openStore({home}, {readonly: true});
		try {
			await assert.rejects(store.appendEvents([{...STARTED, trace_id: 'tr2'}]), /read-only/);
		} finally {
			await store.close();
		}
	});
});
