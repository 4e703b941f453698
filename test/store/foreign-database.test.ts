import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {StoreError} from '../../source/core/errors.js';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {failedDeploy, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Issue 14, item 9: write commands switched another application's SQLite
 * file to WAL (journal_mode is written into the file header) before refusing
 * it as "not a tracedeck database". A foreign file must be left byte for
 * byte as it was, with no -wal, -shm or -journal left beside it.
 */

const SIBLINGS = ['', '-wal', '-shm', '-journal'];

/** sha256 of runs.db and of each sibling that exists. */
function fingerprint(file: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const suffix of SIBLINGS) {
		if (fs.existsSync(file + suffix)) {
			out[path.basename(file + suffix)] = createHash('sha256')
				.update(fs.readFileSync(file + suffix))
				.digest('hex');
		}
	}

	return out;
}

/** Other applications' databases, each closed cleanly, as they sit on disk. */
const FOREIGN: Array<{what: string; make: (db: Database.Database) => void}> = [
	{
		what: "a rollback-journal database with a table (the sqlite3 shell's default)",
		make: db => {
			db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
		},
	},
	{
		what: 'a WAL database with a table',
		make: db => {
			db.pragma('journal_mode = WAL');
			db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
		},
	},
	{
		what: 'a database with another application id and no tables',
		make: db => {
			db.pragma('application_id = 305419896');
		},
	},
	{
		what: 'a database with no application id and no tables but a user_version',
		make: db => {
			db.pragma('user_version = 3');
		},
	},
];

const COMMANDS: Array<{kind: string; args: (home: string) => string[]}> = [
	{kind: 'read', args: () => ['runs', 'list', '--json']},
	{kind: 'read', args: () => ['runs', 'show', 'run-x']},
	{kind: 'write', args: home => ['ingest', path.join(home, '..', `${path.basename(home)}.jsonl`)]},
	{kind: 'write', args: () => ['runs', 'purge', '--json']},
];

for (const foreign of FOREIGN) {
	test(`foreign database (issue 14.9): ${foreign.what} is refused, exit 4, and left byte for byte untouched by read and write commands, exec and the emitter`, async () => {
		const home = tempHome();
		const file = path.join(home, 'runs.db');
		const db = new Database(file);
		foreign.make(db);
		db.close();
		const input = path.join(home, '..', `${path.basename(home)}.jsonl`);
		fs.writeFileSync(input, toJsonl(failedDeploy()));
		try {
			const before = fingerprint(file);
			assert.deepEqual(Object.keys(before), ['runs.db'], 'closed cleanly: no siblings');
			for (const command of COMMANDS) {
				const args = command.args(home);
				const result = runCli(args, {home});
				assert.equal(result.code, 4, `${args.join(' ')}: ${result.stderr}`);
				assert.match(result.stderr, /^tracedeck: \S+runs\.db is not a tracedeck database; point --home \/ TRACEDECK_HOME at a tracedeck home\n$/);
				assert.deepEqual(fingerprint(file), before, `${command.kind} command ${args.join(' ')} left the file as it was`);
			}

			// exec still runs the step (DESIGN: if tracedeck cannot record, it warns and the step runs).
			const exec = runCli(['exec', '--step', 'build', '--', process.execPath, '-e', 'console.log("ran")'], {home});
			assert.equal(exec.code, 0, exec.stderr);
			assert.equal(exec.stdout, 'ran\n');
			assert.match(exec.stderr, /not a tracedeck database/);
			assert.deepEqual(fingerprint(file), before, 'exec left the file as it was');

			await assert.rejects(TraceEmitter.open({home}), (error: unknown) => error instanceof StoreError && /not a tracedeck database/.test(error.message));
			assert.deepEqual(fingerprint(file), before, 'the emitter left the file as it was');
			const reread = new Database(file, {readonly: true});
			assert.equal(reread.pragma('application_id', {simple: true}) === 1_413_761_841, false);
			reread.close();
		} finally {
			fs.rmSync(input, {force: true});
		}
	});
}

test('foreign database (issue 14.9): a WAL database another application still has open is refused without recovering or checkpointing its log', () => {
	const home = tempHome();
	const file = path.join(home, 'runs.db');
	const other = new Database(file);
	try {
		other.pragma('journal_mode = WAL');
		other.pragma('wal_autocheckpoint = 0');
		// Its schema is only in the log so far: the file's own header still names no schema.
		other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
		const main = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
		const wal = createHash('sha256')
			.update(fs.readFileSync(`${file}-wal`))
			.digest('hex');
		for (const args of [
			['runs', 'list', '--json'],
			['runs', 'purge', '--json'],
		]) {
			const result = runCli(args, {home});
			assert.equal(result.code, 4, result.stderr);
			assert.match(result.stderr, /not a tracedeck database/);
			assert.equal(createHash('sha256').update(fs.readFileSync(file)).digest('hex'), main, `${args.join(' ')}: runs.db as it was`);
			assert.equal(
				createHash('sha256')
					.update(fs.readFileSync(`${file}-wal`))
					.digest('hex'),
				wal,
				`${args.join(' ')}: its log as it was`,
			);
		}

		assert.deepEqual(other.prepare('SELECT body FROM notes').pluck().all(), ['keep me']);
	} finally {
		other.close();
	}
});

test("foreign database (issue 14.9): an empty file and a new home are still taken as tracedeck's", () => {
	for (const prepare of [(file: string) => fs.writeFileSync(file, ''), () => {}]) {
		const home = tempHome();
		prepare(path.join(home, 'runs.db'));
		const result = runCli(['runs', 'list', '--json'], {home});
		assert.equal(result.code, 0, result.stderr);
		assert.deepEqual(JSON.parse(result.stdout), []);
	}
});
