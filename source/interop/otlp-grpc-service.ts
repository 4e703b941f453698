import type {MethodDefinition} from '@grpc/grpc-js';
import {decodeExportLogsResponse, encodeExportLogsResponse, type LogsPartialSuccess} from './otlp-logs-protobuf.js';
import {countProtobufDataPoints, decodeExportMetricsResponse, encodeExportMetricsResponse, OtlpMetricsError, type MetricsPartialSuccess} from './otlp-metrics-rejection.js';
import {decodeExportTraceResponse, encodeExportTraceResponse, type PartialSuccess} from './otlp-protobuf.js';

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

/**
 * Trace requests reach the handler as their bytes: grpc-js calls a
 * deserializer synchronously, and a request of 100,000 spans takes seconds
 * to decode, so the handler decodes it in slices (decodeExportTraceRequestInSlices).
 */
export const TRACE_EXPORT: MethodDefinition<Buffer, TraceExportResponse> = {
	path: TRACE_EXPORT_PATH,
	requestStream: false,
	responseStream: false,
	requestSerialize: bytes => bytes,
	requestDeserialize: bytes => bytes,
	responseSerialize: response => asBuffer(encodeExportTraceResponse(response.partialSuccess)),
	responseDeserialize: bytes => decodeExportTraceResponse(bytes),
};

/** Log requests too reach the handler as their bytes, so that they are counted against the bytes in flight as traces are. */
export const LOGS_EXPORT: MethodDefinition<Buffer, LogsExportResponse> = {
	path: LOGS_EXPORT_PATH,
	requestStream: false,
	responseStream: false,
	requestSerialize: bytes => bytes,
	requestDeserialize: bytes => bytes,
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
