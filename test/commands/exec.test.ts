import assert from 'node:assert/strict';
import {spawn, spawnSync, type SpawnSyncReturns} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {before, test} from 'node:test';
import type {Span} from '../../source/core/span.js';
import {RunIndex} from '../../source/store/run-index.js';
import {cliEnv} from '../helpers/cli-env.js';
import {ensureBuilt} from '../helpers/built-dist.js';
import {BIN} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {REPO} from '../helpers/repo-root.js';

// The CLI runs from dist, built from the sources as they are now.
before(ensureBuilt);

function tracedeck(home: string, args: string[], extra: Record<string, string> = {}): SpawnSyncReturns<string> {
	return spawnSync(process.execPath, [BIN, ...args], {cwd: REPO, env: cliEnv({home, env: extra}), encoding: 'utf8', timeout: 60_000});
}

/** `node -e <script> [args]`: a portable stand-in for a CI command. */
function nodeCommand(script: string, ...args: string[]): string[] {
	return [process.execPath, '-e', script, ...args];
}

function readRun(home: string, runId: string): {run: ReturnType<RunIndex['resolveRun']>; spans: Span[]; index: RunIndex} {
	const index = RunIndex.open(home, {readonly: true});
	const run = index.resolveRun(runId);
	return {run, spans: index.spans(run.trace_id), index};
}

function withRun<T>(home: string, runId: string, read: (run: ReturnType<RunIndex['resolveRun']>, spans: Span[], index: RunIndex) => T): T {
	const {run, spans, index} = readRun(home, runId);
	try {
		return read(run, spans, index);
	} finally {
		index.close();
	}
}

function spanAt(spans: readonly Span[], name: string): Span {
	const span = spans.find(s => s.name === name);
	assert.ok(span, `span ${name}`);
	return span;
}

test('the exit code is preserved: 0, 3, and 137 for a SIGKILLed command', async () => {
	const home = tempHome();
	const ok = tracedeck(home, ['exec', '--run', 'run-codes', '--step', 'ok', '--', ...nodeCommand('process.stdout.write("hello\\n")')]);
	assert.equal(ok.status, 0, ok.stderr);
	assert.equal(ok.stdout, 'hello\n', "stdout is the command's, untouched");
	const three = tracedeck(home, ['exec', '--run', 'run-codes', '--step', 'three', '--', ...nodeCommand('process.exit(3)')]);
	assert.equal(three.status, 3, three.stderr);
	const killed = tracedeck(home, ['exec', '--run', 'run-codes', '--step', 'killed', '--', ...nodeCommand('process.kill(process.pid, "SIGKILL")')]);
	assert.equal(killed.status, 137, killed.stderr);
	const shell = tracedeck(home, ['exec', '--run', 'run-codes', '--step', 'shell', '--', 'exit 7']);
	assert.equal(shell.status, 7, 'one argument runs through the shell');

	withRun(home, 'run-codes', (run, spans) => {
		assert.equal(run.status, 'running', 'the run stays open until --finish');
		assert.equal(spanAt(spans, 'ok').status, 'success');
		assert.equal(spanAt(spans, 'ok').attributes['exit_code'], 0);
		assert.equal(spanAt(spans, 'three').status, 'failed');
		assert.equal(spanAt(spans, 'three').attributes['exit_code'], 3);
		assert.match(spanAt(spans, 'three').error?.message ?? '', /exited with code 3/);
		assert.equal(spanAt(spans, 'killed').attributes['exit_code'], 137);
		assert.equal(spanAt(spans, 'killed').attributes['signal'], 'SIGKILL');
		assert.match(spanAt(spans, 'killed').error?.message ?? '', /killed by SIGKILL/);
	});
});

test('a command that cannot start exits 127 and is recorded as failed', async () => {
	const home = tempHome();
	const result = tracedeck(home, ['exec', '--run', 'run-missing', '--step', 'nope', '--', 'tracedeck-no-such-command-xyz', '--flag']);
	assert.equal(result.status, 127);
	assert.match(result.stderr, /cannot run tracedeck-no-such-command-xyz/);
	withRun(home, 'run-missing', (_run, spans) => {
		assert.match(spanAt(spans, 'nope').error?.message ?? '', /could not start/);
	});
});

