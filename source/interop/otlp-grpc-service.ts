import type {MethodDefinition} from '@grpc/grpc-js';
import type {OtlpTracesJson} from './otlp-json.js';
import {decodeExportLogsRequest, decodeExportLogsResponse, encodeExportLogsRequest, encodeExportLogsResponse, type LogsPartialSuccess, type OtlpLogsJson} from './otlp-logs-protobuf.js';
import {countProtobufDataPoints, decodeExportMetricsResponse, encodeExportMetricsResponse, OtlpMetricsError, type MetricsPartialSuccess} from './otlp-metrics-rejection.js';
import {decodeExportTraceRequest, decodeExportTraceResponse, encodeExportTraceRequest, encodeExportTraceResponse, OtlpProtobufError, type PartialSuccess} from './otlp-protobuf.js';

/*
 * The OTLP/gRPC services as grpc-js generic definitions over the protobufjs
 * codecs OTLP/HTTP already uses, so both transports read the same bytes the
 * same way and no .proto file is loaded at run time. The paths are those of
 * opentelemetry-proto's collector/{trace,metrics,logs}/v1 services.
 */

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/**
 * A request as the handler gets it. Decoding never throws: grpc-js would
 * answer a throwing deserializer with INTERNAL, where bad data is the
 * sender's INVALID_ARGUMENT.
 */
export type Decoded<T> = {ok: true; value: T} | {ok: false; problem: string};

export interface TraceExportResponse {
	partialSuccess?: PartialSuccess;
}

export interface LogsExportResponse {
	partialSuccess?: LogsPartialSuccess;
}

export interface MetricsExportResponse {
	partialSuccess: MetricsPartialSuccess;
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function decodeWith<T>(decode: (bytes: Buffer) => T, expected: new (message: string) => Error): (bytes: Buffer) => Decoded<T> {
	return bytes => {
		try {
			return {ok: true, value: decode(bytes)};
		} catch (error) {
			if (error instanceof expected) {
				return {ok: false, problem: error.message};
			}

			throw error;
		}
	};
}

function encodeOrRefuse<T>(encode: (value: T) => Uint8Array): (request: Decoded<T>) => Buffer {
	return request => {
		if (!request.ok) {
			throw new Error(`cannot send an undecodable request: ${request.problem}`);
		}

		return asBuffer(encode(request.value));
	};
}

export const TRACE_EXPORT: MethodDefinition<Decoded<OtlpTracesJson>, TraceExportResponse> = {
	path: TRACE_EXPORT_PATH,
	requestStream: false,
	responseStream: false,
	requestSerialize: encodeOrRefuse(encodeExportTraceRequest),
	requestDeserialize: decodeWith(decodeExportTraceRequest, OtlpProtobufError),
	responseSerialize: response => asBuffer(encodeExportTraceResponse(response.partialSuccess)),
	responseDeserialize: bytes => decodeExportTraceResponse(bytes),
};

export const LOGS_EXPORT: MethodDefinition<Decoded<OtlpLogsJson>, LogsExportResponse> = {
	path: LOGS_EXPORT_PATH,
	requestStream: false,
	responseStream: false,
	requestSerialize: encodeOrRefuse(encodeExportLogsRequest),
	requestDeserialize: decodeWith(decodeExportLogsRequest, OtlpProtobufError),
	responseSerialize: response => asBuffer(encodeExportLogsResponse(response.partialSuccess)),
	responseDeserialize: bytes => decodeExportLogsResponse(bytes),
};

/** Metrics are counted, not decoded: the request is its number of data points. */
export const METRICS_EXPORT: MethodDefinition<Decoded<number>, MetricsExportResponse> = {
	path: METRICS_EXPORT_PATH,
	requestStream: false,
	responseStream: false,
	requestSerialize: () => {
		throw new Error('tracedeck does not send metrics');
	},
	requestDeserialize: decodeWith(countProtobufDataPoints, OtlpMetricsError),
	responseSerialize: response => asBuffer(encodeExportMetricsResponse(response.partialSuccess)),
	responseDeserialize: bytes => ({partialSuccess: decodeExportMetricsResponse(bytes).partialSuccess ?? {rejectedDataPoints: 0, errorMessage: ''}}),
};
