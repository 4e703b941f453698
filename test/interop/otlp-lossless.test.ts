import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {OtlpAnyValue, OtlpKeyValue} from '../../source/interop/otlp-attributes.js';
import {convertOtlpBatch} from '../../source/interop/otlp-batch.js';
import {runsToOtlp} from '../../source/interop/otlp-export.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {parseTraceEvent} from '../../source/interop/trace-event-schema.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
const T0_NS = 1_772_445_600_000_000_000n;

// Keys include the names TraceEvent data reserves (name, input, error, line, retry) and run fields (env):
// as OTLP attributes they mean nothing to the fold and must come back as they went in.
const key = fc.constantFrom('http.method', 'db.system', 'peer.service', 'name', 'input', 'error', 'line', 'retry', 'env', 'n', 'lines', '1', 'x.y.z');
// No digits, capitals, "_" or "-": such text never looks like a secret, so redaction leaves it alone (a separate test covers secrets).
const text = fc.stringMatching(/^[a-z ./]{0,10}$/);
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));

/**
 * AnyValues in the form JSON gives back: an integral double would come back
 * as an int (JSON has one number type), so doubles here have a fraction, and
 * int64 values beyond 2^53 are left out (they come back as strings).
 */
const anyValue: fc.Arbitrary<OtlpAnyValue> = fc.letrec<{value: OtlpAnyValue}>(tie => ({
	value: fc.oneof(
		{depthSize: 'small', withCrossShrink: true},
		text.map(stringValue => ({stringValue})),
		fc.boolean().map(boolValue => ({boolValue})),
		fc.integer({min: -1e9, max: 1e9}).map(n => ({intValue: String(n)})),
		fc
			.double({noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6})
			.filter(d => !Number.isInteger(d))
			.map(doubleValue => ({doubleValue})),
		fc.constant({}),
		fc.array(tie('value'), {maxLength: 3}).map(values => ({arrayValue: {values}})),
		fc.uniqueArray(fc.record({key, value: tie('value')}), {selector: kv => kv.key, maxLength: 3}).map(values => ({kvlistValue: {values}})),
	),
})).value;
const attributes = fc.uniqueArray(fc.record({key, value: anyValue}), {selector: kv => kv.key, maxLength: 4});

const resource = fc
	.record({
		service: fc.option(fc.constantFrom('checkout', 'ledger', 'web'), {nil: undefined}),
		env: fc.option(fc.constantFrom('prod', 'staging'), {nil: undefined}),
		extra: attributes,
	})
	.map(({service, env, extra}): OtlpKeyValue[] => [...(service ? [{key: 'service.name', value: {stringValue: service}}] : []), ...(env ? [{key: 'deployment.environment.name', value: {stringValue: env}}] : []), ...extra]);
// OTLP's empty scope name is "unknown": a scope is a name, with or without a version.
const scope = fc.option(fc.record({name: fc.constantFrom('lib-a', 'lib-b'), version: fc.option(fc.constantFrom('1.0.0', '2.3'), {nil: undefined})}, {requiredKeys: ['name']}), {nil: undefined});

const spanShape = fc.record({
	resource: fc.nat(2),
	scope: fc.nat(1),
	trace: fc.nat(2),
	id: hex(16),
	// An earlier span of the trace, one that never arrives, or none.
	parent: fc.oneof(
		fc.constant({type: 'none' as const}),
		fc.nat(6).map(i => ({type: 'earlier' as const, i})),
		hex(16).map(id => ({type: 'missing' as const, id})),
	),
	name: fc.oneof(text, fc.constantFrom('GET /', 'SELECT', 'charge')),
	kind: fc.option(fc.oneof(fc.integer({min: 0, max: 5}), fc.constantFrom('SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT')), {nil: undefined}),
	// Nanoseconds, most of them below the millisecond and the quarter microsecond a double holds.
	start: fc.bigInt({min: 0n, max: 10_000_000_000n}),
	duration: fc.bigInt({min: 0n, max: 2_000_000_000n}),
	attributes,
	events: fc.array(
		fc.record({
			at: fc.bigInt({min: 0n, max: 2_000_000_000n}),
			name: fc.constantFrom('retry', 'exception', 'stderr_tail', 'cache miss', ''),
			attributes,
		}),
		{maxLength: 3},
	),
	links: fc.array(fc.record({traceId: hex(32), spanId: hex(16), attributes}), {maxLength: 2}),
	status: fc.option(
		fc.record(
			{
				code: fc.option(fc.oneof(fc.integer({min: 0, max: 2}), fc.constantFrom('STATUS_CODE_ERROR', 'STATUS_CODE_OK')), {nil: undefined}),
				message: fc.option(text, {nil: undefined}),
			},
			{requiredKeys: []},
		),
		{nil: undefined},
	),
});

