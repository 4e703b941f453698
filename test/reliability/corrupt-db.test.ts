import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {before, test} from 'node:test';
import Database from 'better-sqlite3';
import {generateDataset} from '../../source/demo/generate.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

const PAGE = 4096;
let pristine: Buffer;
let pageOf: Record<string, number>;
let someRunId: string;

before(() => {
	const home = tempHome('tracedeck-corrupt-src-');
	const index = RunIndex.open(home);
	for (const run of generateDataset({seed: 5, runs: 300, now: new Date('2026-02-01T12:00:00.000Z')})) {
		index.appendEvents(run);
	}

	index.close();
	// Closing the last connection checkpoints the WAL: the whole index is in runs.db.
	const file = path.join(home, 'runs.db');
	assert.ok(!fs.existsSync(`${file}-wal`) || fs.statSync(`${file}-wal`).size === 0);
	pristine = fs.readFileSync(file);
	const db = new Database(file, {readonly: true});
	someRunId = db.prepare('SELECT run_id FROM runs ORDER BY started_ms DESC LIMIT 1').pluck().get() as string;
	pageOf = Object.fromEntries((db.prepare('SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0').all() as Array<{name: string; rootpage: number}>).map(row => [row.name, row.rootpage]));
	db.close();
});

function garbage(length: number, seed: number): Buffer {
	const out = Buffer.alloc(length);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}

	return out;
}

/** A page overwritten with noise: the file opens, the damage shows only when a query reads that page. */
function withPageSmashed(name: string): Buffer {
	const bytes = Buffer.from(pristine);
	const page = pageOf[name]!;
	garbage(PAGE, page).copy(bytes, (page - 1) * PAGE);
	return bytes;
}

const CASES: Array<{what: string; bytes: () => Buffer}> = [
	{what: 'truncated to half', bytes: () => pristine.subarray(0, Math.floor(pristine.length / 2 / PAGE) * PAGE + 1000)},
	{what: 'truncated inside the header', bytes: () => pristine.subarray(0, 60)},
	{what: 'header magic overwritten', bytes: () => Buffer.concat([Buffer.from('NOT A DATABASE!\0'), pristine.subarray(16)])},
	{what: 'random bytes', bytes: () => garbage(pristine.length, 99)},
	{what: 'a text file', bytes: () => Buffer.from('these are not the runs you are looking for\n')},
	{what: 'the runs table root page smashed', bytes: () => withPageSmashed('runs')},
	{what: 'the runs_by_start index page smashed', bytes: () => withPageSmashed('runs_by_start')},
	{what: 'the schema page (page 1) body smashed', bytes: () => Buffer.concat([pristine.subarray(0, 100), garbage(PAGE - 100, 7), pristine.subarray(PAGE)])},
];

function sha(file: string): string {
	return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function assertCleanFailure(bytes: Buffer, args: readonly string[]): void {
	const home = tempHome('tracedeck-corrupt-');
	const file = path.join(home, 'runs.db');
	fs.writeFileSync(file, bytes);
	const before = sha(file);
	const result = runCli(args, {home});
	assert.equal(result.code, 4, `exit ${result.code}; stderr: ${result.stderr}`);
	assert.equal(result.stdout, '', 'nothing on stdout');
	assert.match(result.stderr, /^tracedeck: [^\n]+\n$/, 'exactly one line on stderr');
	assert.match(result.stderr, /runs\.db/, 'the message names the file');
	assert.doesNotMatch(result.stderr, /internal error|SqliteError|\n\s+at /, 'no stack, no internal error');
	assert.equal(sha(file), before, 'runs.db bytes unchanged');
	assert.ok(!fs.existsSync(`${file}-wal`) || fs.statSync(`${file}-wal`).size === 0, 'nothing written to a WAL');
}

for (const c of CASES) {
	for (const args of [
		['runs', 'list'],
		['runs', 'list', '--json'],
	]) {
		test(`runs.db ${c.what}: \`${args.join(' ')}\` fails with one clear line, exit 4, and leaves the file as it was`, () => {
			assertCleanFailure(c.bytes(), args);
		});
	}
}

test('runs.db with the spans table smashed: `runs show --json` fails with one clear line, exit 4, and leaves the file as it was', () => {
	// spans is WITHOUT ROWID: its root page is the primary-key b-tree every span read goes through.
	assertCleanFailure(withPageSmashed('spans'), ['runs', 'show', someRunId, '--json']);
});

test('runs.db of zero bytes: `runs list --json` gives an empty list or one clear line, never an internal error', () => {
	// SQLite reads an empty file as an empty database, so migrating it (and listing nothing) is as fair as refusing it.
	const home = tempHome('tracedeck-corrupt-');
	fs.writeFileSync(path.join(home, 'runs.db'), Buffer.alloc(0));
	const result = runCli(['runs', 'list', '--json'], {home});
	if (result.code === 0) {
		assert.deepEqual(JSON.parse(result.stdout), []);
	} else {
		assert.equal(result.code, 4, result.stderr);
		assert.match(result.stderr, /^tracedeck: [^\n]+\n$/);
	}
});