test('retries: re-run while non-zero, each retry recorded with the exit code that caused it', async () => {
	const home = tempHome();
	const counter = path.join(home, 'attempts');
	const flaky = nodeCommand('const fs = require("fs"); const f = process.argv[1]; const n = fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8")) : 0; fs.writeFileSync(f, String(n + 1)); process.exit(n < 2 ? 5 + n : 0)', counter);
	const passed = tracedeck(home, ['exec', '--run', 'run-retry', '--step', 'test/flaky', '--retries', '3', '--', ...flaky]);
	assert.equal(passed.status, 0, passed.stderr);
	assert.equal(fs.readFileSync(counter, 'utf8'), '3');
	const exhausted = tracedeck(home, ['exec', '--run', 'run-retry', '--step', 'test/broken', '--retries', '2', '--', ...nodeCommand('process.exit(4)')]);
	assert.equal(exhausted.status, 4);

	withRun(home, 'run-retry', (run, spans) => {
		const flakySpan = spanAt(spans, 'flaky');
		assert.equal(flakySpan.status, 'success');
		assert.deepEqual(
			flakySpan.retries.map(r => [r.n, r.exit_code]),
			[
				[1, 5],
				[2, 6],
			],
		);
		assert.equal(flakySpan.attributes['attempts'], 3);
		assert.equal(flakySpan.attributes['max_retries'], 3);
		const broken = spanAt(spans, 'broken');
		assert.equal(broken.status, 'failed');
		assert.deepEqual(
			broken.retries.map(r => [r.n, r.exit_code]),
			[
				[1, 4],
				[2, 4],
			],
		);
		assert.match(broken.error?.message ?? '', /after 3 attempts/);
		assert.equal(run.retries, 4);
		assert.equal(spanAt(spans, 'test').status, 'failed', 'the stage fails with its failed step');
	});
});

test('stderr is passed through whole and its lines are recorded as they come, long lines capped', async () => {
	const home = tempHome();
	const script = 'for (let i = 1; i <= 60; i++) process.stderr.write(`line ${i}\\n`); process.stderr.write("x".repeat(10000) + "\\n"); process.stderr.write("\\u001b[31mlast\\u001b[0m"); process.exit(2)';
	const result = tracedeck(home, ['exec', '--run', 'run-stderr', '--step', 'noisy', '--', ...nodeCommand(script)]);
	assert.equal(result.status, 2);
	for (let i = 1; i <= 60; i++) {
		assert.ok(result.stderr.includes(`line ${i}\n`), `line ${i} passed through`);
	}

	withRun(home, 'run-stderr', (run, spans, index) => {
		const noisy = spanAt(spans, 'noisy');
		const lines = index
			.events(run.trace_id)
			.map(e => e.event)
			.filter(e => e.event_type === 'log:stderr')
			.map(e => String(e.data?.['line']));
		assert.equal(lines.length, 62, 'every line, once (none recorded again at the end)');
		assert.equal(lines[0], 'line 1');
		assert.equal(lines[59], 'line 60');
		assert.ok(lines[60]!.startsWith('x'.repeat(4096)) && lines[60]!.endsWith('… [5904 more bytes]'), 'a 10,000-byte line is kept to 4 KiB');
		assert.equal(lines[61], '\u001b[31mlast\u001b[0m', 'stored raw; the last line needs no newline');
		assert.deepEqual(noisy.stderr.slice(-2), lines.slice(-2));
		assert.match(noisy.error?.message ?? '', /exited with code 2: .*last/);
	});
});

