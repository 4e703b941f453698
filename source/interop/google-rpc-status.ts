import protobuf from 'protobufjs';

/*
 * google.rpc.Status and the one detail tracedeck sends in it, RetryInfo
 * (googleapis google/rpc/status.proto, error_details.proto; Any and Duration
 * from google/protobuf): the body OTLP/HTTP puts on an error response, and
 * gRPC's grpc-status-details-bin trailer. Transcribed once, for both.
 */
const RPC_PROTO = `
syntax = "proto3";
package google.rpc;
message Any {
  string type_url = 1;
  bytes value = 2;
}
message Status {
  int32 code = 1;
  string message = 2;
  repeated Any details = 3;
}
message Duration {
  int64 seconds = 1;
  int32 nanos = 2;
}
message RetryInfo {
  Duration retry_delay = 1;
}
`;

const root = protobuf.parse(RPC_PROTO).root;
const statusType = root.lookupType('google.rpc.Status');
const retryInfoType = root.lookupType('google.rpc.RetryInfo');
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** A google.rpc.Any: a message of another type, named by its type URL. */
export interface RpcAny {
	typeUrl: string;
	value: Uint8Array;
}

export function encodeRpcStatus(code: number, message: string, details: readonly RpcAny[] = []): Uint8Array {
	return statusType.encode(statusType.fromObject({code, message, details: [...details]})).finish();
}

/** For tests and tools: read a google.rpc.Status. */
export function decodeRpcStatus(body: Uint8Array): {code: number; message: string; details: RpcAny[]} {
	const object = statusType.toObject(statusType.decode(body), {arrays: true}) as {code?: number; message?: string; details: Array<{typeUrl?: string; value?: Uint8Array}>};
	return {code: object.code ?? 0, message: object.message ?? '', details: object.details.map(any => ({typeUrl: any.typeUrl ?? '', value: any.value ?? new Uint8Array()}))};
}

/** A RetryInfo detail: try again after `seconds`. */
export function retryInfo(seconds: number): RpcAny {
	return {typeUrl: RETRY_INFO_TYPE_URL, value: retryInfoType.encode(retryInfoType.fromObject({retryDelay: {seconds, nanos: 0}})).finish()};
}

/** The delay in seconds a RetryInfo among `details` asks for, if there is one. */
export function retryDelaySeconds(details: readonly RpcAny[]): number | undefined {
	for (const any of details) {
		if (any.typeUrl === RETRY_INFO_TYPE_URL) {
			const info = retryInfoType.toObject(retryInfoType.decode(any.value), {longs: Number}) as {retryDelay?: {seconds?: number; nanos?: number}};
			return (info.retryDelay?.seconds ?? 0) + (info.retryDelay?.nanos ?? 0) / 1e9;
		}
	}

	return undefined;
}
