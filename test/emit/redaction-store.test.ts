import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {Redis} from 'ioredis';
import {TraceEmitter} from '../../source/emit/emitter.js';
import {tempHome} from '../helpers/temp-home.js';
import {startTestRedis} from '../helpers/redis-server.js';

// Distinct, greppable secrets: none of them may reach any store.
const SECRETS = {
	password: 'pw-7f3a91-hunter2',
	token: 'tok-b52c0e-ghp_0123456789',
	nested: 'nested-ssn-111-22-3333',
	header: 'Bearer auth-9d8e7f6a',
	card: '4111-1111-1111-1111-cc',
	extra: 'session-5e4d3c2b1a',
	deep: 'deep-secret-at-level-9000',
	output: 'returned-api-key-0c0ffee',
	failed: 'error-carried-secret-abc123',
} as const;

async function emitSecrets(emitter: TraceEmitter): Promise<string> {
	const run = await emitter.startRun({run_id: `run-secrets-${Math.random().toString(16).slice(2)}`, name: 'deploy', env: 'prod', target: 'api', data: {db_password: SECRETS.password}});
	let deep: Record<string, unknown> = {secret: SECRETS.deep};
	for (let i = 0; i < 10_000; i++) {
		deep = {child: deep};
	}

	await run.trace(
		'stage',
		async () => {
			await run.trace('step', async () => ({apiKey: SECRETS.output, ok: true}), {
				name: 'call',
				data: {
					input: {user: 'ada', password: SECRETS.password, items: [{token: SECRETS.token}]},
					profile: {details: {SSN: SECRETS.nested, creditCard: SECRETS.card}},
					headers: {Authorization: SECRETS.header},
					sessionId: SECRETS.extra,
					deep,
				},
			});
			await run
				.trace(
					'step',
					async () => {
						throw Object.assign(new Error('charge declined'), {token: SECRETS.failed});
					},
					{name: 'charge'},
				)
				.catch(() => undefined);
		},
		{name: 'deploy'},
	);
	await run.recordDecision({decision: 'B', alternatives: ['A'], reasoning: 'cheaper', confidence: 0.5, data: {client_secret: SECRETS.token}});
	await run.finish('failed', {data: {auth: {password: SECRETS.password}}});
	return run.trace_id;
}

function assertNoSecret(text: string, where: string): void {
	for (const [name, secret] of Object.entries(SECRETS)) {
		assert.equal(text.includes(secret), false, `${name} secret found in ${where}`);
	}
}

test('no secret reaches SQLite: not in any events or spans row, not in the database file bytes', async t => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home, redact: {extraKeys: ['session_id']}});
	const traceId = await emitSecrets(emitter);
	await emitter.close();

	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	t.after(() => db.close());
	const events = db.prepare('SELECT body FROM events WHERE trace_id = ?').pluck().all(traceId) as string[];
	const spans = db.prepare('SELECT * FROM spans WHERE trace_id = ?').all(traceId) as Array<Record<string, unknown>>;
	assert.ok(events.length >= 9, 'the events were stored');
	assert.ok(spans.length >= 5, 'the spans were stored');
	for (const body of events) {
		assertNoSecret(body, 'an events row');
	}

	for (const row of spans) {
		assertNoSecret(JSON.stringify(row), 'a spans row');
	}

	const run = db.prepare('SELECT * FROM runs WHERE trace_id = ?').get(traceId);
	assertNoSecret(JSON.stringify(run), 'the runs row');
	const all = events.join('\n');
	assert.match(all, new RegExp(`<redacted:${SECRETS.password.length}chars>`));
	assert.match(all, /"sessionId":"<redacted:18chars>"/, 'extra keys are redacted too');
	assert.match(all, /"Authorization":"<redacted:20chars>"/);
	assert.match(all, /\[truncated: nested deeper than 100 levels\]/);

	// Every byte on disk: the database, its WAL and anything else in the home.
	for (const file of fs.readdirSync(home)) {
		const bytes = fs.readFileSync(path.join(home, file));
		assertNoSecret(bytes.toString('latin1'), file);
		assertNoSecret(bytes.toString('utf8'), file);
	}
});

