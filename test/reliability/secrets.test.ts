import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, test} from 'node:test';
import Database from 'better-sqlite3';
import {Redis} from 'ioredis';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {at, toJsonl} from '../helpers/events.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {startServe} from '../helpers/serve-cli.js';
import {startTestRedis} from '../helpers/redis-server.js';

/*
 * Issue 14, item 6, end to end: secrets that reach `serve`, `ingest` and
 * `exec` are stored in no place in clear: not in runs.db (its bytes, WAL and
 * tables), not in artifacts (otlp-traces.json, report.html, summary.json),
 * not in `runs export` (json, csv, otlp), not on the Redis streams. The home
 * and its files are private under the default umask.
 */

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
	return fs
		.readdirSync(dir, {recursive: true, encoding: 'utf8'})
		.map(name => path.join(dir, name))
		.filter(file => fs.statSync(file).isFile());
}

function assertAbsent(text: string, secrets: Record<string, string>, where: string): void {
	for (const [name, secret] of Object.entries(secrets)) {
		assert.equal(text.includes(secret), false, `the ${name} secret "${secret}" is in ${where}`);
	}
}

/** The bytes of every file of the home (runs.db, -wal, -shm, artifacts), as UTF-8 and Latin-1, hold none of the secrets. */
function assertHomeClean(home: string, secrets: Record<string, string>): void {
	for (const file of filesUnder(home)) {
		if (file.endsWith('.jsonl') || file.endsWith('.input.json')) {
			continue; // The test's own input files.
		}

		const bytes = fs.readFileSync(file);
		assertAbsent(bytes.toString('utf8'), secrets, path.relative(home, file));
		assertAbsent(bytes.toString('latin1'), secrets, `${path.relative(home, file)} (latin1)`);
	}
}

/** The events bodies (as stored), spans and runs tables as text, read with SQLite (not through tracedeck). */
function storedRows(home: string): string {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		const events = db.prepare('SELECT body FROM events').pluck().all() as string[];
		const spans = db.prepare('SELECT * FROM spans').all();
		const runs = db.prepare('SELECT * FROM runs').all();
		assert.ok(events.length > 0 && spans.length > 0 && runs.length > 0, 'something was stored');
		return [...events, JSON.stringify(spans), JSON.stringify(runs)].join('\n');
	} finally {
		db.close();
	}
}

/** `runs export` in every format, and `runs open --no-browser` (artifacts: otlp-traces.json, report.html, summary.json). */
function assertReadersClean(home: string, runId: string, secrets: Record<string, string>): void {
	for (const format of ['json', 'csv', 'otlp']) {
		for (const extra of format === 'csv' ? [[], ['--spans']] : [[]]) {
			const result = runCli(['runs', 'export', '--format', format, ...extra], {home});
			assert.equal(result.code, 0, result.stderr);
			assert.ok(result.stdout.length > 100, `runs export --format ${format} printed the runs`);
			assertAbsent(result.stdout, secrets, `runs export --format ${format} ${extra.join(' ')}`);
		}
	}

	const opened = runCli(['runs', 'open', runId, '--no-browser', '--json'], {home});
	assert.equal(opened.code, 0, opened.stderr);
	const {dir} = JSON.parse(opened.stdout) as {dir: string};
	assert.deepEqual(fs.readdirSync(dir).sort(), ['otlp-traces.json', 'report.html', 'summary.json']);
	assertHomeClean(home, secrets);
}

const NANOS = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;
const str = (key: string, value: string) => ({key, value: {stringValue: value}});

// Distinct, greppable secrets for the OTLP path. Each is what must not appear; the text around it may.
const OTLP_SECRETS = {
	header: 'srv-bearer-7f3e2d1c',
	inlineBearer: 'srv-inline-6a5b4c3d',
	pgPassword: 'pg-pass-4a3b2c1d',
	awsKeyId: 'Z7Y6X5W4V3U2T1S0',
	awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9Secret',
	card: '4111 1111 1111 1111',
	cardDigits: '4111111111111111',
	password: 'pw-served-hunter2',
	stderr: 'tok-stderr-5e6f7a8b',
	exception: 'exc-pass-9c8d7e6f',
	status: 'status-tok-1a2b3c4d',
} as const;

