import {Metadata, status as GrpcStatus, type ServerErrorResponse, type ServiceError} from '@grpc/grpc-js';
import type {IntakeError, IntakeFailure} from './otlp-intake.js';
import {decodeRpcStatus, encodeRpcStatus, retryDelaySeconds, retryInfo} from './google-rpc-status.js';

/*
 * How OTLP/gRPC answers a failed export (opentelemetry-proto
 * docs/specification.md, "Failures" and "Throttling"): INVALID_ARGUMENT for
 * bad data, never retried; UNAVAILABLE, and RESOURCE_EXHAUSTED with a
 * RetryInfo, retried after its delay. The RetryInfo travels as a
 * google.rpc.Status in the grpc-status-details-bin trailer, where
 * grpc-go's status.FromError (the Collector's exporter) and the other SDKs
 * look for it.
 */

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

const CODE: Record<IntakeFailure, GrpcStatus> = {
	invalid: GrpcStatus.INVALID_ARGUMENT,
	overloaded: GrpcStatus.RESOURCE_EXHAUSTED,
	unavailable: GrpcStatus.UNAVAILABLE,
	internal: GrpcStatus.INTERNAL,
};

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

	return retryDelaySeconds(decodeRpcStatus(details).details);
}