/** An OTLP/JSON document with several resources, scopes, traces, kinds, events, links, statuses and absent parents. */
const otlpDocument = fc
	.tuple(fc.array(resource, {minLength: 3, maxLength: 3}), fc.array(scope, {minLength: 2, maxLength: 2}), fc.array(hex(32), {minLength: 3, maxLength: 3}), fc.uniqueArray(spanShape, {selector: span => span.id.toLowerCase(), minLength: 1, maxLength: 8}))
	.map(([resources, scopes, traces, shapes]): OtlpTracesJson => {
		const document: OtlpTracesJson = {resourceSpans: resources.map(attrs => ({resource: {attributes: attrs}, scopeSpans: scopes.map(s => (s ? {scope: s, spans: []} : {spans: []}))}))};
		for (const [i, shape] of shapes.entries()) {
			const traceId = traces[shape.trace]!;
			const earlier =
				shape.parent.type === 'earlier'
					? shapes
							.slice(0, i)
							.filter(other => other.trace === shape.trace)
							.at(shape.parent.i)
					: undefined;
			const parentSpanId = shape.parent.type === 'missing' ? shape.parent.id : earlier?.id;
			const start = T0_NS + shape.start;
			const end = start + shape.duration;
			const events = shape.events.map(event => ({timeUnixNano: String(start + (event.at % (shape.duration + 1n))), name: event.name, attributes: event.attributes})).sort((a, b) => (BigInt(a.timeUnixNano) < BigInt(b.timeUnixNano) ? -1 : BigInt(a.timeUnixNano) > BigInt(b.timeUnixNano) ? 1 : 0));
			document.resourceSpans[shape.resource]!.scopeSpans![shape.scope]!.spans!.push({
				traceId,
				spanId: shape.id,
				...(parentSpanId === undefined ? {} : {parentSpanId}),
				name: shape.name,
				...(shape.kind === undefined ? {} : {kind: shape.kind as number}),
				startTimeUnixNano: String(start),
				endTimeUnixNano: String(end),
				attributes: shape.attributes,
				events,
				links: shape.links,
				...(shape.status === undefined ? {} : {status: shape.status as {code?: number; message?: string}}),
			});
		}

		return document;
	});

const KIND_NAMES: Record<string, number> = {SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5};
const CODE_NAMES: Record<string, number> = {STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2};

function normalValue(value: OtlpAnyValue | undefined): unknown {
	if (value?.arrayValue) {
		return {arrayValue: (value.arrayValue.values ?? []).map(item => normalValue(item))};
	}

	if (value?.kvlistValue) {
		return {kvlistValue: normalAttributes(value.kvlistValue.values)};
	}

	if (value?.intValue !== undefined) {
		return {intValue: String(value.intValue)};
	}

	return value ?? {};
}