/** One failed deploy with a failed migrate step, secrets in attributes, values, a stderr tail, an exception and the status message. */
function otlpWithSecrets(runId: string, traceId: string): unknown {
	return {
		resourceSpans: [
			{
				resource: {attributes: [str('devcmd.run_id', runId), str('devcmd.env', 'prod'), str('devcmd.target', 'api')]},
				scopeSpans: [
					{
						spans: [
							{traceId, spanId: 'b7ad6b7169203331', name: 'deploy', startTimeUnixNano: NANOS(at(0)), endTimeUnixNano: NANOS(at(9)), status: {code: 2}},
							{
								traceId,
								spanId: '00f067aa0ba902b7',
								parentSpanId: 'b7ad6b7169203331',
								name: 'migrate',
								startTimeUnixNano: NANOS(at(1)),
								endTimeUnixNano: NANOS(at(8)),
								status: {code: 2, message: `rejected token=${OTLP_SECRETS.status}`},
								attributes: [
									str('http.request.header.authorization', `Bearer ${OTLP_SECRETS.header}`),
									str('note', `retrying with Authorization: Bearer ${OTLP_SECRETS.inlineBearer}`),
									str('db.url', `postgres://app:${OTLP_SECRETS.pgPassword}@db.internal:5432/shop`),
									str('aws.key_id', `AKIA${OTLP_SECRETS.awsKeyId}`),
									str('aws.secret_access_key', OTLP_SECRETS.awsSecret),
									str('payment.note', `charged ${OTLP_SECRETS.card}`),
									{key: 'payment.pan', value: {intValue: OTLP_SECRETS.cardDigits}},
									str('db.password', OTLP_SECRETS.password),
								],
								events: [
									{timeUnixNano: NANOS(at(7)), name: 'stderr_tail', attributes: [str('lines', `starting\nexport API_TOKEN=${OTLP_SECRETS.stderr}\n`)]},
									{timeUnixNano: NANOS(at(8)), name: 'exception', attributes: [str('exception.message', `login failed for postgres://ci:${OTLP_SECRETS.exception}@db`)]},
								],
							},
						],
					},
				],
			},
		],
	};
}

test('secrets (issue 14.6): serve (a real HTTP POST of OTLP JSON) stores none in clear: runs.db bytes and tables, the Redis streams, exports, artifacts', {timeout: 120_000}, async () => {
	const redis = await startTestRedis();
	after(async () => redis.stop());
	const home = tempHome();
	const traceId = '5bf92f3577b34da6a3ce929d0e0e4737';
	const served = await startServe(['--redis', redis.url], {home});
	try {
		const url = served.httpUrl;
		const response = await fetch(`${url}/v1/traces`, {method: 'POST', body: JSON.stringify(otlpWithSecrets('run-secrets-served', traceId)), headers: {'Content-Type': 'application/json'}});
		assert.equal(response.status, 200, await response.text());
	} finally {
		await served.stop();
	}

	const rows = storedRows(home);
	assertAbsent(rows, OTLP_SECRETS, 'the events, spans or runs tables');
	// What is around a secret stays, so the rows still say what happened.
	assert.match(rows, /postgres:\/\/app:<redacted:16chars>@db\.internal:5432\/shop/);
	assert.match(rows, /retrying with Authorization: Bearer <redacted:19chars>/);
	assert.match(rows, /AKIA<redacted:16chars>/);
	assert.match(rows, /charged <redacted:19chars>/);
	assert.match(rows, /export API_TOKEN=<redacted:19chars>/);
	assertHomeClean(home, OTLP_SECRETS);

	const client = new Redis(redis.url, {lazyConnect: true, maxRetriesPerRequest: 1});
	await client.connect();
	try {
		const stream = await client.xrange(`trace:{${traceId}}`, '-', '+');
		const active = await client.xrange('traces:active', '-', '+');
		assert.ok(stream.length >= 5, `the trace stream has the events (${stream.length})`);
		const text = JSON.stringify([stream, active]);
		assertAbsent(text, OTLP_SECRETS, 'the Redis streams');
		assert.match(text, /redacted:/);
	} finally {
		client.disconnect();
	}

	assertReadersClean(home, 'run-secrets-served', OTLP_SECRETS);
});

const JSONL_SECRETS = {
	password: 'ing-pw-3e4f5a6b',
	header: 'ing-bearer-8c9d0e1f',
	mysqlUrl: 'ing-url-pass-2a3b',
	card: '5555 5555 5555 4444',
	awsKeyId: 'QWERTYUIOPASDF12',
	mysqlCli: 'ing-mysql-pw-7c8d',
	resolved: 'ing-resolved-tok-9e0f',
	tag: 'ing-tag-tok-1a2b',
} as const;