test('no secret reaches Redis: the trace stream and traces:active hold only redacted events', async t => {
	// Our own redis-server (or REDIS_URL), like every Redis test: missing is a failure, not a skip.
	const server = await startTestRedis();
	t.after(async () => server.stop());
	const url = server.url;

	const home = tempHome();
	const emitter = await TraceEmitter.open({home, redisUrl: url, redact: {extraKeys: ['session_id']}});
	const traceId = await emitSecrets(emitter);
	await emitter.close();

	const redis = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 1});
	await redis.connect();
	t.after(() => redis.disconnect());
	const traceEntries = await redis.xrange(`trace:{${traceId}}`, '-', '+');
	const activeEntries = (await redis.xrange('traces:active', '-', '+')).filter(([, fields]) => fields.join(' ').includes(traceId));
	assert.ok(traceEntries.length >= 9, `the trace stream has the events (${traceEntries.length})`);
	assert.equal(activeEntries.length, traceEntries.length, 'traces:active has them too');
	const text = JSON.stringify([traceEntries, activeEntries]);
	assertNoSecret(text, 'Redis');
	assert.match(text, /redacted:/);
});

// Secrets inside values the emitter was given (issue 14.6): the key names say nothing, the values do.
const VALUE_SECRETS = {
	bearer: 'em-bearer-4d5e6f7a',
	dsn: 'em-dsn-pass-8b9c',
	resolved: 'em-resolved-tok-0d1e',
	tag: 'em-tag-tok-2f3a',
	pattern: 'corp-7h8i9j0k',
} as const;

test('secrets (issue 14.6): the emitter redacts secrets inside values (Authorization: Bearer, postgres://user:pw@host, @env(API_TOKEN) → value, extra patterns) and returns what it stored', async t => {
	const home = tempHome();
	const emitter = await TraceEmitter.open({home, redact: {extraPatterns: [/corp-[a-z0-9]{8}/]}});
	const run = await emitter.startRun({
		run_id: 'run-value-secrets',
		name: 'deploy',
		env: 'prod',
		target: 'api',
		tags: [`token=${VALUE_SECRETS.tag}`],
		data: {
			resolved_values: {1: `@env(API_TOKEN) → ${VALUE_SECRETS.resolved}`, 2: '@var(REPLICAS) → 3'},
		},
	});
	const event = await emitter.emit({
		trace_id: run.trace_id,
		span_id: 'call',
		parent_span_id: run.root_span_id,
		event_type: 'step:started',
		data: {
			name: 'call api',
			note: `curl -H "Authorization: Bearer ${VALUE_SECRETS.bearer}"`,
			target: `postgres://deploy:${VALUE_SECRETS.dsn}@db.internal/shop`,
			ticket: `see ${VALUE_SECRETS.pattern}`,
		},
	});
	await run.finish('success');
	await emitter.close();

	// NN counted by hand: "em-bearer-4d5e6f7a" is 18 characters, "em-dsn-pass-8b9c" 16, "corp-7h8i9j0k" 13.
	assert.deepEqual(event.data, {
		name: 'call api',
		note: 'curl -H "Authorization: Bearer <redacted:18chars>"',
		target: 'postgres://deploy:<redacted:16chars>@db.internal/shop',
		ticket: 'see <redacted:13chars>',
	});
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	t.after(() => db.close());
	const bodies = db.prepare('SELECT body FROM events WHERE trace_id = ?').pluck().all(run.trace_id) as string[];
	const text = bodies.join('\n');
	for (const [name, secret] of Object.entries(VALUE_SECRETS)) {
		assert.equal(text.includes(secret), false, `${name} secret stored`);
	}

	assert.match(text, /"@env\(API_TOKEN\) → <redacted:20chars>"/);
	assert.match(text, /"@var\(REPLICAS\) → 3"/);
	assert.match(text, /"tags":\["token=<redacted:15chars>"\]/);
	assert.ok(
		bodies.some(body => body === JSON.stringify(event)),
		'the event emit() returned is the one stored, byte for byte',
	);
});

test('secrets (issue 14.6): a bad extra pattern is a TypeError at open, and the run index it opened is closed again', async () => {
	const home = tempHome();
	await assert.rejects(TraceEmitter.open({home, redact: {extraPatterns: ['(unclosed']}}), (error: Error) => error instanceof TypeError && /extraPatterns\[0\]/.test(error.message));
	// Closed: another writer opens it at once.
	const emitter = await TraceEmitter.open({home});
	await emitter.close();
});