test('steps of separate exec calls join one run; the run is created on first use and its id is hinted', async () => {
	const home = tempHome();
	const githubEnv = path.join(home, 'github-env');
	fs.writeFileSync(githubEnv, '');
	const first = tracedeck(home, ['exec', '--step', 'build/unit', '--env', 'staging', '--target', 'api', '--', ...nodeCommand('')], {GITHUB_ENV: githubEnv});
	assert.equal(first.status, 0, first.stderr);
	const hint = /^TRACEDECK_RUN_ID=(run-\d{8}-\d{6}(?:-[0-9a-f]+)?)$/m.exec(first.stderr);
	assert.ok(hint, `a run id hint on stderr: ${first.stderr}`);
	assert.equal(first.stdout, '', 'the hint stays off stdout');
	const runId = hint[1]!;
	assert.equal(fs.readFileSync(githubEnv, 'utf8'), `TRACEDECK_RUN_ID=${runId}\n`, 'later GitHub Actions steps get the id');
	const second = tracedeck(home, ['exec', '--step', 'build/lint', '--', ...nodeCommand('process.exit(1)')], {TRACEDECK_RUN_ID: runId});
	assert.equal(second.status, 1);
	assert.doesNotMatch(second.stderr, /TRACEDECK_RUN_ID=/, 'joining an existing run announces nothing');
	const third = tracedeck(home, ['exec', '--run', runId, '--step', 'deploy', '--', ...nodeCommand('')]);
	assert.equal(third.status, 0);

	withRun(home, runId, (run, spans, index) => {
		assert.equal(index.listRuns().length, 1, 'one run');
		assert.equal(run.env, 'staging');
		assert.equal(run.target, 'api');
		const root = spans.find(s => s.parent_span_id === null)!;
		assert.equal(root.kind, 'workflow');
		const builds = spans.filter(s => s.name === 'build');
		assert.equal(builds.length, 1, 'build/unit and build/lint share one build stage');
		assert.equal(builds[0]!.parent_span_id, root.span_id);
		assert.equal(spanAt(spans, 'unit').parent_span_id, builds[0]!.span_id);
		assert.equal(spanAt(spans, 'lint').parent_span_id, builds[0]!.span_id);
		assert.equal(spanAt(spans, 'deploy').parent_span_id, root.span_id);
		assert.equal(builds[0]!.status, 'failed', 'lint failed after unit passed: the stage stays failed');
		assert.equal(run.progress.total, 4);
	});
});

test('--finish: failed when a step failed, else success; --status overrides', async () => {
	const home = tempHome();
	assert.equal(tracedeck(home, ['exec', '--run', 'run-a', '--step', 'good', '--', ...nodeCommand('')]).status, 0);
	assert.equal(tracedeck(home, ['exec', '--run', 'run-a', '--step', 'bad', '--', ...nodeCommand('process.exit(9)')]).status, 9);
	const finished = tracedeck(home, ['exec', '--run', 'run-a', '--finish', '--json']);
	assert.equal(finished.status, 0, finished.stderr);
	const summary = JSON.parse(finished.stdout) as {run_id: string; status: string; artifacts: string | null};
	assert.equal(summary.run_id, 'run-a');
	assert.equal(summary.status, 'failed');
	if (summary.artifacts !== null) {
		assert.ok(fs.existsSync(summary.artifacts), 'the artifacts folder exists');
		assert.ok(summary.artifacts.startsWith(path.join(home, 'artifacts')));
	}

	withRun(home, 'run-a', run => {
		assert.equal(run.status, 'failed');
		assert.equal(run.failed_step, 'bad');
		assert.notEqual(run.ended_at, null);
	});

	assert.equal(tracedeck(home, ['exec', '--run', 'run-b', '--step', 'good', '--', ...nodeCommand('')]).status, 0);
	assert.equal(tracedeck(home, ['exec', '--finish'], {TRACEDECK_RUN_ID: 'run-b'}).status, 0);
	withRun(home, 'run-b', run => assert.equal(run.status, 'success'));

	assert.equal(tracedeck(home, ['exec', '--run', 'run-a', '--finish', '--status', 'success']).status, 0);
	withRun(home, 'run-a', run => assert.equal(run.status, 'success', 'a later finish with an explicit status wins'));

	const unknown = tracedeck(home, ['exec', '--run', 'run-none', '--finish']);
	assert.equal(unknown.status, 0, 'finishing an unknown run warns but never fails a CI job');
	assert.match(unknown.stderr, /no run "run-none"/);
});

