import {logVerbosity, Server, ServerCredentials, setLogVerbosity, status as GrpcStatus, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall} from '@grpc/grpc-js';
import {LOGS_EXPORT, METRICS_EXPORT, TRACE_EXPORT, type Decoded, type LogsExportResponse, type MetricsExportResponse, type TraceExportResponse} from './otlp-grpc-service.js';
import {grpcErrorOf} from './otlp-grpc-status.js';
import {IntakeError, type TraceIntake} from './otlp-intake.js';
import type {OtlpTracesJson} from './otlp-json.js';
import type {OtlpLogsJson} from './otlp-logs-protobuf.js';
import type {MetricsRejection} from './otlp-metrics-rejection.js';
import {sanitize} from '../core/sanitize.js';

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
	log(sanitize(`tracedeck serve: internal error (gRPC): ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
	return {name: 'InternalError', message: 'internal error; see the receiver\'s log', code: GrpcStatus.INTERNAL, details: 'internal error; see the receiver\'s log'};
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

	const exportTraces = (call: ServerUnaryCall<Decoded<OtlpTracesJson>, TraceExportResponse>, callback: sendUnaryData<TraceExportResponse>): void => {
		exportSignal(call.request, callback, async value => intake.store(value));
	};

	const exportLogs = (call: ServerUnaryCall<Decoded<OtlpLogsJson>, LogsExportResponse>, callback: sendUnaryData<LogsExportResponse>): void => {
		exportSignal(call.request, callback, async value => intake.storeLogs(value));
	};

	/** Traces and logs alike: bad data refused, a place taken under the shared limit, stored, answered. */
	function exportSignal<T, P>(request: Decoded<T>, callback: sendUnaryData<{partialSuccess?: P}>, store: (value: T) => Promise<P | undefined>): void {
		let release: (() => void) | undefined;
		const answer = async (): Promise<{partialSuccess?: P}> => {
			if (!request.ok) {
				throw new IntakeError('invalid', request.problem);
			}

			release = intake.admit();
			const partialSuccess = await store(request.value);
			return partialSuccess ? {partialSuccess} : {};
		};

		answer().then(response => callback(null, response), (error: unknown) => {
			intake.recordFailure();
			callback(error instanceof IntakeError ? grpcErrorOf(error) : internalError(log, error));
		}).finally(() => release?.());
	}

	const exportMetrics = (call: ServerUnaryCall<Decoded<number>, MetricsExportResponse>, callback: sendUnaryData<MetricsExportResponse>): void => {
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
		server.bindAsync(`${shown}:${options.port ?? 4317}`, ServerCredentials.createInsecure(), (error, bound) => {
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
