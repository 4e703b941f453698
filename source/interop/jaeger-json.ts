import {z} from 'zod';
import {foreignIdSchema, isZeroId} from './hex-ids.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';
import type {OtlpScopeJson, OtlpSpanEventJson, OtlpSpanJson, OtlpSpanLinkJson, OtlpStatusJson, OtlpTracesJson} from './otlp-json.js';
import {ResourceGroups, scopeOf} from './resource-groups.js';
import {anyValueText, SPAN_KIND_BY_NAME, SpanTags, statusCodeOfTag} from './span-tags.js';
import {microsToNanos, unixMicros} from './unix-micros.js';
import {isRecord} from '../core/json-value.js';

/*
 * Jaeger's JSON trace model (jaeger model/json: the query API's
 * {"data": [trace...]}, Jaeger UI's "Download Results" and "Trace JSON"),
 * read into OTLP the way the Collector's Jaeger translator does
 * (pkg/translator/jaeger), so that one OTLP path stores every format.
 */

export class JaegerParseError extends Error {}

const traceId = foreignIdSchema(32);
const spanId = foreignIdSchema(16);
const keyValue = z.object({key: z.string(), type: z.string().nullish(), value: z.unknown().optional()});
const keyValues = z.array(keyValue).nullish();
const processSchema = z.object({serviceName: z.string().nullish(), tags: keyValues});
const spanSchema = z.object({
	traceID: traceId.nullish(),
	spanID: spanId,
	// Before references, Jaeger wrote the parent here; "0" meant none.
	parentSpanID: spanId.nullish(),
	operationName: z.string().nullish(),
	references: z.array(z.object({refType: z.enum(['CHILD_OF', 'FOLLOWS_FROM']), traceID: traceId.nullish(), spanID: spanId})).nullish(),
	startTime: unixMicros,
	duration: unixMicros,
	tags: keyValues,
	logs: z.array(z.object({timestamp: unixMicros, fields: keyValues})).nullish(),
	processID: z.string().nullish(),
	// A span on its own (Kafka, archive) carries its process instead of a processID.
	process: processSchema.nullish(),
});
const traceSchema = z.object({traceID: traceId.nullish(), spans: z.array(spanSchema), processes: z.unknown().optional()});

type KeyValue = z.infer<typeof keyValue>;
type JaegerProcess = z.infer<typeof processSchema>;
type JaegerSpan = z.infer<typeof spanSchema>;

function describeIssue(error: z.ZodError, where: string): string {
	const issue = error.issues[0];
	const path = [where, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
	return `${path || 'trace'}: ${issue?.message ?? 'invalid'}`;
}

/** A tag value as OTLP: the declared type where the value fits it, else what the JSON value is. */
function tagValue(tag: KeyValue): OtlpAnyValue {
	const {type, value} = tag;
	switch (type?.toLowerCase()) {
		case 'string': {
			if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
				return {stringValue: String(value)};
			}

			break;
		}

		case 'bool': {
			if (typeof value === 'boolean') {
				return {boolValue: value};
			}

			if (value === 'true' || value === 'false') {
				return {boolValue: value === 'true'};
			}

			break;
		}

		case 'int64': {
			// Int64s past 2^53 arrive rounded by JSON.parse; digits in a string stay exact.
			if (typeof value === 'number' && Number.isInteger(value)) {
				return {intValue: String(value)};
			}

			if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) {
				return {intValue: value};
			}

			break;
		}

		case 'float64': {
			if (typeof value === 'number') {
				return {doubleValue: value};
			}

			break;
		}

		case 'binary': {
			// Go's encoding/json writes []byte as base64, OTLP/JSON's bytes encoding too.
			if (typeof value === 'string') {
				return {bytesValue: value};
			}

			break;
		}

		default: {
			break;
		}
	}

	if (typeof value === 'string') {
		return {stringValue: value};
	}

	if (typeof value === 'boolean') {
		return {boolValue: value};
	}

	if (typeof value === 'number') {
		return Number.isInteger(value) ? {intValue: String(value)} : {doubleValue: value};
	}

	return value === null || value === undefined ? {} : {stringValue: JSON.stringify(value)};
}