test('the command runs and keeps its exit code when tracedeck cannot record', async () => {
	const home = tempHome();
	const notADir = path.join(home, 'file');
	fs.writeFileSync(notADir, 'not a folder');
	const result = tracedeck(notADir, ['exec', '--run', 'run-x', '--step', 'build', '--', ...nodeCommand('process.stdout.write("ran"); process.exit(3)')]);
	assert.equal(result.status, 3);
	assert.equal(result.stdout, 'ran');
	assert.match(result.stderr, /tracedeck: warning: cannot open the run index/);

	const corrupt = path.join(home, 'corrupt');
	fs.mkdirSync(corrupt);
	fs.writeFileSync(path.join(corrupt, 'runs.db'), 'garbage, not sqlite '.repeat(100));
	const second = tracedeck(corrupt, ['exec', '--step', 'build', '--', ...nodeCommand('process.exit(0)')]);
	assert.equal(second.status, 0);
	assert.match(second.stderr, /warning/);
});

test('usage errors exit 2 before anything runs', async () => {
	const home = tempHome();
	assert.equal(tracedeck(home, ['exec', '--', 'true']).status, 2, 'no --step');
	assert.equal(tracedeck(home, ['exec', '--step', 'x']).status, 2, 'no command');
	assert.equal(tracedeck(home, ['exec', '--step', 'x', '--retries', '-1', '--', 'true']).status, 2);
	assert.equal(tracedeck(home, ['exec', '--finish']).status, 2, 'no run to finish');
	assert.equal(tracedeck(home, ['exec', '--run', 'r', '--finish', '--status', 'meh']).status, 2);
});

test('Ctrl-C reaches the command; its exit code comes back and the step is recorded as cancelled', {skip: process.platform === 'win32'}, async () => {
	const home = tempHome();
	const script = 'process.on("SIGINT", () => { process.stderr.write("child got SIGINT\\n"); process.exit(42); }); process.stderr.write("ready\\n"); setInterval(() => {}, 1000)';
	const child = spawn(process.execPath, [BIN, 'exec', '--run', 'run-int', '--step', 'long', '--retries', '3', '--', ...nodeCommand(script)], {cwd: REPO, env: cliEnv({home}), stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	const ready = new Promise<void>(resolve => {
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			if (stderr.includes('ready\n')) {
				resolve();
			}
		});
	});
	await ready;
	// Only tracedeck gets the signal (as from a CI cancel); it must pass it on.
	child.kill('SIGINT');
	const code = await new Promise<number | null>(resolve => {
		child.once('exit', resolve);
	});
	assert.equal(code, 42);
	assert.match(stderr, /child got SIGINT/);
	withRun(home, 'run-int', (_run, spans) => {
		const long = spanAt(spans, 'long');
		assert.equal(long.status, 'failed');
		assert.equal(long.last_event_type, 'step:cancelled');
		assert.equal(long.attributes['interrupted_by'], 'SIGINT');
		assert.deepEqual(long.retries, [], 'no retry after an interrupt');
	});
});

test("--finish --pushgateway pushes the run's figures, and a gateway that is down only warns", async () => {
	const home = tempHome();
	assert.equal(tracedeck(home, ['exec', '--run', 'run-push', '--step', 'build', '--', ...nodeCommand('process.exit(0)')]).status, 0);
	const http = await import('node:http');
	const received: Array<{method: string; url: string; body: string}> = [];
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', chunk => {
			body += String(chunk);
		});
		request.on('end', () => {
			received.push({method: request.method ?? '', url: request.url ?? '', body});
			response.end();
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	const child = spawn(process.execPath, [BIN, 'exec', '--run', 'run-push', '--finish', '--pushgateway', `http://127.0.0.1:${port}`], {env: cliEnv({home})});
	let stderr = '';
	child.stderr.on('data', chunk => {
		stderr += String(chunk);
	});
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	server.close();
	assert.equal(code, 0, stderr);
	assert.equal(received.length, 1);
	assert.equal(received[0]!.url, '/metrics/job/tracedeck/run_id/run-push');
	assert.match(received[0]!.body, /tracedeck_run_duration_seconds\{/);

	const down = tracedeck(home, ['exec', '--run', 'run-push', '--finish', '--pushgateway', `http://127.0.0.1:${port}`]);
	assert.equal(down.status, 0);
	assert.match(down.stderr, /warning: pushgateway .* unreachable/);
});
