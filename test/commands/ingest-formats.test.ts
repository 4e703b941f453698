import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {ProtobufTraceSerializer} from '@opentelemetry/otlp-transformer';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {fixtureBytes, fixturePath, framed, sdkSpans} from '../interop/format-samples.js';

/*
 * `tracedeck ingest` on the trace files people already have, through the
 * built CLI, checked in `runs show --json`. The fixtures are hand-written
 * (test/interop/formats/); T = 1767268800000 ms is 2026-01-01T12:00:00Z.
 * Durations are checked to the millisecond where the fixture's times are
 * whole milliseconds, and within a millisecond where they are not: the span
 * model keeps whole milliseconds today, the OTLP conversion every
 * microsecond (test/interop/jaeger-json.test.ts checks that exactly).
 */

const T = 1767268800000;

interface ShownSpan {
	span_id: string;
	parent_span_id: string | null;
	name: string;
	start_ms: number;
	duration_ms: number | null;
	status: string;
	attributes: Record<string, unknown>;
	error?: {message: string};
	stderr: string[];
	retries: Array<{n: number}>;
}

interface Shown {
	run: {run_id: string; trace_id: string; status: string; env: string | null; failed_step: string | null};
	spans: ShownSpan[];
	failure: {span_id: string; path: string[]; error: string | null} | null;
}

function ingest(home: string, ...files: string[]): {code: number; stdout: string; stderr: string} {
	return runCli(['ingest', ...files, '--json'], {home});
}