function jsonlWithSecrets(traceId: string, runId: string): TraceEvent[] {
	return [
		{
			trace_id: traceId,
			span_id: 'r',
			event_type: 'workflow:started',
			timestamp: at(0),
			data: {
				name: 'deploy api',
				run_id: runId,
				env: 'prod',
				target: 'api',
				resolved_values: {1: `@env(API_TOKEN) → ${JSONL_SECRETS.resolved}`, 2: '@var(REPLICAS) → 3'},
			},
			tags: [`token=${JSONL_SECRETS.tag}`],
		},
		{
			trace_id: traceId,
			span_id: 'm',
			parent_span_id: 'r',
			event_type: 'step:started',
			timestamp: at(1),
			data: {
				name: 'migrate',
				input: {db: {password: JSONL_SECRETS.password, url: `mysql://root:${JSONL_SECRETS.mysqlUrl}@db/shop`}, headers: {Authorization: `Bearer ${JSONL_SECRETS.header}`}},
				command: `mysql -uroot -p${JSONL_SECRETS.mysqlCli} shop`,
			},
		},
		{trace_id: traceId, span_id: 'm', event_type: 'log:stderr', timestamp: at(2), data: {line: `card ${JSONL_SECRETS.card} declined for AKIA${JSONL_SECRETS.awsKeyId}`}},
		{trace_id: traceId, span_id: 'm', event_type: 'step:failed', status: 'failed', timestamp: at(3), data: {error: {message: `cannot connect: mysql://root:${JSONL_SECRETS.mysqlUrl}@db/shop`}}},
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:failed', status: 'failed', timestamp: at(4)},
	];
}

test('secrets (issue 14.6): ingest (JSON Lines and OTLP JSON) stores none in clear, and ingesting again stays idempotent', {timeout: 120_000}, () => {
	const home = tempHome();
	const jsonl = path.join(home, 'run.jsonl');
	const otlp = path.join(home, 'otlp.input.json');
	fs.writeFileSync(jsonl, toJsonl(jsonlWithSecrets('ingest-trace-1', 'run-secrets-ingested')));
	fs.writeFileSync(otlp, JSON.stringify(otlpWithSecrets('run-secrets-otlp', '6bf92f3577b34da6a3ce929d0e0e4738')));
	const first = runCli(['ingest', jsonl, otlp, '--json'], {home});
	assert.equal(first.code, 0, first.stderr);
	const stored = JSON.parse(first.stdout) as {events: number; duplicates: number};
	assert.ok(stored.events >= 10, first.stdout);
	assert.equal(stored.duplicates, 0);
	// The identity is of the redacted event: the same files again store nothing new.
	const again = runCli(['ingest', jsonl, otlp, '--json'], {home});
	assert.equal(again.code, 0, again.stderr);
	const firstReport = JSON.parse(first.stdout) as {inputs: Array<{events: number; duplicates: number; traces: number}>};
	const againReport = JSON.parse(again.stdout) as typeof firstReport & {events: number; duplicates: number; traces: number};
	assert.deepEqual({events: againReport.events, duplicates: againReport.duplicates, traces: againReport.traces}, {events: 0, duplicates: stored.events, traces: 0});
	// Per file too: each file's events are all already stored.
	assert.deepEqual(
		againReport.inputs.map(input => [input.events, input.duplicates, input.traces]),
		firstReport.inputs.map(input => [0, input.events, 0]),
	);

	const secrets = {...JSONL_SECRETS, ...OTLP_SECRETS};
	const rows = storedRows(home);
	assertAbsent(rows, secrets, 'the events, spans or runs tables');
	assert.match(rows, /@env\(API_TOKEN\) → <redacted:21chars>/);
	assert.match(rows, /@var\(REPLICAS\) → 3/);
	assert.match(rows, /mysql -uroot -p<redacted:17chars> shop/);
	assert.match(rows, /mysql:\/\/root:<redacted:17chars>@db\/shop/);
	assertHomeClean(home, secrets);
	assertReadersClean(home, 'run-secrets-ingested', secrets);
	assertReadersClean(home, 'run-secrets-otlp', secrets);
});

const EXEC_SECRETS = {
	cmdBearer: 'ex-cmd-bearer-1a2b',
	cmdApiKey: 'ex-cmd-apikey-3c4d',
	cmdUrl: 'ex-cmd-urlpw-5e6f',
	cmdMysql: 'ex-cmd-mysql-7a8b',
	errBearer: 'ex-err-bearer-9c0d',
	errApiKey: 'ex-err-apikey-1e2f',
	errMysql: 'ex-err-mysql-3a4b',
	errUrl: 'ex-err-urlpw-5c6d',
	errKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
	argvToken: 'ex-argv-tok-7e8f',
	argvPassword: 'ex-argv-pw-9a0b',
} as const;