function tagList(tags: readonly KeyValue[] | null | undefined): SpanTags {
	const list = new SpanTags();
	for (const tag of tags ?? []) {
		list.push(tag.key, tagValue(tag));
	}

	return list;
}

function resourceOf(process: JaegerProcess | undefined): OtlpKeyValue[] {
	const attributes: OtlpKeyValue[] = [];
	if (process?.serviceName) {
		attributes.push({key: 'service.name', value: {stringValue: process.serviceName}});
	}

	attributes.push(...tagList(process?.tags).list);
	return attributes;
}

/**
 * The status Jaeger's tags say. `error` true is the last word (Jaeger UI marks
 * the span failed on it alone), then `otel.status_code`; the message is
 * `otel.status_description`, else `http.status_message`, else the message of
 * an OpenTracing error log (`event: error`). Unlike the Collector, an HTTP
 * status code alone fails nothing: Jaeger UI would show that span as fine.
 */
function statusOf(tags: SpanTags, logs: JaegerSpan['logs']): OtlpStatusJson | undefined {
	const errorTag = tags.get('error');
	const failed = errorTag?.boolValue === true || errorTag?.stringValue === 'true';
	// The flag's meaning moves into the status; a false one would otherwise read as an error "false" downstream.
	if (errorTag?.boolValue !== undefined || errorTag?.stringValue === 'true' || errorTag?.stringValue === 'false') {
		tags.remove('error');
	}

	const declared = statusCodeOfTag(anyValueText(tags.take('otel.status_code')));
	const description = anyValueText(tags.take('otel.status_description'));
	const code = failed ? 2 : (declared ?? 0);
	let message = description;
	if (message === undefined && code === 2) {
		const errorLog = logs?.find(log => log.fields?.some(field => field.key === 'event' && field.value === 'error'));
		const logText = (key: string): string | undefined => {
			const field = errorLog?.fields?.findLast(candidate => candidate.key === key);
			return field ? anyValueText(tagValue(field)) : undefined;
		};

		message = anyValueText(tags.get('http.status_message')) ?? logText('message') ?? logText('error.object');
	}

	if (code === 0 && message === undefined) {
		return undefined;
	}

	return {code, ...(message === undefined ? {} : {message})};
}

function eventsOf(logs: JaegerSpan['logs']): OtlpSpanEventJson[] {
	return (logs ?? []).map(log => {
		const fields = tagList(log.fields);
		// OpenTracing names a log by its `event` field, as the Collector reads it.
		const name = anyValueText(fields.take('event')) ?? '';
		return {timeUnixNano: microsToNanos(log.timestamp), name, attributes: fields.list};
	});
}

interface ConvertedSpan {
	span: OtlpSpanJson;
	scope: OtlpScopeJson;
}

