import protobuf from 'protobufjs';
import {isRecord} from '../core/json-value.js';

/*
 * OTLP metrics, which tracedeck does not store. The NodeSDK (and most SDKs
 * with OTEL_METRICS_EXPORTER's default, otlp) sends them to the same
 * endpoint as traces; a 404 would lose them without a word, so every export
 * is answered with a partial success that rejects all of its data points
 * and says why, and serve warns once.
 *
 * Only what counting needs is transcribed from opentelemetry-proto
 * (collector/metrics/v1/metrics_service.proto, metrics/v1/metrics.proto):
 * the data points are empty messages, so their contents (attributes,
 * exemplars) are skipped by length and never decoded.
 */
const PROTO = `
syntax = "proto3";
package opentelemetry.proto.metrics.v1;
message ResourceMetrics { repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { repeated Metric metrics = 2; }
message Metric {
  oneof data {
    Points gauge = 5;
    Points sum = 7;
    Points histogram = 9;
    Points exponential_histogram = 10;
    Points summary = 11;
  }
}
message Points { repeated Point data_points = 1; }
message Point {}
`;

const SERVICE_PROTO = `
syntax = "proto3";
package opentelemetry.proto.collector.metrics.v1;
message ExportMetricsServiceRequest {
  repeated opentelemetry.proto.metrics.v1.ResourceMetrics resource_metrics = 1;
}
message ExportMetricsServiceResponse {
  ExportMetricsPartialSuccess partial_success = 1;
}
message ExportMetricsPartialSuccess {
  int64 rejected_data_points = 1;
  string error_message = 2;
}
`;

const root = new protobuf.Root();
protobuf.parse(PROTO, root);
protobuf.parse(SERVICE_PROTO, root);
root.resolveAll();
const requestType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');

/** The OTLP/JSON names of Metric's data oneof: each holds `dataPoints`. */
const METRIC_DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

export const METRICS_REJECTED_MESSAGE = 'tracedeck stores traces and logs, not metrics; send metrics to Prometheus (or set OTEL_METRICS_EXPORTER=none to stop sending them here)';

/** A body that is not an ExportMetricsServiceRequest. */
export class OtlpMetricsError extends Error {}

interface PbPoints {
	dataPoints?: unknown[];
}

interface PbRequest {
	resourceMetrics?: Array<{scopeMetrics?: Array<{metrics?: Array<Partial<Record<(typeof METRIC_DATA_KEYS)[number], PbPoints>>>}>}>;
}

/** `value[key]` as an array: absent or null is empty (OTLP/JSON may leave defaults out), anything else is an error naming `where`. */
function listAt(value: Record<string, unknown>, key: string, where: string): unknown[] {
	const list = value[key];
	if (list === undefined || list === null) {
		return [];
	}

	if (!Array.isArray(list)) {
		throw new OtlpMetricsError(`${where}.${key}: expected an array`);
	}

	return list;
}

function recordAt(value: unknown, where: string): Record<string, unknown> {
	if (!isRecord(value)) {
		throw new OtlpMetricsError(`${where}: expected an object`);
	}

	return value;
}

/** Data points in an OTLP/JSON ExportMetricsServiceRequest. @throws OtlpMetricsError */
export function countJsonDataPoints(document: unknown): number {
	if (!isRecord(document) || !Array.isArray(document['resourceMetrics'])) {
		throw new OtlpMetricsError('not an OTLP metrics export: no "resourceMetrics" array');
	}

	let points = 0;
	for (const [i, rm] of (document['resourceMetrics'] as unknown[]).entries()) {
		const resourceWhere = `resourceMetrics.${i}`;
		for (const [j, sm] of listAt(recordAt(rm, resourceWhere), 'scopeMetrics', resourceWhere).entries()) {
			const scopeWhere = `${resourceWhere}.scopeMetrics.${j}`;
			for (const [k, metric] of listAt(recordAt(sm, scopeWhere), 'metrics', scopeWhere).entries()) {
				const metricWhere = `${scopeWhere}.metrics.${k}`;
				const record = recordAt(metric, metricWhere);
				for (const key of METRIC_DATA_KEYS) {
					if (record[key] !== undefined && record[key] !== null) {
						points += listAt(recordAt(record[key], `${metricWhere}.${key}`), 'dataPoints', `${metricWhere}.${key}`).length;
					}
				}
			}
		}
	}

	return points;
}

/** Data points in a protobuf ExportMetricsServiceRequest. @throws OtlpMetricsError */
export function countProtobufDataPoints(body: Uint8Array): number {
	let decoded: PbRequest;
	try {
		decoded = requestType.toObject(requestType.decode(body), {arrays: true}) as PbRequest;
	} catch (error) {
		throw new OtlpMetricsError(`not an OTLP ExportMetricsServiceRequest (${(error as Error).message})`);
	}

	let points = 0;
	for (const rm of decoded.resourceMetrics ?? []) {
		for (const sm of rm.scopeMetrics ?? []) {
			for (const metric of sm.metrics ?? []) {
				for (const key of METRIC_DATA_KEYS) {
					points += metric[key]?.dataPoints?.length ?? 0;
				}
			}
		}
	}

	return points;
}

export interface MetricsPartialSuccess {
	rejectedDataPoints: number;
	errorMessage: string;
}

/** An ExportMetricsServiceResponse carrying the rejection. */
export function encodeExportMetricsResponse(partial: MetricsPartialSuccess): Uint8Array {
	return responseType.encode(responseType.fromObject({partialSuccess: partial})).finish();
}

/** The same in OTLP/JSON, which writes int64 as a decimal string. */
export function exportMetricsResponseJson(partial: MetricsPartialSuccess): {partialSuccess: {rejectedDataPoints: string; errorMessage: string}} {
	return {partialSuccess: {rejectedDataPoints: String(partial.rejectedDataPoints), errorMessage: partial.errorMessage}};
}

/** For tests and tools: read an ExportMetricsServiceResponse. */
export function decodeExportMetricsResponse(body: Uint8Array): {partialSuccess?: MetricsPartialSuccess} {
	const object = responseType.toObject(responseType.decode(body), {longs: Number}) as {partialSuccess?: {rejectedDataPoints?: number; errorMessage?: string}};
	return object.partialSuccess ? {partialSuccess: {rejectedDataPoints: object.partialSuccess.rejectedDataPoints ?? 0, errorMessage: object.partialSuccess.errorMessage ?? ''}} : {};
}

/**
 * Answers metrics exports for every transport of one serve, and warns the
 * operator the first time only: a sender exports every minute or so, and a
 * line each time would bury everything else on stderr.
 */
export class MetricsRejection {
	private warned = false;

	constructor(private readonly warn: (line: string) => void = line => process.stderr.write(`${line}\n`)) {}

	reject(dataPoints: number, where: string): MetricsPartialSuccess {
		if (!this.warned) {
			this.warned = true;
			this.warn(`tracedeck serve: warning: OTLP metrics received on ${where} (${dataPoints} data points) and rejected: tracedeck stores traces and logs; senders are told so in each answer; point metrics at Prometheus or set OTEL_METRICS_EXPORTER=none (not repeated)`);
		}

		return {rejectedDataPoints: dataPoints, errorMessage: METRICS_REJECTED_MESSAGE};
	}
}
