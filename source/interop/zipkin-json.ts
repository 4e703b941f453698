import {createHash} from 'node:crypto';
import {z} from 'zod';
import {foreignIdSchema} from './hex-ids.js';
import {MAX_JSON_DEPTH, nestsDeeperThan} from './json-depth.js';
import type {OtlpAnyValue} from './otlp-attributes.js';
import type {OtlpScopeJson, OtlpSpanJson, OtlpStatusJson, OtlpTracesJson} from './otlp-json.js';
import {ResourceGroups, scopeOf} from './resource-groups.js';
import {anyValueText, SPAN_KIND_BY_NAME, SpanTags, statusCodeOfTag} from './span-tags.js';
import {microsToNanos, unixMicros} from './unix-micros.js';

/*
 * Zipkin v2 JSON spans (zipkin2-api.yaml: what /api/v2/trace/{id} answers and
 * Zipkin UI downloads), read into OTLP the way the Collector's Zipkin
 * translator does (pkg/translator/zipkin/zipkinv2), so that one OTLP path
 * stores every format.
 */

export class ZipkinParseError extends Error {}

const traceId = foreignIdSchema(32);
const spanId = foreignIdSchema(16);
const endpoint = z.object({
	serviceName: z.string().nullish(),
	ipv4: z.string().nullish(),
	ipv6: z.string().nullish(),
	port: z.number().int().nullish(),
});
const spanSchema = z.object({
	traceId,
	id: spanId,
	parentId: spanId.nullish(),
	name: z.string().nullish(),
	kind: z.enum(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']).nullish(),
	// Both may be absent on an incomplete span.
	timestamp: unixMicros.nullish(),
	duration: unixMicros.nullish(),
	debug: z.boolean().nullish(),
	shared: z.boolean().nullish(),
	localEndpoint: endpoint.nullish(),
	remoteEndpoint: endpoint.nullish(),
	annotations: z.array(z.object({timestamp: unixMicros, value: z.string()})).nullish(),
	// Checked in tagList, from the raw object: a zod record drops a "__proto__" key, unchecked.
	tags: z.unknown().optional(),
});

type ZipkinSpan = z.infer<typeof spanSchema>;

/** A span and where it sits in the input, for errors. */
export interface ZipkinItem {
	value: unknown;
	where: string;
}

function pathOf(...parts: string[]): string {
	return parts.filter(Boolean).join('.');
}

function describeIssue(error: z.ZodError, where: string): string {
	const issue = error.issues[0];
	return `${pathOf(where, ...(issue?.path ?? []).map(String)) || 'span'}: ${issue?.message ?? 'invalid'}`;
}

function tagValue(value: string | number | boolean | null): OtlpAnyValue {
	if (typeof value === 'number') {
		return Number.isInteger(value) ? {intValue: String(value)} : {doubleValue: value};
	}

	if (typeof value === 'boolean') {
		return {boolValue: value};
	}

	return {stringValue: value ?? ''};
}

/**
 * The tags in the order the file has them. Zipkin's tags are strings; some
 * tracers send numbers and booleans, kept as such.
 */
function tagList(raw: unknown, where: string): SpanTags {
	const tags = new SpanTags();
	if (raw === undefined || raw === null) {
		return tags;
	}

	if (typeof raw !== 'object' || Array.isArray(raw)) {
		throw new ZipkinParseError(`${pathOf(where, 'tags')}: expected an object of strings`);
	}

	for (const [key, value] of Object.entries(raw)) {
		if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
			throw new ZipkinParseError(`${pathOf(where, 'tags', key)}: expected a string`);
		}

		tags.push(key, tagValue(value as string | number | boolean | null));
	}

	return tags;
}

/**
 * Zipkin's status: any `error` tag fails the span (Zipkin UI's rule) and its
 * value is the message unless it is empty or just "true"; else
 * `otel.status_code`, with `otel.status_description` as the message.
 */
function statusOf(tags: SpanTags): OtlpStatusJson | undefined {
	const errorTag = tags.take('error');
	const declared = statusCodeOfTag(anyValueText(tags.take('otel.status_code')));
	const description = anyValueText(tags.take('otel.status_description'));
	const errorText = anyValueText(errorTag);
	const code = errorTag === undefined ? (declared ?? 0) : 2;
	const message = description ?? (errorText === undefined || errorText === '' || errorText === 'true' ? undefined : errorText);
	if (code === 0 && message === undefined) {
		return undefined;
	}

	return {code, ...(message === undefined ? {} : {message})};
}

function addEndpointTags(tags: SpanTags, span: ZipkinSpan): void {
	// The Collector's names for the endpoints; a tag the span already has wins.
	const local = span.localEndpoint;
	const localIp = local?.ipv6 ?? local?.ipv4;
	if (localIp) {
		tags.pushAbsent('net.host.ip', {stringValue: localIp});
	}

	if (local?.port) {
		tags.pushAbsent('net.host.port', {intValue: String(local.port)});
	}

	const remote = span.remoteEndpoint;
	if (remote?.serviceName) {
		tags.pushAbsent('peer.service', {stringValue: remote.serviceName});
	}

	const remoteIp = remote?.ipv6 ?? remote?.ipv4;
	if (remoteIp) {
		tags.pushAbsent('net.peer.ip', {stringValue: remoteIp});
	}

	if (remote?.port) {
		tags.pushAbsent('net.peer.port', {intValue: String(remote.port)});
	}
}