function convertSpan(span: JaegerSpan, fallbackTraceId: string | undefined, where: string): ConvertedSpan {
	const trace = span.traceID ?? fallbackTraceId;
	if (trace === undefined) {
		throw new JaegerParseError(`${where}.traceID: a trace id, on the span or on its trace`);
	}

	const tags = tagList(span.tags);
	const kindName = anyValueText(tags.get('span.kind'));
	const kind = kindName === undefined ? undefined : SPAN_KIND_BY_NAME[kindName.toLowerCase()];
	if (kind !== undefined) {
		tags.remove('span.kind');
	}

	const status = statusOf(tags, span.logs);
	// otel.library.* is what Jaeger itself wrote before OpenTelemetry renamed the library a scope.
	const scopeName = anyValueText(tags.take('otel.scope.name')) ?? anyValueText(tags.get('otel.library.name'));
	const scopeVersion = anyValueText(tags.take('otel.scope.version')) ?? anyValueText(tags.get('otel.library.version'));
	tags.remove('otel.library.name');
	tags.remove('otel.library.version');
	const traceState = anyValueText(tags.take('w3c.tracestate'));

	// Jaeger's own rule (model.Span.ParentSpanID): the first CHILD_OF in the same
	// trace, else the first FOLLOWS_FROM in it. Every other reference, and a
	// FOLLOWS_FROM parent too, is a link that says which it was.
	const references = (span.references ?? []).map(ref => ({...ref, traceID: ref.traceID ?? trace}));
	const sameTrace = references.filter(ref => ref.traceID === trace);
	let parent = (sameTrace.find(ref => ref.refType === 'CHILD_OF') ?? sameTrace.find(ref => ref.refType === 'FOLLOWS_FROM'))?.spanID;
	if (parent === undefined && references.length === 0 && span.parentSpanID && !isZeroId(span.parentSpanID)) {
		parent = span.parentSpanID;
	}

	const links: OtlpSpanLinkJson[] = references.filter(ref => !(ref.refType === 'CHILD_OF' && ref.spanID === parent)).map(ref => ({traceId: ref.traceID, spanId: ref.spanID, attributes: [{key: 'opentracing.ref_type', value: {stringValue: ref.refType === 'CHILD_OF' ? 'child_of' : 'follows_from'}}]}));

	const out: OtlpSpanJson = {
		traceId: trace,
		spanId: span.spanID,
		...(parent === undefined ? {} : {parentSpanId: parent}),
		...(traceState === undefined ? {} : {traceState}),
		name: span.operationName ?? '',
		kind: kind ?? 0,
		startTimeUnixNano: microsToNanos(span.startTime),
		endTimeUnixNano: microsToNanos(span.startTime + span.duration),
		attributes: tags.list,
		events: eventsOf(span.logs),
		...(links.length > 0 ? {links} : {}),
		...(status ? {status} : {}),
	};
	return {span: out, scope: scopeOf(scopeName, scopeVersion)};
}

function processesOf(value: unknown, where: string): Map<string, JaegerProcess> {
	const processes = new Map<string, JaegerProcess>();
	if (value === undefined || value === null) {
		return processes;
	}

	if (!isRecord(value)) {
		throw new JaegerParseError(`${where}.processes: expected an object of processes by id`);
	}

	// Entries of the raw object: a map keyed by untrusted ids, "__proto__" included.
	for (const [id, process] of Object.entries(value)) {
		const result = processSchema.safeParse(process);
		if (!result.success) {
			throw new JaegerParseError(describeIssue(result.error, `${where}.processes.${id}`));
		}

		processes.set(id, result.data);
	}

	return processes;
}

/**
 * Jaeger JSON traces as one OTLP traces document. `traces` are the trace
 * objects (`{traceID, spans, processes}`); `where` names them in errors
 * (`data` for the query API's wrapper). Throws JaegerParseError naming the
 * first problem.
 */
export function jaegerTracesToOtlp(traces: readonly unknown[], where: string): OtlpTracesJson {
	if (nestsDeeperThan(traces)) {
		throw new JaegerParseError(`${where || 'document'}: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	const groups = new ResourceGroups();
	for (const [t, value] of traces.entries()) {
		const at = [where, String(t)].filter(Boolean).join('.');
		const result = traceSchema.safeParse(value);
		if (!result.success) {
			throw new JaegerParseError(describeIssue(result.error, at));
		}

		const processes = processesOf(result.data.processes, at);
		for (const [s, span] of result.data.spans.entries()) {
			const spanWhere = `${at}.spans.${s}`;
			let process: JaegerProcess | undefined;
			let key: string;
			if (span.process) {
				process = span.process;
				key = `inline\n${JSON.stringify(span.process)}`;
			} else if (span.processID !== undefined && span.processID !== null) {
				process = processes.get(span.processID);
				if (!process) {
					throw new JaegerParseError(`${spanWhere}.processID: "${span.processID}" is not in the trace's processes`);
				}

				key = `${t}\n${span.processID}`;
			} else {
				key = 'none';
			}

			const converted = convertSpan(span, result.data.traceID ?? undefined, spanWhere);
			groups.add(key, () => resourceOf(process), converted.scope, converted.span);
		}
	}

	return groups.document();
}