function normalAttributes(list: readonly OtlpKeyValue[] | undefined): unknown[] {
	return [...(list ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(kv => [kv.key, normalValue(kv.value)]);
}

/**
 * One record per span with its resource and scope, in id order: the grouping
 * into ResourceSpans and ScopeSpans and the order of attributes are not
 * facts; ids are compared in lower case; enum names read as their numbers,
 * and fields at their default value (kind 0, status code 0, empty message)
 * as absent, as OTLP/JSON allows.
 */
function normalize(document: OtlpTracesJson): unknown[] {
	const out: Array<{id: string; record: unknown}> = [];
	for (const rs of document.resourceSpans) {
		for (const ss of rs.scopeSpans ?? []) {
			for (const span of ss.spans ?? []) {
				const kind = typeof span.kind === 'string' ? KIND_NAMES[span.kind] : span.kind;
				const code = typeof span.status?.code === 'string' ? CODE_NAMES[span.status.code] : span.status?.code;
				const record = {
					resource: normalAttributes(rs.resource?.attributes),
					scope: ss.scope?.name ? {name: ss.scope.name, version: ss.scope.version ?? null} : null,
					traceId: span.traceId.toLowerCase(),
					spanId: span.spanId.toLowerCase(),
					parentSpanId: span.parentSpanId ? span.parentSpanId.toLowerCase() : null,
					name: span.name,
					kind: kind ?? 0,
					start: span.startTimeUnixNano,
					end: span.endTimeUnixNano ?? null,
					attributes: normalAttributes(span.attributes),
					events: (span.events ?? []).map(event => ({time: event.timeUnixNano, name: event.name, attributes: normalAttributes(event.attributes)})),
					links: (span.links ?? []).map(link => ({traceId: link.traceId.toLowerCase(), spanId: link.spanId.toLowerCase(), attributes: normalAttributes(link.attributes)})),
					status: {code: code ?? 0, message: span.status?.message || null},
				};
				out.push({id: `${record.traceId}/${record.spanId}`, record});
			}
		}
	}

	return out.sort((a, b) => (a.id < b.id ? -1 : 1)).map(item => item.record);
}

/** A home holding these events, exported whole as `runs export --format otlp` does. */
function storeAndExport(...batches: TraceEvent[][]): OtlpTracesJson {
	const index = RunIndex.open(tempHome());
	try {
		for (const events of batches) {
			index.appendEvents(events);
		}

		// Through JSON text, as the command writes it.
		return JSON.parse(JSON.stringify(runsToOtlp(index.listRuns().map(run => ({run, spans: index.spans(run.trace_id)}))))) as OtlpTracesJson;
	} finally {
		index.close();
	}
}

function ingest(document: unknown): TraceEvent[] {
	const batch = convertOtlpBatch(JSON.parse(JSON.stringify(document)));
	assert.equal(batch.rejectedSpans, 0, batch.errorMessage);
	return batch.events;
}

/** A TraceEvent producer's run (as exec and the emitter write them), with sub-millisecond times and OpenTelemetry facts on some spans. */
const traceEventRun = fc
	.record({
		trace: fc.constantFrom('run-trace-1', 'run-trace-2'),
		micros: fc.array(fc.integer({min: 0, max: 5_000_000}), {minLength: 4, maxLength: 4}),
		failed: fc.boolean(),
		facts: fc.boolean(),
		spanEvent: fc.option(fc.constantFrom('retry', 'checkpoint'), {nil: undefined}),
	})
	.map(({trace, micros, failed, facts, spanEvent}) => {
		const [a, b, c, d] = [...micros].sort((x, y) => x - y);
		const at = (us: number) => `2026-03-02T10:00:0${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}Z`;
		const e = (span: string, parent: string | undefined, type: string, us: number, extra: Partial<TraceEvent> = {}) =>
			parseTraceEvent({
				trace_id: trace,
				span_id: span,
				...(parent ? {parent_span_id: parent} : {}),
				event_type: type,
				timestamp: at(us),
				...extra,
			});
		return [
			e('root', undefined, 'workflow:started', a!, {data: {name: 'deploy', run_id: `${trace}-run`, env: 'prod', target: 'api'}}),
			e('step', 'root', 'step:started', b!, {data: {name: 'migrate', input: {sql: 'ALTER'}}, ...(facts ? {span_kind: 'client', service: 'db-tool', scope: {name: 'migrator', version: '3'}, links: [{trace_id: 'other', span_id: 'x', attributes: {why: 'batch'}}]} : {})}),
			...(spanEvent ? [e('step', 'root', 'event:recorded', b!, {data: {name: spanEvent, attributes: {k: 'v'}}})] : []),
			e('step', 'root', failed ? 'step:failed' : 'step:completed', c!, failed ? {data: {error: {message: 'lock timeout'}}, ...(facts ? {status_message: 'lock timeout on users'} : {})} : {}),
			e('root', undefined, failed ? 'workflow:failed' : 'workflow:completed', d!),
		];
	});

describe('OTLP export is lossless, property-based', () => {
	it('OTLP ingested and exported again is the input, up to id case, attribute order and grouping', () => {
		fc.assert(
			fc.property(otlpDocument, document => {
				const exported = storeAndExport(ingest(document));
				assert.deepEqual(normalize(exported), normalize(document));
				// Spans come back grouped: one ResourceSpans per distinct resource of a run, one ScopeSpans per scope in it.
				for (const rs of exported.resourceSpans) {
					const scopes = (rs.scopeSpans ?? []).map(ss => JSON.stringify(ss.scope ?? null));
					assert.equal(new Set(scopes).size, scopes.length, 'one ScopeSpans per scope');
				}
			}),
			{numRuns: RUNS},
		);
	});

	it('export, ingest, export gives the same document, for OTLP and TraceEvent producers alike', () => {
		fc.assert(
			fc.property(otlpDocument, fc.array(traceEventRun, {maxLength: 2}), (document, runs) => {
				const first = storeAndExport(ingest(document), ...runs);
				const second = storeAndExport(ingest(first));
				assert.deepEqual(second, first);
			}),
			{numRuns: RUNS},
		);
	});
});
