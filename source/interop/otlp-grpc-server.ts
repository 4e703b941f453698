import {logVerbosity, Server, ServerCredentials, setLogVerbosity, status as GrpcStatus, type Metadata, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall} from '@grpc/grpc-js';
import {sanitize} from '../core/sanitize.js';
import {yieldToEventLoop} from '../live/sleep.js';
import {BearerToken} from './bearer-token.js';
import {LOGS_EXPORT, METRICS_EXPORT, TRACE_EXPORT, type Decoded, type LogsExportResponse, type MetricsExportResponse, type TraceExportResponse} from './otlp-grpc-service.js';
import {grpcErrorOf} from './otlp-grpc-status.js';
import {IntakeError, SLICE_SPANS, type Admission, type TraceIntake} from './otlp-intake.js';
import type {MetricsRejection} from './otlp-metrics-rejection.js';
import {decodeExportLogsRequest} from './otlp-logs-protobuf.js';
import {decodeExportTraceRequestInSlices, OtlpProtobufError} from './otlp-protobuf.js';
import type {TlsFiles} from './tls-files.js';

export interface OtlpGrpcServerOptions {
	/** Shared with the HTTP receiver: the same validation, store writer and in-flight limit. */
	intake: TraceIntake;
	metricsRejection: MetricsRejection;
	/** Default 4317, OTLP/gRPC's port; 0 picks a free one. */
	port?: number;
	/** Default 127.0.0.1, as for HTTP: no authentication, so not exposed unless asked. */
	host?: string;
	/** Largest message accepted, before and after decompression (grpc-js checks both). Default 20 MB, as for HTTP. */
	maxMessageBytes?: number;
	/** One line per server-side failure. Default stderr. */
	log?: (line: string) => void;
	/** Required as `authorization: Bearer <token>` metadata on every call; default none. */
	token?: string;
	/** Serve TLS with this certificate and key; default plaintext. */
	tls?: TlsFiles;
}

export interface OtlpGrpcServer {
	/** host:port, as an OTLP/gRPC exporter's endpoint takes it (with http:// for plaintext). */
	readonly address: string;
	readonly port: number;
	/** Stop accepting, let calls in flight finish (up to `graceMs`), then cancel the rest. */
	close(graceMs?: number): Promise<void>;
}

/** A bind failure, with the errno code grpc-js leaves only in the message (so callers can say "port in use"). */
export class GrpcListenError extends Error {
	readonly code: string | undefined;

	constructor(message: string) {
		super(message);
		this.code = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOTFOUND)\b/.exec(message)?.[1] ?? (/Name resolution failed/.test(message) ? 'ENOTFOUND' : undefined);
	}
}

const DEFAULT_MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