function show(home: string, run: string): Shown & {byId: Map<string, ShownSpan>} {
	const result = runCli(['runs', 'show', run, '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	const shown = JSON.parse(result.stdout) as Shown;
	return {...shown, byId: new Map(shown.spans.map(span => [span.span_id, span]))};
}

/** [parent, name, status, duration] of each span, by span id: the tree as the run shows it. */
function outline(shown: Shown): Record<string, [string | null, string, string, number | null]> {
	return Object.fromEntries(shown.spans.map(span => [span.span_id, [span.parent_span_id, span.name, span.status, span.duration_ms]]));
}

function rows(home: string): unknown {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		return ['SELECT * FROM events ORDER BY id', 'SELECT * FROM spans ORDER BY trace_id, span_id', 'SELECT * FROM runs ORDER BY trace_id'].map(sql => db.prepare(sql).all());
	} finally {
		db.close();
	}
}

function near(actual: number | null, expected: number): boolean {
	return actual !== null && Math.abs(actual - expected) < 1;
}

describe('ingest reads trace files by content', () => {
	it('Jaeger UI\'s download ({"data": [...]}): tree, statuses, root cause, attributes; again adds nothing', () => {
		const home = tempHome();
		const first = ingest(home, fixturePath('jaeger-ui-download.json'));
		assert.equal(first.code, 0, first.stderr);
		// Every span event is kept as its own event since spans keep what OTLP sent: the log Jaeger sent adds one.
		assert.deepEqual(JSON.parse(first.stdout), {files: 1, events: 11, duplicates: 0, traces: 1});

		const shown = show(home, '4bf92f3577b34da6a3ce929d0e0e4736');
		const {byId} = shown;
		// GET /checkout (server, error=true) → POST /charge (client, error=true) → charge (server, error=true,
		// 15.5 ms in, 180.25 ms long) → publish receipt (producer) → send receipt email (consumer, FOLLOWS_FROM).
		const charge = byId.get('00f067aa0ba90003')!;
		assert.ok(near(charge.duration_ms, 180.25), `charge lasts 180.25 ms, shown ${charge.duration_ms}`);
		assert.ok(near(charge.start_ms, T + 15.5));
		assert.deepEqual(outline(shown), {
			'00f067aa0ba90001': [null, 'GET /checkout', 'failed', 250],
			'00f067aa0ba90002': ['00f067aa0ba90001', 'POST /charge', 'failed', 200],
			'00f067aa0ba90003': ['00f067aa0ba90002', 'charge', 'failed', charge.duration_ms],
			'00f067aa0ba90004': ['00f067aa0ba90003', 'publish receipt', 'success', 2],
			'00f067aa0ba90005': ['00f067aa0ba90004', 'send receipt email', 'success', 30],
		});
		assert.equal(byId.get('00f067aa0ba90001')!.start_ms, T);
		assert.equal(shown.run.status, 'failed');
		// The root cause is the deepest failure, with the message from its OpenTracing error log.
		assert.deepEqual(shown.failure && {span_id: shown.failure.span_id, path: shown.failure.path, error: shown.failure.error}, {span_id: '00f067aa0ba90003', path: ['00f067aa0ba90001', '00f067aa0ba90002', '00f067aa0ba90003'], error: 'card declined'});
		assert.equal(byId.get('00f067aa0ba90002')!.error?.message, 'upstream answered 402');
		// Tags stay attributes, but not those that became kind and status.
		const rootAttributes = byId.get('00f067aa0ba90001')!.attributes;
		assert.equal(rootAttributes['http.status_code'], 500);
		assert.equal(rootAttributes['http.method'], 'GET');
		assert.ok(!('span.kind' in rootAttributes) && !('error' in rootAttributes), JSON.stringify(rootAttributes));

		const before = rows(home);
		const again = ingest(home, fixturePath('jaeger-ui-download.json'));
		assert.deepEqual(JSON.parse(again.stdout), {files: 1, events: 0, duplicates: 11, traces: 0});
		assert.deepEqual(rows(home), before);
	});

	it('a bare Jaeger trace in the older shape: run id and env from the process, padded ids, stderr from a log', () => {
		const home = tempHome();
		assert.equal(ingest(home, fixturePath('jaeger-trace.json')).code, 0);
		const shown = show(home, 'run-20260101-120000-abc1234');
		// The 64-bit trace id gets its zero high half; "B7AD…" is lowered, "f067aa0ba902b7" padded.
		assert.equal(shown.run.trace_id, '0000000000000000a3ce929d0e0e4736');
		assert.equal(shown.run.env, 'prod');
		assert.equal(shown.run.status, 'failed');
		assert.equal(shown.run.failed_step, 'migrate');
		assert.deepEqual(outline(shown), {
			b7ad6b7169203331: [null, 'deploy api', 'failed', 60_000],
			'00f067aa0ba902b7': ['b7ad6b7169203331', 'migrate', 'failed', 30_000],
		});
		assert.equal(shown.failure?.error, 'migration 0042 failed: lock timeout');
		const migrate = shown.byId.get('00f067aa0ba902b7')!;
		assert.deepEqual(migrate.stderr, ['ERROR: lock timeout']);
		assert.equal(migrate.attributes['exit_code'], 3);
	});

	it('an array of Jaeger traces: one run each', () => {
		const home = tempHome();
		assert.deepEqual(JSON.parse(ingest(home, fixturePath('jaeger-traces.json')).stdout), {files: 1, events: 6, duplicates: 0, traces: 2});
		const backup = show(home, '1111111111111111aaaaaaaaaaaaaaaa');
		assert.equal(backup.spans.length, 1);
		assert.ok(near(backup.spans[0]!.duration_ms, 1.5));
		// reserve stock's first CHILD_OF points into the backup trace; its parent is the one in its own trace.
		assert.deepEqual(outline(show(home, '2222222222222222bbbbbbbbbbbbbbbb')), {
			2000000000000001: [null, 'handle order', 'success', 5],
			2000000000000002: ['2000000000000001', 'reserve stock', 'success', 3],
		});
	});

	it('Jaeger api_v3 ({"result": ...}, OTLP inside)', () => {
		const home = tempHome();
		assert.equal(ingest(home, fixturePath('jaeger-api-v3.json')).code, 0);
		const shown = show(home, '5b8efff798038103d269b633813fc60c');
		assert.deepEqual(outline(shown), {
			eee19b7ec3c1b174: [null, 'GET /stock', 'failed', 40],
			eee19b7ec3c1b175: ['eee19b7ec3c1b174', 'SELECT stock', 'failed', 30],
		});
		assert.equal(shown.failure?.span_id, 'eee19b7ec3c1b175');
		assert.equal(shown.failure?.error, 'deadlock detected');
	});

	it('Zipkin v2: error tags fail spans, the shared server span gets its own id under its client; again adds nothing', () => {
		const home = tempHome();
		// 8 span starts and ends, plus the two annotations (ws, wr) kept as span events.
		assert.deepEqual(JSON.parse(ingest(home, fixturePath('zipkin-v2.json')).stdout), {files: 1, events: 10, duplicates: 0, traces: 1});
		const shown = show(home, '0000000000000000463ac35c9f6413ad');
		const server = shown.spans.find(span => span.parent_span_id === 'a1b2c3d4e5f60718')!;
		assert.match(server.span_id, /^[0-9a-f]{16}$/);
		assert.notEqual(server.span_id, 'a1b2c3d4e5f60718');
		assert.deepEqual(outline(shown), {
			'72485a3953bb6124': [null, 'get /checkout', 'failed', 120],
			a1b2c3d4e5f60718: ['72485a3953bb6124', 'post /charge', 'failed', 100],
			[server.span_id]: ['a1b2c3d4e5f60718', 'post /charge', 'failed', 90],
			'0f0e0d0c0b0a0908': [server.span_id, 'charge card', 'failed', 60],
		});
		assert.deepEqual(shown.failure && {span_id: shown.failure.span_id, path: shown.failure.path, error: shown.failure.error}, {span_id: '0f0e0d0c0b0a0908', path: ['72485a3953bb6124', 'a1b2c3d4e5f60718', server.span_id, '0f0e0d0c0b0a0908'], error: 'card declined'});
		assert.equal(shown.byId.get('72485a3953bb6124')!.error?.message, 'payment failed');
		assert.equal(shown.byId.get('a1b2c3d4e5f60718')!.attributes['peer.service'], 'payments');
		assert.deepEqual(JSON.parse(ingest(home, fixturePath('zipkin-v2.json')).stdout), {files: 1, events: 0, duplicates: 10, traces: 0});
	});

	it("OTLP JSON Lines in the Collector file exporter's shape, under a .json name", () => {
		const home = tempHome();
		const file = path.join(home, 'otelcol-traces.json');
		fs.copyFileSync(fixturePath('otel-collector-file.jsonl'), file);
		const result = ingest(home, file);
		assert.equal(result.code, 0, result.stderr);
		const shown = show(home, '7bba9f33312b3dbb8b2c2c62bb7abe2d');
		const hget = shown.byId.get('c2000000000000b2')!;
		assert.ok(near(hget.duration_ms, 1.25));
		assert.deepEqual(outline(shown), {
			f1000000000000a1: [null, 'GET /cart', 'success', 80],
			c2000000000000b1: ['f1000000000000a1', 'oteldemo.CartService/GetCart', 'success', 60],
			c2000000000000b2: ['c2000000000000b1', 'HGET', 'success', hget.duration_ms],
		});
		assert.equal(shown.run.status, 'success');
		assert.equal(shown.failure, null);
	});

	it('older OTLP field names (instrumentationLibrarySpans) store their spans', () => {
		const home = tempHome();
		assert.deepEqual(JSON.parse(ingest(home, fixturePath('otlp-legacy.json')).stdout), {files: 1, events: 4, duplicates: 0, traces: 1});
		const shown = show(home, 'e4b8f1c2a9d34f6b8c1d2e3f4a5b6c7d');
		assert.deepEqual(outline(shown), {
			'1a2b3c4d5e6f7081': [null, 'invoice run', 'failed', 2000],
			'1a2b3c4d5e6f7082': ['1a2b3c4d5e6f7081', 'SELECT ledger', 'failed', 1000],
		});
		assert.equal(shown.failure?.error, 'ledger locked');
	});

	it("OTLP protobuf from the real SDK's serializer, alone and in the Collector's stream", async () => {
		const home = tempHome();
		const request = ProtobufTraceSerializer.serializeRequest(await sdkSpans())!;
		const single = path.join(home, 'export.bin');
		fs.writeFileSync(single, request);
		// The SDK's span event is kept as an event of its own.
		assert.deepEqual(JSON.parse(ingest(home, single).stdout), {files: 1, events: 6, duplicates: 0, traces: 1});

		const shown = show(home, 'run-sdk-1');
		const root = shown.spans.find(span => span.parent_span_id === null)!;
		const child = shown.spans.find(span => span.parent_span_id === root.span_id)!;
		assert.deepEqual([root.name, root.status, root.duration_ms, root.start_ms], ['POST /checkout', 'failed', 250, T]);
		assert.deepEqual([child.name, child.status, child.error?.message], ['charge', 'failed', 'card declined']);
		assert.ok(near(child.duration_ms, 180.25));
		assert.deepEqual(
			child.retries.map(retry => retry.n),
			[2],
		);

		// The same request again inside a stream, beside a second one: only the second is new.
		const stream = path.join(home, 'otelcol-traces');
		fs.writeFileSync(stream, framed(request, encodeExportTraceRequest({resourceSpans: [{scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'nightly', startTimeUnixNano: `${BigInt(T) * 1_000_000n}`, endTimeUnixNano: `${BigInt(T + 1000) * 1_000_000n}`}]}]}]})));
		assert.deepEqual(JSON.parse(ingest(home, stream).stdout), {files: 1, events: 2, duplicates: 6, traces: 1});
		assert.deepEqual(outline(show(home, '0af7651916cd43dd8448eb211c80319c')), {b7ad6b7169203331: [null, 'nightly', 'success', 1000]});
	});

	it('a file without spans: exit 2, one line saying what was expected, nothing stored', () => {
		const home = tempHome();
		assert.equal(ingest(home, fixturePath('otlp-legacy.json')).code, 0);
		const before = rows(home);
		const empty = path.join(home, 'x.json');
		fs.writeFileSync(empty, '{"resourceSpans": []}');
		const result = runCli(['ingest', empty], {home});
		assert.equal(result.code, 2);
		assert.equal(result.stdout, '');
		assert.equal(result.stderr, `tracedeck: ${empty}: no spans found; expected TraceEvent JSON Lines, OTLP JSON/JSON Lines/protobuf, Jaeger JSON or Zipkin v2 JSON\n`);
		assert.deepEqual(rows(home), before);
	});

	it('a bad line stores nothing from its file; logs beside traces are a warning', () => {
		const home = tempHome();
		const lines = fixtureBytes('otel-collector-file.jsonl').toString('utf8').split('\n');
		const bad = path.join(home, 'bad.jsonl');
		fs.writeFileSync(bad, `${lines[0]}\n${lines[1]!.replace('"startTimeUnixNano":"1767268800010000000"', '"startTimeUnixNano":"soon"')}\n`);
		const refused = runCli(['ingest', bad], {home});
		assert.equal(refused.code, 2);
		assert.match(refused.stderr, /^tracedeck: .*bad\.jsonl:2: invalid OTLP: resourceSpans\.0\.scopeSpans\.0\.spans\.0\.startTimeUnixNano: .*\n$/);
		assert.deepEqual(JSON.parse(runCli(['runs', 'list', '--json'], {home}).stdout), [], 'line 1 was not stored either');

		const mixed = path.join(home, 'mixed.jsonl');
		fs.writeFileSync(mixed, `${lines[0]}\n{"resourceLogs": []}\n`);
		const warned = runCli(['ingest', mixed, '--json'], {home});
		assert.equal(warned.code, 0, warned.stderr);
		assert.equal(warned.stderr, `tracedeck: warning: ${mixed}: left out 1 OTLP logs request: ingest reads traces\n`);
		assert.deepEqual(JSON.parse(warned.stdout), {files: 1, events: 2, duplicates: 0, traces: 1});
	});
});
