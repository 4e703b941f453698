import {Metadata, status as GrpcStatus, type ServerErrorResponse, type ServiceError} from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type {IntakeError, IntakeFailure} from './otlp-intake.js';
import {decodeRpcStatus, encodeRpcStatus, type RpcAny} from './otlp-protobuf.js';

/*
 * How OTLP/gRPC answers a failed export (opentelemetry-proto
 * docs/specification.md, "Failures" and "Throttling"): INVALID_ARGUMENT for
 * bad data, never retried; UNAVAILABLE, and RESOURCE_EXHAUSTED with a
 * RetryInfo, retried after its delay. The RetryInfo travels as a
 * google.rpc.Status in the grpc-status-details-bin trailer, where
 * grpc-go's status.FromError (the Collector's exporter) and the other SDKs
 * look for it.
 */

const RETRY_INFO_PROTO = `
syntax = "proto3";
package google.rpc;
message Duration {
  int64 seconds = 1;
  int32 nanos = 2;
}
message RetryInfo {
  Duration retry_delay = 1;
}
`;

const retryInfoType = protobuf.parse(RETRY_INFO_PROTO).root.lookupType('google.rpc.RetryInfo');
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

const CODE: Record<IntakeFailure, GrpcStatus> = {
	invalid: GrpcStatus.INVALID_ARGUMENT,
	overloaded: GrpcStatus.RESOURCE_EXHAUSTED,
	unavailable: GrpcStatus.UNAVAILABLE,
	internal: GrpcStatus.INTERNAL,
};

function retryInfo(seconds: number): RpcAny {
	return {typeUrl: RETRY_INFO_TYPE_URL, value: retryInfoType.encode(retryInfoType.fromObject({retryDelay: {seconds, nanos: 0}})).finish()};
}

/** The status a handler answers an IntakeError with. */
export function grpcErrorOf(error: IntakeError): ServerErrorResponse {
	const code = CODE[error.failure];
	const metadata = new Metadata();
	if (error.retryAfterSeconds !== undefined) {
		metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeRpcStatus(code, error.message, [retryInfo(error.retryAfterSeconds)])));
	}

	return {name: 'IntakeError', message: error.message, code, details: error.message, metadata};
}

/** For tests and tools: the retry delay in seconds a failed call carries, if any. */
export function retryDelaySecondsOf(error: ServiceError): number | undefined {
	const [details] = error.metadata.get(STATUS_DETAILS_KEY);
	if (!(details instanceof Buffer)) {
		return undefined;
	}

	for (const any of decodeRpcStatus(details).details) {
		if (any.typeUrl === RETRY_INFO_TYPE_URL) {
			const info = retryInfoType.toObject(retryInfoType.decode(any.value), {longs: Number}) as {retryDelay?: {seconds?: number; nanos?: number}};
			return (info.retryDelay?.seconds ?? 0) + (info.retryDelay?.nanos ?? 0) / 1e9;
		}
	}

	return undefined;
}