function internalError(log: (line: string) => void, error: unknown): ServerErrorResponse {
	log(sanitize(`tracedeck serve: internal error (gRPC): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
	return {name: 'InternalError', message: "internal error; see the receiver's log", code: GrpcStatus.INTERNAL, details: "internal error; see the receiver's log"};
}

function credentialsOf(tls: TlsFiles | undefined): ServerCredentials {
	// No client certificates asked for: the bearer token is the client's credential.
	return tls ? ServerCredentials.createSsl(null, [{cert_chain: tls.cert, private_key: tls.key}], false) : ServerCredentials.createInsecure();
}

/** Start the OTLP/gRPC receiver (TraceService, LogsService and MetricsService); resolves once it listens. */
export async function startOtlpGrpcServer(options: OtlpGrpcServerOptions): Promise<OtlpGrpcServer> {
	const {intake, metricsRejection} = options;
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	// grpc-js prints its own copy of errors that are answered or reported here; GRPC_VERBOSITY still turns it back on.
	if (process.env['GRPC_VERBOSITY'] === undefined) {
		setLogVerbosity(logVerbosity.NONE);
	}

	const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
	const server = new Server({
		'grpc.max_receive_message_length': maxMessageBytes,
		// A partial success is a few hundred bytes; OTLP asks servers to stay within 4 MiB.
		'grpc.max_send_message_length': 4 * 1024 * 1024,
	});

	const token = options.token === undefined ? undefined : new BearerToken(options.token);
	/** Every call is checked before its handler runs; a service added here gets the same check. */
	const authorized = (metadata: Metadata): boolean => {
		const [value] = metadata.get('authorization');
		return token === undefined || token.accepts(typeof value === 'string' ? value : undefined);
	};

	const unauthenticated: ServerErrorResponse = {
		name: 'Unauthenticated',
		message: 'missing or wrong bearer token; send authorization: Bearer <token> metadata (the token tracedeck serve was started with)',
		code: GrpcStatus.UNAUTHENTICATED,
		details: 'missing or wrong bearer token; send authorization: Bearer <token> metadata (the token tracedeck serve was started with)',
	};

	/** Traces and logs alike: the token checked, a place taken for the request's bytes, decoded (bad data refused), stored, answered. */
	function exportSignal<P>(call: ServerUnaryCall<Buffer, {partialSuccess?: P}>, callback: sendUnaryData<{partialSuccess?: P}>, store: (bytes: Buffer) => Promise<P | undefined>): void {
		let admission: Admission | undefined;
		const answer = async (): Promise<{partialSuccess?: P}> => {
			// grpc-js has the whole message by now: its size is what it holds.
			admission = intake.admit(call.request.length);
			const partialSuccess = await store(call.request);
			return partialSuccess ? {partialSuccess} : {};
		};

		if (!authorized(call.metadata)) {
			intake.recordFailure();
			callback(unauthenticated);
			return;
		}

		answer()
			.then(
				response => callback(null, response),
				(error: unknown) => {
					intake.recordFailure();
					callback(error instanceof IntakeError ? grpcErrorOf(error) : internalError(log, error));
				},
			)
			.finally(() => admission?.release());
	}

	const invalid = (error: unknown): unknown => (error instanceof OtlpProtobufError ? new IntakeError('invalid', error.message) : error);

	const exportTraces = (call: ServerUnaryCall<Buffer, TraceExportResponse>, callback: sendUnaryData<TraceExportResponse>): void => {
		exportSignal(call, callback, async bytes => {
			let document;
			try {
				document = await decodeExportTraceRequestInSlices(bytes, yieldToEventLoop, SLICE_SPANS);
			} catch (error) {
				throw invalid(error);
			}

			return intake.store(document);
		});
	};

	const exportLogs = (call: ServerUnaryCall<Buffer, LogsExportResponse>, callback: sendUnaryData<LogsExportResponse>): void => {
		exportSignal(call, callback, async bytes => {
			let document;
			try {
				document = decodeExportLogsRequest(bytes);
			} catch (error) {
				throw invalid(error);
			}

			return intake.storeLogs(document);
		});
	};

	const exportMetrics = (call: ServerUnaryCall<Decoded<number>, MetricsExportResponse>, callback: sendUnaryData<MetricsExportResponse>): void => {
		if (!authorized(call.metadata)) {
			callback(unauthenticated);
			return;
		}

		const request = call.request;
		if (!request.ok) {
			callback(grpcErrorOf(new IntakeError('invalid', request.problem)));
			return;
		}

		callback(null, {partialSuccess: metricsRejection.reject(request.value, 'OTLP/gRPC MetricsService')});
	};

	server.addService({export: TRACE_EXPORT}, {export: exportTraces});
	server.addService({export: METRICS_EXPORT}, {export: exportMetrics});
	server.addService({export: LOGS_EXPORT}, {export: exportLogs});

	const host = options.host ?? '127.0.0.1';
	const shown = host.includes(':') ? `[${host}]` : host;
	const port = await new Promise<number>((resolve, reject) => {
		server.bindAsync(`${shown}:${options.port ?? 4317}`, credentialsOf(options.tls), (error, bound) => {
			if (error) {
				server.forceShutdown();
				reject(new GrpcListenError(error.message));
			} else {
				resolve(bound);
			}
		});
	});

	return {
		address: `${shown}:${port}`,
		port,
		async close(graceMs = 5000) {
			await new Promise<void>(resolve => {
				const timer = setTimeout(() => {
					server.forceShutdown();
					resolve();
				}, graceMs);
				timer.unref();
				server.tryShutdown(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		},
	};
}
