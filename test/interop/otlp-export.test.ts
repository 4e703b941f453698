import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {buildRunReport, type RunReport} from '../../source/core/run-report.js';
import {readEventsFile} from '../../source/interop/input-files.js';
import {fromKeyValues} from '../../source/interop/otlp-attributes.js';
import {MAX_VALUE_DEPTH, runsToOtlp} from '../../source/interop/otlp-export.js';
import {otlpToEvents} from '../../source/interop/otlp-to-events.js';
import {RunIndex} from '../../source/store/run-index.js';
import {homeWith, runningRunEvents, sampleRunEvents} from './sample-run.js';
import {tempHome} from '../helpers/temp-home.js';

function reportOf(home: string, ref: string): RunReport {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(ref);
		return buildRunReport(run, index.spans(run.trace_id), Date.parse('2026-03-02T11:00:00.000Z'));
	} finally {
		index.close();
	}
}

function exportHome(home: string): ReturnType<typeof runsToOtlp> {
	const index = RunIndex.open(home, {readonly: true});
	try {
		return runsToOtlp(index.listRuns().map(run => ({run, spans: index.spans(run.trace_id)})));
	} finally {
		index.close();
	}
}

/** Ingest a document into a fresh home the way `tracedeck ingest file.json` does. */
function ingestIntoFreshHome(document: unknown): string {
	const home = tempHome();
	const file = path.join(home, 'otlp-traces.json');
	fs.writeFileSync(file, JSON.stringify(document, null, 2));
	const index = RunIndex.open(home);
	try {
		index.appendEvents(readEventsFile(file));
	} finally {
		index.close();
	}

	return home;
}