test('secrets (issue 14.6): exec stores no secret from its command line or its stderr lines, nor in the artifacts of --finish', {timeout: 120_000}, () => {
	const home = tempHome();
	const s = EXEC_SECRETS;
	// ":" runs nothing: the secrets are only on the command line, as in a real deploy script.
	const script = [
		`: curl -H "Authorization: Bearer ${s.cmdBearer}" -H "X-Api-Key: ${s.cmdApiKey}" https://deploy:${s.cmdUrl}@api.internal/v1`,
		`: mysql -uroot -p${s.cmdMysql} shop`,
		`echo "Authorization: Bearer ${s.errBearer}" >&2`,
		`echo "X-Api-Key: ${s.errApiKey}" >&2`,
		`echo "mysql -uroot -p${s.errMysql} shop" >&2`,
		`echo "fetching https://u:${s.errUrl}@h/x" >&2`,
		'echo "-----BEGIN PRIVATE KEY-----" >&2',
		`echo "${s.errKey}" >&2`,
		'echo "-----END PRIVATE KEY-----" >&2',
		`echo "Authorization: Bearer ${s.errBearer}" >&2`,
		'exit 3',
	].join('; ');
	const step = runCli(['exec', '--run', 'run-secrets-exec', '--step', 'deploy/migrate', '--env', 'prod', '--target', 'api', '--', script], {home});
	assert.equal(step.code, 3, step.stderr);
	assert.match(step.stderr, new RegExp(s.errBearer), "the command's own stderr passes through untouched");
	const argv = runCli(['exec', '--run', 'run-secrets-exec', '--step', 'deploy/argv', '--', 'sh', '-c', 'exit 0', 'sh', '--token', s.argvToken, `PASSWORD=${s.argvPassword}`], {home});
	assert.equal(argv.code, 0, argv.stderr);
	const finish = runCli(['exec', '--run', 'run-secrets-exec', '--finish'], {home});
	assert.equal(finish.code, 0, finish.stderr);

	const rows = storedRows(home);
	assertAbsent(rows, s, 'the events, spans or runs tables');
	assert.match(rows, /Authorization: Bearer <redacted:18chars>/);
	assert.match(rows, /mysql -uroot -p<redacted:17chars> shop/);
	assert.match(rows, /https:\/\/deploy:<redacted:17chars>@api\.internal\/v1/);
	assert.match(rows, /-----BEGIN PRIVATE KEY-----/);
	assert.match(rows, /\["sh","-c","exit 0","sh","--token","<redacted:16chars>","PASSWORD=<redacted:15chars>"\]/);
	assertHomeClean(home, s);
	assertReadersClean(home, 'run-secrets-exec', s);
});

/** Mode bits of a path, as an octal string: "700", "600". */
function mode(file: string): string {
	return (fs.statSync(file).mode & 0o777).toString(8);
}

test('secrets (issue 14.6): under umask 022 the home is created 0700, runs.db and its -wal and -shm 0600, artifact folders 0700 and files 0600', {timeout: 120_000}, async () => {
	const previous = process.umask(0o022);
	try {
		const home = path.join(tempHome(), 'new', 'home');
		const served = await startServe([], {home});
		try {
			const url = served.httpUrl;
			const response = await fetch(`${url}/v1/traces`, {method: 'POST', body: JSON.stringify(otlpWithSecrets('run-modes', '7bf92f3577b34da6a3ce929d0e0e4739')), headers: {'Content-Type': 'application/json'}});
			assert.equal(response.status, 200);
			// While serve holds the database open, its WAL and shared memory exist.
			assert.equal(mode(path.dirname(home)), '700', 'a parent folder tracedeck created');
			assert.equal(mode(home), '700');
			for (const name of ['runs.db', 'runs.db-wal', 'runs.db-shm']) {
				assert.equal(mode(path.join(home, name)), '600', name);
			}
		} finally {
			await served.stop();
		}

		const opened = runCli(['runs', 'open', 'run-modes', '--no-browser'], {home});
		assert.equal(opened.code, 0, opened.stderr);
		const exported = path.join(home, 'export.csv');
		assert.equal(runCli(['runs', 'export', '--output', exported], {home}).code, 0);
		assert.equal(mode(exported), '600', 'an export file');
		const artifacts = path.join(home, 'artifacts');
		const entries = [artifacts, ...fs.readdirSync(artifacts, {recursive: true, encoding: 'utf8'}).map(name => path.join(artifacts, name))];
		assert.ok(entries.length >= 8, entries.join('\n'));
		for (const entry of entries) {
			assert.equal(mode(entry), fs.statSync(entry).isDirectory() ? '700' : '600', path.relative(home, entry));
		}
	} finally {
		process.umask(previous);
	}
});
