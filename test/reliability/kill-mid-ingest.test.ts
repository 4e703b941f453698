import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {generateDataset} from '../../source/demo/generate.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {cliEnv} from '../helpers/cli-env.js';
import {BIN, runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

const NOW = new Date('2026-02-01T12:00:00.000Z');

function writeJsonl(file: string, runs: readonly TraceEvent[][]): void {
	fs.writeFileSync(
		file,
		`${runs
			.flat()
			.map(event => JSON.stringify(event))
			.join('\n')}\n`,
	);
}

function sizeOf(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}

/** Every row of the run index that ingest writes, in a comparable form. */
function snapshot(home: string): {integrity: string; events: unknown[]; spans: unknown[]; runs: unknown[]} {
	const db = new Database(path.join(home, 'runs.db'));
	try {
		return {
			integrity: (db.pragma('integrity_check') as Array<{integrity_check: string}>).map(row => row.integrity_check).join('; '),
			events: db.prepare('SELECT id, trace_id, span_id, event_type, ts_ms, digest, body FROM events ORDER BY id').all(),
			spans: db.prepare('SELECT * FROM spans ORDER BY trace_id, span_id').all(),
			runs: db.prepare('SELECT * FROM runs ORDER BY trace_id').all(),
		};
	} finally {
		db.close();
	}
}

function eventCount(home: string): number {
	const file = path.join(home, 'runs.db');
	if (!fs.existsSync(file)) {
		return 0;
	}

	const db = new Database(file, {readonly: true});
	try {
		db.pragma('busy_timeout = 1000');
		return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
	} catch {
		// Not migrated yet.
		return 0;
	} finally {
		db.close();
	}
}

function spawnIngest(home: string, inputs: readonly string[]): {child: ChildProcess; exit: Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}>} {
	const child = spawn(process.execPath, [BIN, 'ingest', ...inputs], {env: cliEnv({home}), stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (text: string) => {
		stderr += text;
	});
	return {child, exit: new Promise(resolve => child.on('close', (code, signal) => resolve({code, signal, stderr})))};
}

/** Poll until `ready()` or the process ends; then SIGKILL it if it still runs. Returns whether it was killed. */
async function killWhen(child: ChildProcess, exit: Promise<unknown>, ready: () => boolean): Promise<boolean> {
	let exited = false;
	void exit.then(() => {
		exited = true;
	});
	while (!exited) {
		if (ready()) {
			child.kill('SIGKILL');
			await exit;
			return true;
		}

		await new Promise(resolve => setTimeout(resolve, 5));
	}

	return false;
}

test('kill -9 while one big file is being written: the store opens clean, holds all or nothing of it, and a re-run completes it', {timeout: 240_000}, async t => {
	const dir = tempHome('tracedeck-kill-');
	const file = path.join(dir, 'big.jsonl');
	writeJsonl(file, generateDataset({seed: 41, runs: 300, now: NOW}));

	const clean = path.join(dir, 'clean');
	assert.equal(runCli(['ingest', file], {home: clean}).code, 0);
	const expected = snapshot(clean);

	const home = path.join(dir, 'killed');
	const wal = path.join(home, 'runs.db-wal');
	const {child, exit} = spawnIngest(home, [file]);
	// Well past the schema's few hundred kB: the transaction has spilled pages into the WAL, so it is writing and has not committed.
	const killed = await killWhen(child, exit, () => sizeOf(wal) > 2 << 20);
	t.diagnostic(killed ? `killed with ${sizeOf(wal)} bytes of WAL` : 'ingest finished before the kill (fast machine): checked as a clean run');
	const after = snapshot(home);
	assert.equal(after.integrity, 'ok');
	// One file is one transaction: nothing of it, or all of it.
	assert.ok(after.events.length === 0 || after.events.length === expected.events.length, `partial file stored: ${after.events.length} of ${expected.events.length} events`);

	const rerun = runCli(['ingest', file], {home});
	assert.equal(rerun.code, 0, rerun.stderr);
	assert.deepEqual(snapshot(home), expected);
});

test('kill -9 between the files of a folder: the files stored are whole, and a re-run stores the rest exactly once', {timeout: 240_000}, async t => {
	const dir = tempHome('tracedeck-kill-dir-');
	const inputs = path.join(dir, 'inputs');
	fs.mkdirSync(inputs);
	const runs = generateDataset({seed: 43, runs: 240, now: NOW});
	const files = 6;
	for (let f = 0; f < files; f++) {
		writeJsonl(
			path.join(inputs, `part-${f}.jsonl`),
			runs.filter((_, i) => i % files === f),
		);
	}

	const clean = path.join(dir, 'clean');
	assert.equal(runCli(['ingest', inputs], {home: clean}).code, 0);
	const expected = snapshot(clean);
	// Events after each whole file, in ingest order (expandInputs sorts by name).
	const prefixes = [0];
	for (let f = 0; f < files; f++) {
		prefixes.push(prefixes.at(-1)! + runs.filter((_, i) => i % files === f).flat().length);
	}

	const home = path.join(dir, 'killed');
	const {child, exit} = spawnIngest(home, [inputs]);
	const killed = await killWhen(child, exit, () => eventCount(home) > 0);
	const after = snapshot(home);
	t.diagnostic(killed ? `killed after ${after.events.length} events stored` : 'ingest finished before the kill (fast machine): checked as a clean run');
	assert.equal(after.integrity, 'ok');
	assert.ok(prefixes.includes(after.events.length), `${after.events.length} events is not a whole number of files (${prefixes.join(', ')})`);

	const rerun = runCli(['ingest', inputs, '--json'], {home});
	assert.equal(rerun.code, 0, rerun.stderr);
	assert.equal((JSON.parse(rerun.stdout) as {duplicates: number}).duplicates, after.events.length, 'what the killed run stored is recognised, not stored twice');
	assert.deepEqual(snapshot(home), expected);
});