describe('OTLP export', () => {
	it('writes valid OTLP/JSON with the run on the resource and the span details as attributes and events', () => {
		const document = exportHome(homeWith(sampleRunEvents()));
		assert.equal(document.resourceSpans.length, 1);
		const resourceSpans = document.resourceSpans[0]!;
		const resource = fromKeyValues(resourceSpans.resource?.attributes ?? []);
		assert.equal(resource['devcmd.run_id'], 'run-20260302-100000-3f2a9c1');
		assert.equal(resource['devcmd.env'], 'prod');
		assert.equal(resource['devcmd.target'], 'api');
		assert.equal(resource['devcmd.plan_hash'], 'a'.repeat(64));

		const spans = resourceSpans.scopeSpans![0]!.spans!;
		const byId = new Map(spans.map(span => [span.spanId, span]));
		const migrate = byId.get('migrate')!;
		assert.equal(migrate.traceId, 'trace-deploy-1', 'ids are kept as they are, hex or not');
		assert.equal(migrate.parentSpanId, 'deploy');
		assert.equal(migrate.name, 'migrate <db>');
		assert.equal(migrate.startTimeUnixNano, `${Date.parse('2026-03-02T10:00:01.210Z')}000000`);
		assert.equal(migrate.endTimeUnixNano, `${Date.parse('2026-03-02T10:00:01.500Z')}000000`);
		assert.deepEqual(migrate.status, {code: 2, message: 'lock timeout on users'});
		const attrs = fromKeyValues(migrate.attributes ?? []);
		assert.equal(attrs['tracedeck.kind'], 'step');
		assert.equal(attrs['tracedeck.end_event_type'], 'step:failed');
		// The store redacts before anything is kept (issue 14.6): the export carries the marker, never the secret.
		assert.deepEqual(JSON.parse(attrs['tracedeck.input'] as string), {sql: 'ALTER TABLE users', password: '<redacted:7chars>'});
		assert.equal(attrs['exit_code'], 1);
		const stderr = migrate.events!.find(event => event.name === 'stderr_tail')!;
		assert.deepEqual(fromKeyValues(stderr.attributes ?? [])['lines'], ['ERROR: lock timeout <script>alert(1)</script>', 'rolling back']);

		const build = byId.get('build')!;
		const retry = build.events!.find(event => event.name === 'retry')!;
		assert.deepEqual(fromKeyValues(retry.attributes ?? []), {n: 1, exit_code: 137});
		assert.deepEqual(JSON.parse(fromKeyValues(build.attributes ?? [])['tracedeck.output'] as string), {digest: 'sha256:beef'});
		assert.equal(byId.get('root')!.parentSpanId, undefined);
		assert.equal(byId.get('notify')!.endTimeUnixNano, undefined, 'an open span has no end');
		// The whole document passes the ingest schema.
		assert.ok(otlpToEvents(JSON.parse(JSON.stringify(document))).length > 0);
	});

	it('round-trips: export then ingest into a fresh home gives the same spans and run', () => {
		const source = homeWith(sampleRunEvents(), runningRunEvents());
		const document = exportHome(source);
		assert.equal(document.resourceSpans.length, 2);
		const copy = ingestIntoFreshHome(document);
		for (const ref of ['run-20260302-100000-3f2a9c1', 'run-canary-1']) {
			const before = reportOf(source, ref);
			const after = reportOf(copy, ref);
			// event_count is how many events built a span: not kept on the span, and not in the report.
			assert.deepEqual(after.spans, before.spans, `${ref}: spans`);
			assert.deepEqual(after.critical_path, before.critical_path);
			assert.deepEqual(after.failure, before.failure);
			assert.deepEqual(after.compensations, before.compensations);
			assert.deepEqual(after.orphans, before.orphans);
			assert.deepEqual(after.decisions, before.decisions);
			const {last_event_ms: lastBefore, ...runBefore} = before.run;
			const {last_event_ms: lastAfter, ...runAfter} = after.run;
			assert.deepEqual(runAfter, runBefore, `${ref}: run`);
			assert.ok(lastAfter <= lastBefore);
		}

		const raw = (home: string): unknown[] => {
			const index = RunIndex.open(home, {readonly: true});
			try {
				return index
					.spans('trace-deploy-1')
					.map(({event_count: _ignored, ...span}) => span)
					.sort((a, b) => a.span_id.localeCompare(b.span_id));
			} finally {
				index.close();
			}
		};

		assert.deepEqual(raw(copy), raw(source), 'the stored spans match field by field, last_event_type included');
	});

	it('exporting the re-ingested copy gives the same document again', () => {
		const first = exportHome(homeWith(sampleRunEvents()));
		const second = exportHome(ingestIntoFreshHome(first));
		assert.deepEqual(second, first);
	});

	it('a data key named __proto__ comes back as a member, not as the prototype', () => {
		const document = exportHome(homeWith(sampleRunEvents()));
		const span = document.resourceSpans[0]!.scopeSpans![0]!.spans![0]!;
		span.attributes = [...(span.attributes ?? []), {key: '__proto__', value: {kvlistValue: {values: [{key: 'polluted', value: {boolValue: true}}]}}}];
		const [start] = otlpToEvents(JSON.parse(JSON.stringify(document)));
		const data = start!.data as Record<string, unknown>;
		assert.equal(Object.getPrototypeOf(data), Object.prototype);
		assert.ok(Object.hasOwn(data, '__proto__'));
		assert.deepEqual(JSON.parse(JSON.stringify(data))['__proto__'], {polluted: true});
		assert.equal((data as {polluted?: unknown}).polluted, undefined);
	});

	it('carries linked workflows: the parent trace and correlation id of a run come back after export and ingest', () => {
		const events = sampleRunEvents().map(event => (event.parent_span_id === undefined ? {...event, parent_trace_id: 'trace-parent-1', correlation_id: 'deploy-42'} : event));
		const home = ingestIntoFreshHome(exportHome(homeWith(events)));
		const index = RunIndex.open(home, {readonly: true});
		try {
			const [run] = index.listRuns();
			assert.equal(run?.parent_trace_id, 'trace-parent-1');
			assert.equal(run?.correlation_id, 'deploy-42');
		} finally {
			index.close();
		}
	});

	it('keeps deeply nested data within what ingest accepts', () => {
		let deep: unknown = 'leaf';
		for (let i = 0; i < 90; i++) {
			deep = {next: deep};
		}

		const events = sampleRunEvents().map(event => (event.span_id === 'build' && event.event_type === 'stage:started' ? {...event, data: {...event.data, input: deep, nested_attr: deep}} : event));
		const document = exportHome(homeWith(events));
		const copy = ingestIntoFreshHome(document);
		const build = reportOf(copy, 'run-20260302-100000-3f2a9c1').spans.find(span => span.span_id === 'build')!;
		assert.deepEqual(build.input, deep, 'input travels as JSON text, at any depth');
		let value = build.attributes['nested_attr'];
		for (let i = 0; i < MAX_VALUE_DEPTH; i++) {
			value = (value as {next: unknown}).next;
		}

		assert.equal(typeof value, 'string', 'past the cap an attribute value comes back as its JSON text');
	});

	it('keeps the OTLP mapping for foreign spans: run fields from the resource, the error tracedeck reads, attributes as they came', () => {
		const events = otlpToEvents({
			resourceSpans: [
				{
					resource: {
						attributes: [
							{key: 'devcmd.run_id', value: {stringValue: 'r-1'}},
							{key: 'devcmd.env', value: {stringValue: 'dev'}},
						],
					},
					scopeSpans: [
						{
							spans: [
								{
									traceId: 'a'.repeat(32),
									spanId: 'b'.repeat(16),
									name: 'root',
									startTimeUnixNano: '1000000',
									endTimeUnixNano: '2000000',
									status: {code: 2},
									attributes: [
										{key: 'name', value: {stringValue: 'attribute, not span name'}},
										{key: 'error', value: {boolValue: true}},
									],
								},
							],
						},
					],
				},
			],
		});
		assert.equal(events[0]!.data!['name'], 'root', 'an attribute called name does not rename the span');
		assert.deepEqual(events[0]!.attributes, {name: 'attribute, not span name', error: true}, 'attributes travel apart from data: no name in them means anything');
		assert.deepEqual(events[1]!.data!['error'], {message: 'failed'});
		const home = homeWith(events);
		const report = reportOf(home, 'r-1');
		assert.equal(report.run.env, 'dev');
		const [root] = report.spans;
		assert.equal(root!.name, 'root');
		assert.deepEqual(root!.attributes, {name: 'attribute, not span name', error: true}, 'the run fields are read from the resource, not added as attributes');
		assert.deepEqual(root!.error, {message: 'failed'});
		assert.equal(root!.status_message, null, 'no message is made up');
	});

	it('exports OTLP spans with their secrets redacted wherever they were: attributes, resource, events, links, status message', () => {
		const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
		const kv = (key: string, value: string) => ({key, value: {stringValue: value}});
		const home = homeWith(
			otlpToEvents({
				resourceSpans: [
					{
						resource: {attributes: [kv('service.name', 'web'), kv('deploy.token', secret)]},
						scopeSpans: [
							{
								scope: {name: 'lib'},
								spans: [
									{
										traceId: '0af7651916cd43dd8448eb211c80319c',
										spanId: 'b7ad6b7169203331',
										name: 'GET /',
										kind: 2,
										startTimeUnixNano: '1772445600000000000',
										endTimeUnixNano: '1772445600000500000',
										attributes: [kv('http.url', `https://x/?token=${secret}`), kv('password', 'hunter2-hunter2')],
										events: [{timeUnixNano: '1772445600000100000', name: 'auth', attributes: [kv('header', `Bearer ${secret}`)]}],
										links: [{traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', attributes: [kv('key', secret)]}],
										status: {code: 2, message: `rejected ${secret}`},
									},
								],
							},
						],
					},
				],
			}),
		);
		const text = JSON.stringify(exportHome(home));
		assert.ok(!text.includes(secret) && !text.includes('hunter2'), 'no secret in the export');
		assert.match(text, /<redacted/);
		assert.match(text, /"name":"GET \/"/, 'the rest is exported');
	});

	it('rejects times no date can hold instead of crashing', () => {
		assert.throws(() => otlpToEvents({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'b', name: 'x', startTimeUnixNano: '9'.repeat(30)}]}]}]}), /unix nanoseconds/);
	});
});
