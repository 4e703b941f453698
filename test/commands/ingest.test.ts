import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {RunIndex} from '../../source/store/run-index.js';
import {failedDeploy, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

const NANOS = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;

function otlpDocument(): unknown {
	return {
		resourceSpans: [
			{
				resource: {
					attributes: [
						{key: 'service.name', value: {stringValue: 'devcmd'}},
						{key: 'devcmd.run_id', value: {stringValue: 'run-20261124-050000-otl1234'}},
						{key: 'devcmd.env', value: {stringValue: 'staging'}},
					],
				},
				scopeSpans: [
					{
						scope: {name: 'devcmd'},
						spans: [
							{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'deploy web', startTimeUnixNano: NANOS('2026-11-24T05:00:00.000Z'), endTimeUnixNano: NANOS('2026-11-24T05:00:09.000Z'), status: {code: 2}},
							{
								traceId: '0af7651916cd43dd8448eb211c80319c',
								spanId: '00f067aa0ba902b7',
								parentSpanId: 'b7ad6b7169203331',
								name: 'Migration',
								startTimeUnixNano: NANOS('2026-11-24T05:00:01.000Z'),
								endTimeUnixNano: NANOS('2026-11-24T05:00:08.500Z'),
								status: {code: 2, message: 'migration 0042 failed: lock timeout'},
								attributes: [{key: 'exit_code', value: {intValue: '1'}}],
								events: [{timeUnixNano: NANOS('2026-11-24T05:00:08.000Z'), name: 'stderr_tail', attributes: [{key: 'lines', value: {arrayValue: {values: [{stringValue: 'ERROR: lock timeout'}]}}}]}],
							},
						],
					},
				],
			},
		],
	};
}

function rows(home: string): unknown {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	const out = {
		events: db.prepare('SELECT trace_id, span_id, event_type, ts_ms, digest, body FROM events ORDER BY id').all(),
		spans: db.prepare('SELECT * FROM spans ORDER BY span_id').all(),
		runs: db.prepare('SELECT * FROM runs').all(),
	};
	db.close();
	return out;
}

test('ingesting the same OTLP file twice yields the same rows', () => {
	const home = tempHome();
	const file = path.join(home, 'export.json');
	fs.writeFileSync(file, JSON.stringify(otlpDocument()));
	const first = runCli(['ingest', file], {home});
	assert.equal(first.code, 0, first.stderr);
	const once = rows(home);
	const second = runCli(['ingest', file, '--json'], {home});
	assert.equal(second.code, 0, second.stderr);
	// Two spans' start and end, one stderr line, and the stderr_tail span event: six, all already stored.
	assert.deepEqual(JSON.parse(second.stdout), {files: 1, events: 0, duplicates: 6, traces: 0});
	assert.deepEqual(rows(home), once);

	const show = JSON.parse(runCli(['runs', 'show', 'run-20261124-050000', '--json'], {home}).stdout) as {run: {env: string; status: string; failed_step: string}; failure: {error: string; step_path: string}; spans: Array<{stderr: string[]}>};
	assert.equal(show.run.env, 'staging');
	assert.equal(show.run.status, 'failed');
	assert.equal(show.failure.step_path, 'Migration');
	assert.equal(show.failure.error, 'migration 0042 failed: lock timeout');
	assert.deepEqual(show.spans[1]!.stderr, ['ERROR: lock timeout']);
});

test("JSONL ingest, list and show agree with DESIGN's contracts", () => {
	const home = tempHome();
	const file = path.join(home, 'run.jsonl');
	fs.writeFileSync(file, toJsonl(failedDeploy()));
	assert.equal(runCli(['ingest', file], {home}).code, 0);
	const list = runCli(['runs', 'list', '--json'], {home});
	assert.equal(list.code, 0);
	const runs = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
	assert.equal(runs.length, 1);
	for (const field of ['run_id', 'trace_id', 'env', 'target', 'plan_hash', 'status', 'started_at', 'ended_at', 'failed_step', 'retries', 'runner', 'git', 'user', 'progress', 'policy']) {
		assert.ok(field in runs[0]!, `run has ${field}`);
	}

	const text = runCli(['runs', 'list'], {home});
	assert.match(text.stdout, /run-20261124-030000-abc1234\s+(✗|x) failed\s+prod\s+api/);
	const show = runCli(['runs', 'show', 'run-20261124-030000-abc1234', '--json'], {home});
	const report = JSON.parse(show.stdout) as Record<string, unknown>;
	assert.deepEqual(Object.keys(report), ['run', 'spans', 'critical_path', 'failure', 'recovered', 'compensations', 'orphans', 'decisions', 'logs']);
	assert.deepEqual((report['failure'] as {path: string[]}).path, ['r', 'd']);
	const showText = runCli(['runs', 'show', 'run-20261124-030000-abc1234'], {home});
	assert.match(showText.stdout, /FAILURE {2}Deploy\n {2}error: health check timeout after 30s/);
});

test('runs list --json does not load ink or react', () => {
	const home = tempHome();
	const spy = path.join(home, 'modules.txt');
	const result = runCli(['runs', 'list', '--json'], {home, env: {MODULE_SPY_FILE: spy}, nodeArgs: ['--import', path.resolve('test/helpers/module-spy.mjs')]});
	assert.equal(result.code, 0, result.stderr);
	const loaded = fs.readFileSync(spy, 'utf8');
	assert.match(loaded, /better-sqlite3/, 'the spy saw the command load its modules');
	assert.doesNotMatch(loaded, /node_modules\/(ink|react|@inkjs|ioredis)\//);
});

test('ingest of JSON Lines does not load protobufjs; a protobuf file does, and is stored', () => {
	const home = tempHome();
	const lines = path.join(home, 'run.jsonl');
	fs.writeFileSync(lines, toJsonl(failedDeploy()));
	const protobufFile = path.join(home, 'export.pb');
	fs.writeFileSync(protobufFile, encodeExportTraceRequest({resourceSpans: [{resource: {attributes: []}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'one', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000'}]}]}]}));
	const loads = (file: string): string => {
		const spy = path.join(home, `modules-${path.basename(file)}.txt`);
		const result = runCli(['ingest', file], {home, env: {MODULE_SPY_FILE: spy}, nodeArgs: ['--import', path.resolve('test/helpers/module-spy.mjs')]});
		assert.equal(result.code, 0, result.stderr);
		return fs.readFileSync(spy, 'utf8');
	};

	// protobufjs and the parsed OTLP schema are ~45 ms of start-up that a JSON Lines ingest never uses.
	assert.doesNotMatch(loads(lines), /node_modules\/protobufjs\//);
	assert.match(loads(protobufFile), /node_modules\/protobufjs\//);
	const index = RunIndex.open(home, {readonly: true});
	try {
		assert.equal(index.db.prepare("SELECT count(*) FROM spans WHERE trace_id = '0af7651916cd43dd8448eb211c80319c'").pluck().get(), 1);
	} finally {
		index.close();
	}
});

test('bad input: one clear line, a non-zero exit code, nothing half-written', async t => {
	const home = tempHome();
	const good = path.join(home, 'good.jsonl');
	fs.writeFileSync(good, toJsonl(failedDeploy()));
	const cases: Array<{name: string; args: string[]; code: number; message: RegExp; setup?: () => void}> = [
		{
			name: 'malformed line',
			args: ['ingest', path.join(home, 'bad.jsonl')],
			code: 2,
			message: /bad\.jsonl:3: not JSON/,
			setup() {
				const lines = toJsonl(failedDeploy('t9', 'run-bad')).split('\n');
				lines[2] = '{"trace_id": "t9", "span_id":';
				fs.writeFileSync(path.join(home, 'bad.jsonl'), lines.join('\n'));
			},
		},
		{
			name: 'invalid event',
			args: ['ingest', path.join(home, 'invalid.jsonl')],
			code: 2,
			message: /invalid\.jsonl:1: timestamp:/,
			setup() {
				fs.writeFileSync(path.join(home, 'invalid.jsonl'), '{"trace_id":"x","span_id":"y","event_type":"step:started","timestamp":"yesterday"}\n');
			},
		},
		{
			name: 'truncated OTLP',
			args: ['ingest', path.join(home, 'trunc.json')],
			code: 2,
			message: /trunc\.json: truncated or invalid JSON/,
			setup() {
				fs.writeFileSync(path.join(home, 'trunc.json'), JSON.stringify(otlpDocument()).slice(0, 300));
			},
		},
		{
			name: 'JSON of no trace format',
			args: ['ingest', path.join(home, 'other.json')],
			code: 2,
			message: /other\.json: no spans found; expected TraceEvent JSON Lines, OTLP JSON\/JSON Lines\/protobuf, Jaeger JSON or Zipkin v2 JSON$/m,
			setup() {
				fs.writeFileSync(path.join(home, 'other.json'), '{"hello": "world"}');
			},
		},
		{
			name: 'OTLP with a broken span',
			args: ['ingest', path.join(home, 'broken.json')],
			code: 2,
			message: /broken\.json: invalid OTLP: resourceSpans\.0\.scopeSpans\.0\.spans\.0\.spanId/,
			setup() {
				const doc = otlpDocument() as {resourceSpans: Array<{scopeSpans: Array<{spans: Array<Record<string, unknown>>}>}>};
				delete doc.resourceSpans[0]!.scopeSpans[0]!.spans[0]!['spanId'];
				fs.writeFileSync(path.join(home, 'broken.json'), JSON.stringify(doc));
			},
		},
		{name: 'missing file', args: ['ingest', path.join(home, 'nope.jsonl')], code: 3, message: /nope\.jsonl: no such file or folder/},
		{name: 'unknown run id', args: ['runs', 'show', 'run-does-not-exist', '--json'], code: 3, message: /no run matches "run-does-not-exist"/},
		{name: 'unknown command', args: ['frobnicate'], code: 2, message: /unknown command "frobnicate"/},
		{name: 'unknown runs verb', args: ['runs', 'frobnicate'], code: 2, message: /unknown command "runs frobnicate"/},
		{name: 'bad status filter', args: ['runs', 'list', '--status', 'weird'], code: 2, message: /--status must be one of/},
	];
	assert.equal(runCli(['ingest', good], {home}).code, 0);
	const before = rows(home);
	for (const c of cases) {
		await t.test(c.name, () => {
			c.setup?.();
			const result = runCli(c.args, {home});
			assert.equal(result.code, c.code, result.stderr);
			assert.match(result.stderr, c.message);
			assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
			assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
			assert.equal(result.stdout, '');
		});
	}

	assert.deepEqual(rows(home), before, 'no bad input wrote anything');
});

test('a foreign or newer database is refused by every command', () => {
	const foreign = tempHome();
	const db = new Database(path.join(foreign, 'runs.db'));
	db.exec('CREATE TABLE accounts (id INTEGER)');
	db.close();
	const result = runCli(['runs', 'list'], {home: foreign});
	assert.equal(result.code, 4);
	assert.match(result.stderr, /is not a tracedeck database/);

	const newer = tempHome();
	assert.equal(runCli(['runs', 'list'], {home: newer}).code, 0);
	const db2 = new Database(path.join(newer, 'runs.db'));
	db2.pragma('user_version = 99');
	db2.close();
	const refused = runCli(['ingest', path.join(newer, 'x.jsonl')], {home: newer});
	assert.notEqual(refused.code, 0);
	const list = runCli(['runs', 'list'], {home: newer});
	assert.equal(list.code, 4);
	assert.match(list.stderr, /written by a newer tracedeck/);
});

test('--help works on every command in the command table', async () => {
	const {COMMANDS} = await import('../../source/commands/command-table.js');
	for (const name of ['', ...Object.keys(COMMANDS)]) {
		const args = [...name.split(' ').filter(Boolean), '--help'];
		const result = runCli(args);
		assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
		assert.match(result.stdout, /Usage/, args.join(' '));
	}
});

test('a reader that stops reading (| head) ends the command quietly', () => {
	const home = tempHome();
	const file = path.join(home, 'many.jsonl');
	fs.writeFileSync(file, Array.from({length: 300}, (_, i) => toJsonl(failedDeploy(`t${i}`, `run-${String(i).padStart(4, '0')}`))).join(''));
	assert.equal(runCli(['ingest', file], {home}).code, 0);
	const result = spawnSync('sh', ['-c', `"${process.execPath}" bin/tracedeck.js runs list --limit 0 --json | head -c 10 >/dev/null`], {env: {...process.env, TRACEDECK_HOME: home}, encoding: 'utf8'});
	assert.doesNotMatch(result.stderr, /EPIPE|Unhandled/);
});