/**
 * The id a shared server span gets. Zipkin lets the server side of an RPC
 * reuse its client's span id (B3 "join"); one id for two spans would fold
 * them into one here, so, as Jaeger's span-id deduper does, the server side
 * gets an id of its own and the client span as its parent. Derived from the
 * ids, so that ingesting the file again gives the same span.
 */
function sharedServerId(trace: string, id: string): string {
	return createHash('sha256').update(`zipkin shared server span\n${trace}\n${id}`).digest('hex').slice(0, 16);
}

function convertSpan(span: ZipkinSpan, ids: {spanId: string; parentId: string | undefined}, where: string): {span: OtlpSpanJson; scope: OtlpScopeJson} {
	const tags = tagList(span.tags, where);
	const status = statusOf(tags);
	const scopeName = anyValueText(tags.take('otel.scope.name')) ?? anyValueText(tags.get('otel.library.name'));
	const scopeVersion = anyValueText(tags.take('otel.scope.version')) ?? anyValueText(tags.get('otel.library.version'));
	tags.remove('otel.library.name');
	tags.remove('otel.library.version');
	const traceState = anyValueText(tags.take('w3c.tracestate'));
	addEndpointTags(tags, span);

	const annotations = span.annotations ?? [];
	// An incomplete span may leave out its timestamp; its first annotation still says when it was seen.
	const start = span.timestamp ?? annotations.reduce<bigint | undefined>((min, annotation) => (min === undefined || annotation.timestamp < min ? annotation.timestamp : min), undefined);
	if (start === undefined) {
		throw new ZipkinParseError(`${pathOf(where, 'timestamp')}: epoch microseconds (the span has neither a timestamp nor annotations)`);
	}

	// A kind-less Zipkin span is a local one: OpenTelemetry's Zipkin exporter writes INTERNAL so.
	const kind = span.kind ? SPAN_KIND_BY_NAME[span.kind.toLowerCase()]! : 1;
	const out: OtlpSpanJson = {
		traceId: span.traceId,
		spanId: ids.spanId,
		...(ids.parentId === undefined ? {} : {parentSpanId: ids.parentId}),
		...(traceState === undefined ? {} : {traceState}),
		name: span.name ?? '',
		kind,
		startTimeUnixNano: microsToNanos(start),
		// Without a duration the span has not finished (or its end was never reported): it stays open.
		...(span.duration === undefined || span.duration === null ? {} : {endTimeUnixNano: microsToNanos(start + span.duration)}),
		attributes: tags.list,
		events: annotations.map(annotation => ({timeUnixNano: microsToNanos(annotation.timestamp), name: annotation.value, attributes: []})),
		...(status ? {status} : {}),
	};
	return {span: out, scope: scopeOf(scopeName, scopeVersion)};
}

/**
 * Zipkin v2 spans as one OTLP traces document: one ResourceSpans per local
 * service, one ScopeSpans per instrumentation scope, spans in the order they
 * came. Throws ZipkinParseError naming the first problem.
 */
export function zipkinSpansToOtlp(items: readonly ZipkinItem[]): OtlpTracesJson {
	if (nestsDeeperThan(items.map(item => item.value))) {
		throw new ZipkinParseError(`document: nested deeper than ${MAX_JSON_DEPTH} levels`);
	}

	const spans: Array<{span: ZipkinSpan; where: string}> = [];
	for (const item of items) {
		const result = spanSchema.safeParse(item.value);
		if (!result.success) {
			throw new ZipkinParseError(describeIssue(result.error, item.where));
		}

		spans.push({span: result.data, where: item.where});
	}

	const key = (span: ZipkinSpan): string => `${span.traceId}/${span.id}`;
	const clientIds = new Set(spans.filter(({span}) => span.kind === 'CLIENT').map(({span}) => key(span)));
	const movedServerIds = new Map<string, string>();
	for (const {span} of spans) {
		if (span.kind === 'SERVER' && (span.shared === true || clientIds.has(key(span)))) {
			movedServerIds.set(key(span), sharedServerId(span.traceId, span.id));
		}
	}

	const groups = new ResourceGroups();
	for (const {span, where} of spans) {
		const moved = span.kind === 'SERVER' ? movedServerIds.get(key(span)) : undefined;
		// The Collector drops a parent that is the span itself.
		const declaredParent = span.parentId && span.parentId !== span.id ? span.parentId : undefined;
		// Children of a shared id hang under its server side, as Jaeger's deduper re-parents them.
		const parentId = moved ? span.id : (declaredParent && movedServerIds.get(`${span.traceId}/${declaredParent}`)) || declaredParent;
		const converted = convertSpan(span, {spanId: moved ?? span.id, parentId}, where);
		const service = span.localEndpoint?.serviceName ?? '';
		groups.add(service, () => (service === '' ? [] : [{key: 'service.name', value: {stringValue: service}}]), converted.scope, converted.span);
	}

	return groups.document();
}
