import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {failedDeploy, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * Issue 14, item 11: a full disk was "internal error" (70), a runs.db that is
 * a directory a "disk I/O error", a read-only home failed even `runs list`,
 * and a multi-file ingest stopped at the first bad file without saying which
 * files were stored. Real parts: a real full filesystem (a small tmpfs), a
 * real read-only mount, real files, the built CLI.
 */

const isRoot = process.getuid?.() === 0;

function sh(command: string, args: string[]): boolean {
	return spawnSync(command, args, {stdio: 'ignore'}).status === 0;
}

/** A fresh folder for a mount point, unmounted and removed when the file ends (tempHome's rm would meet a busy mount). */
function mountPoint(prefix: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	after(() => {
		sh('umount', [dir]);
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

/** A real filesystem of `size` (tmpfs), or undefined where this process may not mount one. */
function smallDisk(size: string): string | undefined {
	if (!isRoot) {
		return undefined;
	}

	const dir = mountPoint('tracedeck-full-');
	return sh('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tracedeck-full', dir]) ? dir : undefined;
}

/**
 * `dir` as a home nobody can write: a read-only bind mount of it (root
 * ignores file modes, so chmod alone would not stop it), or for a non-root
 * user the folder itself made 0555. Undefined when neither is possible.
 */
function readOnlyView(dir: string): string | undefined {
	if (!isRoot) {
		fs.chmodSync(dir, 0o555);
		after(() => fs.chmodSync(dir, 0o755));
		return dir;
	}

	const view = mountPoint('tracedeck-ro-');
	if (!sh('mount', ['--bind', dir, view]) || !sh('mount', ['-o', 'remount,bind,ro', view])) {
		return undefined;
	}

	// The mount is really read-only, even for root.
	assert.throws(() => fs.writeFileSync(path.join(view, 'probe'), ''), /EROFS/);
	return view;
}

const CANNOT_MOUNT = isRoot ? false : 'needs root to mount a small tmpfs';

/** One line on stderr, no stack, not an internal error. */
function assertOneLine(stderr: string): void {
	assert.match(stderr, /^tracedeck: [^\n]+\n$/, stderr);
	assert.doesNotMatch(stderr, /internal error|\n\s+at /);
}

/** 500 events of 3 KB each: about 1.5 MB, more than a 1 MB disk holds. */
function bigRun(): TraceEvent[] {
	return Array.from({length: 500}, (_, i) => ({
		trace_id: 'big',
		span_id: `s${i}`,
		event_type: 'step:started',
		timestamp: '2026-01-01T00:00:00.000Z',
		data: {name: `step ${i}`, blob: 'x'.repeat(3000)},
	}));
}

function runIds(home: string): string[] {
	const list = runCli(['runs', 'list', '--json'], {home});
	assert.equal(list.code, 0, list.stderr);
	return (JSON.parse(list.stdout) as Array<{run_id: string}>).map(run => run.run_id).sort();
}

test('messages (issue 14.11): a full disk is one "disk full" line and exit 4, not an internal error; nothing half-written, and exec still runs its step', {skip: CANNOT_MOUNT}, t => {
	const disk = smallDisk('1m');
	if (disk === undefined) {
		t.skip('cannot mount a tmpfs here');
		return;
	}

	const inputs = tempHome();
	const small = path.join(inputs, 'small.jsonl');
	const big = path.join(inputs, 'big.jsonl');
	const later = path.join(inputs, 'later.jsonl');
	fs.writeFileSync(small, toJsonl(failedDeploy('t-small', 'run-small')));
	fs.writeFileSync(big, toJsonl(bigRun()));
	fs.writeFileSync(later, toJsonl(failedDeploy('t-later', 'run-later')));
	const home = path.join(disk, 'home');

	const one = runCli(['ingest', big], {home});
	assert.equal(one.code, 4, one.stderr);
	assertOneLine(one.stderr);
	assert.match(one.stderr, /^tracedeck: disk full: cannot write \S+runs\.db \(the write was rolled back: nothing of it is stored\); free space/);
	assert.equal(one.stdout, '');
	assert.deepEqual(runIds(home), [], 'the rolled-back file left no run behind');

	// Several files: the one before is stored and listed; the full disk stops the rest, which are named.
	const several = runCli(['ingest', small, big, later], {home});
	assert.equal(several.code, 4, several.stderr);
	assert.equal(several.stdout, `${small}: 7 events stored (0 already stored) into 1 run\ningested 7 events (0 already stored) from 1 file into 1 run\n`);
	const [notIngested, error, ...rest] = several.stderr.split('\n');
	assert.equal(notIngested, `tracedeck: not ingested: ${big}, ${later}`);
	assert.match(error!, /^tracedeck: disk full: /);
	assert.deepEqual(rest, ['']);
	assert.deepEqual(runIds(home), ['run-small']);

	// The rolled-back write left the disk full: runs open cannot write the run's artifacts.
	const open = runCli(['runs', 'open', 'run-small', '--no-browser'], {home});
	assert.equal(open.code, 4, open.stderr);
	assertOneLine(open.stderr);
	assert.match(open.stderr, /^tracedeck: disk full: cannot write the artifacts of run run-small under /);

	// exec where the index cannot even be created (the failed write above left its room in the WAL
	// for reuse, so a smaller disk): it warns and its command runs all the same.
	const tiny = smallDisk('64k');
	assert.ok(tiny);
	const execHome = path.join(tiny, 'home');
	const exec = runCli(['exec', '--run', 'run-on-full-disk', '--step', 'build', '--', process.execPath, '-e', 'console.log("ran"); process.exit(3)'], {home: execHome});
	assert.equal(exec.code, 3, "the step's own exit code");
	assert.equal(exec.stdout, 'ran\n');
	assert.match(exec.stderr, /disk full/);
	assert.doesNotMatch(exec.stderr, /internal error/);
});

test('messages (issue 14.11): a runs.db that is a directory is one clear line, exit 4, for read and write commands; exec warns and runs its step', () => {
	const home = tempHome();
	fs.mkdirSync(path.join(home, 'runs.db'));
	const input = path.join(home, 'run.jsonl');
	fs.writeFileSync(input, toJsonl(failedDeploy()));
	for (const args of [
		['runs', 'list'],
		['runs', 'show', 'run-x', '--json'],
		['ingest', input],
		['runs', 'purge'],
	]) {
		const result = runCli(args, {home});
		assert.equal(result.code, 4, `${args.join(' ')}: ${result.stderr}`);
		assertOneLine(result.stderr);
		assert.match(result.stderr, /runs\.db is a directory, not a run index; move it aside/);
		assert.doesNotMatch(result.stderr, /disk I\/O error/);
	}

	const exec = runCli(['exec', '--step', 'build', '--', process.execPath, '-e', 'console.log("ran")'], {home});
	assert.equal(exec.code, 0, exec.stderr);
	assert.equal(exec.stdout, 'ran\n');
	assert.match(exec.stderr, /is a directory/);
});

test('messages (issue 14.11): on a read-only home, read commands answer as on a writable one; write commands say why they cannot', t => {
	const source = tempHome();
	const input = path.join(source, 'runs.jsonl');
	fs.writeFileSync(input, toJsonl([...failedDeploy('t1', 'run-20261124-030000-abc1234'), ...failedDeploy('t2', 'run-20261124-040000-def5678')]));
	assert.equal(runCli(['ingest', input], {home: source}).code, 0);
	fs.rmSync(input);
	const reads = [
		['runs', 'list', '--json'],
		['runs', 'show', 'run-20261124-030000-abc1234', '--json'],
		['runs', 'grep', 'health', '--since', '3650d', '--json'],
	];
	// A clean copy first (the writer's close checkpointed everything into runs.db), then the reads,
	// which leave an empty runs.db-wal and a runs.db-shm in the source: both states a home is found in.
	const clean = tempHome();
	assert.deepEqual(fs.readdirSync(source), ['runs.db']);
	fs.copyFileSync(path.join(source, 'runs.db'), path.join(clean, 'runs.db'));
	const expected = reads.map(args => runCli(args, {home: source}));
	assert.deepEqual(fs.readdirSync(source).sort(), ['runs.db', 'runs.db-shm', 'runs.db-wal']);
	for (const [what, home] of [
		['with only runs.db', clean],
		['with an empty -wal and a -shm', source],
	] as const) {
		const view = readOnlyView(home);
		if (view === undefined) {
			t.skip('cannot make a read-only mount here');
			return;
		}

		for (const [i, args] of reads.entries()) {
			const result = runCli(args, {home: view});
			assert.equal(result.code, 0, `${what}: ${args.join(' ')}: ${result.stderr}`);
			assert.equal(result.stdout, expected[i]!.stdout, `${what}: ${args.join(' ')}`);
		}
	}

	const view = readOnlyView(source)!;
	const files = fs.readdirSync(view).sort();
	const write = path.join(tempHome(), 'more.jsonl');
	fs.writeFileSync(write, toJsonl(failedDeploy('t3', 'run-3')));
	const ingest = runCli(['ingest', write], {home: view});
	assert.equal(ingest.code, 4, ingest.stderr);
	assertOneLine(ingest.stderr);
	assert.match(ingest.stderr, /writable/);
	assert.deepEqual(fs.readdirSync(view).sort(), files, 'nothing was created in the home');
});

test('messages (issue 14.11): a read-only home without runs.db lists no runs; one whose last changes are still in runs.db-wal says so', t => {
	const empty = tempHome();
	const emptyView = readOnlyView(empty);
	if (emptyView === undefined) {
		t.skip('cannot make a read-only mount here');
		return;
	}

	const list = runCli(['runs', 'list', '--json'], {home: emptyView});
	assert.equal(list.code, 0, list.stderr);
	assert.deepEqual(JSON.parse(list.stdout), []);

	// A copy of a home taken while a writer had changes in its log: runs.db and runs.db-wal, no -shm.
	const live = tempHome();
	const input = path.join(live, 'run.jsonl');
	fs.writeFileSync(input, toJsonl(failedDeploy()));
	const script = `
		const {RunIndex} = await import(${JSON.stringify(path.resolve('dist/store/run-index.js'))});
		const fs = await import('node:fs');
		const index = RunIndex.open(process.argv[1]);
		index.db.pragma('wal_autocheckpoint = 0');
		index.appendEvents(fs.readFileSync(process.argv[2], 'utf8').trim().split('\\n').map(line => JSON.parse(line)));
		for (const name of ['runs.db', 'runs.db-wal']) fs.copyFileSync(process.argv[1] + '/' + name, process.argv[3] + '/' + name);
		process.exit(0);
	`;
	const copy = tempHome();
	const made = spawnSync(process.execPath, ['--input-type=module', '-e', script, live, input, copy], {encoding: 'utf8'});
	assert.equal(made.status, 0, made.stderr);
	assert.ok(fs.statSync(path.join(copy, 'runs.db-wal')).size > 0);
	const copyView = readOnlyView(copy);
	assert.ok(copyView);
	const refused = runCli(['runs', 'list', '--json'], {home: copyView});
	assert.equal(refused.code, 4, refused.stderr);
	assertOneLine(refused.stderr);
	assert.match(refused.stderr, /its last changes are still in runs\.db-wal and the folder cannot be written/);
});

test('messages (issue 14.11): a multi-file ingest goes on past a bad file, says per file what was stored and what was refused, and exits 2', () => {
	const home = tempHome();
	const dir = tempHome();
	const a = path.join(dir, 'a.jsonl');
	const b = path.join(dir, 'b.jsonl');
	const c = path.join(dir, 'c.jsonl');
	const missing = path.join(dir, 'missing.jsonl');
	fs.writeFileSync(a, toJsonl(failedDeploy('ta', 'run-a')));
	// Line 2 is cut short: b is refused whole, its first line too.
	fs.writeFileSync(b, `${JSON.stringify(failedDeploy('tb', 'run-b')[0])}\n{"trace_id": "tb",\n`);
	fs.writeFileSync(c, toJsonl(failedDeploy('tc', 'run-c')));

	const result = runCli(['ingest', a, b, missing, c], {home});
	assert.equal(result.code, 2, result.stderr);
	// failedDeploy is 7 events in 1 run: a and c store 7 each.
	assert.equal(result.stdout, [`${a}: 7 events stored (0 already stored) into 1 run`, `${c}: 7 events stored (0 already stored) into 1 run`, 'ingested 14 events (0 already stored) from 2 files into 2 runs; 2 files refused, nothing of them stored', ''].join('\n'));
	const [refusedB, refusedMissing, ...end] = result.stderr.split('\n');
	assert.ok(refusedB!.startsWith(`tracedeck: refused ${b}:2: not JSON (`), refusedB);
	assert.equal(refusedMissing, `tracedeck: refused ${missing}: no such file or folder`);
	assert.deepEqual(end, ['']);
	assert.deepEqual(runIds(home), ['run-a', 'run-c'], 'b stored nothing');

	// --json lists each file under inputs; the same ingest again stores nothing new.
	const again = runCli(['ingest', a, b, c, '--json'], {home});
	assert.equal(again.code, 2);
	const report = JSON.parse(again.stdout) as {files: number; events: number; duplicates: number; refused: number; inputs: Array<{file: string; status: string; events?: number; duplicates?: number; error?: string}>};
	assert.deepEqual({files: report.files, events: report.events, duplicates: report.duplicates, refused: report.refused}, {files: 2, events: 0, duplicates: 14, refused: 1});
	assert.deepEqual(
		report.inputs.map(input => [input.file, input.status, input.events ?? null]),
		[
			[a, 'stored', 0],
			[b, 'refused', null],
			[c, 'stored', 0],
		],
	);
	assert.match(report.inputs[1]!.error!, /b\.jsonl:2: not JSON/);

	// A folder of files is several files too; all good is exit 0.
	fs.rmSync(b);
	const folder = runCli(['ingest', dir], {home: tempHome()});
	assert.equal(folder.code, 0, folder.stderr);
	assert.match(folder.stdout, /a\.jsonl: 7 events stored.*\n.*c\.jsonl: 7 events stored.*\ningested 14 events \(0 already stored\) from 2 files into 2 runs\n$/);

	// One file keeps the single-file wording: one summary line, or its one error line.
	const single = runCli(['ingest', a], {home: tempHome()});
	assert.equal(single.stdout, 'ingested 7 events (0 already stored) from 1 file into 1 run\n');
});
