import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {sanitize, sanitizeMessage} from '../core/sanitize.js';
import {invalidUtf8Offset} from '../core/utf8.js';
import {CorsPolicy} from './cors.js';
import {IntakeError, TraceIntake, type EventSink, type IntakeFailure, type ReceiverMetrics} from './otlp-intake.js';
import {decodeExportLogsRequest, encodeExportLogsResponse, exportLogsResponseJson} from './otlp-logs-protobuf.js';
import {countJsonDataPoints, countProtobufDataPoints, encodeExportMetricsResponse, exportMetricsResponseJson, MetricsRejection, OtlpMetricsError} from './otlp-metrics-rejection.js';
import {decodeExportTraceRequest, encodeExportTraceResponse, encodeRpcStatus, OtlpProtobufError, type PartialSuccess} from './otlp-protobuf.js';
import {BodyError, readRequestBody} from './request-body.js';

export type {EventSink, ReceiverMetrics} from './otlp-intake.js';

/** Traces go to a sink through an intake of the receiver's own, or through one shared with the gRPC server (one limit for both). */
type TraceDestination = {sink: EventSink; intake?: never; maxInFlight?: number} | {intake: TraceIntake; sink?: never};

export type OtlpReceiverOptions = TraceDestination & {
	/** Default 4318, OTLP/HTTP's port; 0 picks a free one. */
	port?: number;
	/** Default 127.0.0.1: the receiver has no authentication, so it is not exposed unless asked. */
	host?: string;
	/** Largest body accepted, before and after gunzip. Default 20 MB. */
	maxBodyBytes?: number;
	/** Without it, GET /metrics is a 404. */
	metrics?: ReceiverMetrics;
	/** One line per server-side failure (5xx). Default stderr. */
	log?: (line: string) => void;
	now?: () => number;
	/** Which browser origins may post (preflight answered); default none. */
	cors?: CorsPolicy;
	/** Shared with the gRPC server so that serve warns once; default one of the receiver's own. */
	metricsRejection?: MetricsRejection;
};

export interface OtlpReceiver {
	/** e.g. http://127.0.0.1:4318 */
	readonly url: string;
	readonly port: number;
	/** Stop accepting, let requests in flight finish (up to `graceMs`), then close every connection. */
	close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const TRACES_PATH = '/v1/traces';
export const LOGS_PATH = '/v1/logs';
/** OTLP metrics, answered with a rejection (not to be confused with METRICS_PATH, tracedeck's own). */
export const OTLP_METRICS_PATH = '/v1/metrics';
export const METRICS_PATH = '/metrics';
/** The OTLP signal paths a browser exporter may post to; CORS covers these. */
const OTLP_PATHS = new Set([TRACES_PATH, LOGS_PATH, OTLP_METRICS_PATH]);

type Encoding = 'json' | 'protobuf';

// google.rpc.Code values for the Status body of error answers.
const RPC_CODE: Record<number, number> = {400: 3, 403: 7, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14};
const HTTP_STATUS: Record<IntakeFailure, number> = {invalid: 400, overloaded: 429, unavailable: 503, internal: 500};

function encodingOf(contentType: string | undefined): Encoding | undefined {
	const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
	if (type === 'application/json') {
		return 'json';
	}

	if (type === 'application/x-protobuf' || type === 'application/protobuf') {
		return 'protobuf';
	}

	return undefined;
}

class HttpError extends Error {
	readonly status: number;
	readonly headers: Record<string, string>;

	constructor(status: number, message: string, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.headers = headers;
	}
}

function httpErrorOf(error: IntakeError): HttpError {
	return new HttpError(HTTP_STATUS[error.failure], error.message, error.retryAfterSeconds === undefined ? {} : {'Retry-After': String(error.retryAfterSeconds)});
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
	response.writeHead(status, {'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), ...headers});
	response.end(body);
}

/** An error answer as OTLP/HTTP has it: a google.rpc.Status in the request's encoding. */
function sendError(response: ServerResponse, error: HttpError, encoding: Encoding | undefined): void {
	const code = RPC_CODE[error.status] ?? 2;
	// Messages quote what the client sent (a JSON parser's complaint, a header): one line, no terminal escapes.
	const message = sanitizeMessage(error.message);
	if (encoding === 'protobuf') {
		send(response, error.status, 'application/x-protobuf', encodeRpcStatus(code, message), error.headers);
	} else {
		send(response, error.status, 'application/json', JSON.stringify({code, message}), error.headers);
	}
}

function sendExportResponse(response: ServerResponse, encoding: Encoding, partial: PartialSuccess | undefined): void {
	if (encoding === 'protobuf') {
		send(response, 200, 'application/x-protobuf', encodeExportTraceResponse(partial));
		return;
	}

	// OTLP/JSON writes int64 as a decimal string.
	const body = partial ? {partialSuccess: {rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage}} : {};
	send(response, 200, 'application/json', JSON.stringify(body));
}

function parseJson(body: Buffer): unknown {
	const badByte = invalidUtf8Offset(body);
	if (badByte !== undefined) {
		throw new HttpError(400, `body is not valid UTF-8 (byte ${badByte}); JSON is UTF-8, so nothing of it was stored`);
	}

	try {
		return JSON.parse(body.toString('utf8'));
	} catch (error) {
		throw new HttpError(400, `body is not JSON (${(error as Error).message})`);
	}
}

function decodeExportBody(body: Buffer, encoding: Encoding, decodeProtobuf: (body: Buffer) => unknown = decodeExportTraceRequest): unknown {
	if (encoding === 'json') {
		return parseJson(body);
	}

	try {
		return decodeProtobuf(body);
	} catch (error) {
		throw error instanceof OtlpProtobufError ? new HttpError(400, error.message) : error;
	}
}

function countDataPoints(body: Buffer, encoding: Encoding): number {
	try {
		return encoding === 'json' ? countJsonDataPoints(parseJson(body)) : countProtobufDataPoints(body);
	} catch (error) {
		throw error instanceof OtlpMetricsError ? new HttpError(400, error.message) : error;
	}
}

/** The node:http handler: POST /v1/traces, /v1/logs and /v1/metrics (JSON or protobuf, gzip or not), GET /metrics, CORS preflights. */
export function createOtlpHandler(options: OtlpReceiverOptions): (request: IncomingMessage, response: ServerResponse) => void {
	const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const {metrics} = options;
	const intake = options.intake ?? new TraceIntake({sink: options.sink, metrics, log, now: options.now, maxInFlight: options.maxInFlight});
	const metricsRejection = options.metricsRejection ?? new MetricsRejection(log);
	const cors = options.cors ?? CorsPolicy.OFF;

	const readBody = async (request: IncomingMessage): Promise<Buffer> => {
		try {
			return await readRequestBody(request, maxBodyBytes);
		} catch (error) {
			if (error instanceof BodyError) {
				// The rest of the body is not read: close the connection rather than parse it as the next request.
				throw new HttpError(error.status, error.message, error.status === 400 ? {} : {Connection: 'close'});
			}

			throw error;
		}
	};

	const receiveTraces = async (request: IncomingMessage, response: ServerResponse, encoding: Encoding): Promise<void> => {
		// Taken before the body is read: a body held in memory is what the limit protects.
		let release: (() => void) | undefined;
		try {
			release = intake.admit();
			const document = decodeExportBody(await readBody(request), encoding);
			sendExportResponse(response, encoding, await intake.store(document));
		} catch (error) {
			throw error instanceof IntakeError ? httpErrorOf(error) : error;
		} finally {
			release?.();
		}
	};

	// As receiveTraces, for OTLP logs: the same limit, body rules and answers.
	const receiveLogs = async (request: IncomingMessage, response: ServerResponse, encoding: Encoding): Promise<void> => {
		let release: (() => void) | undefined;
		try {
			release = intake.admit();
			const partial = await intake.storeLogs(decodeExportBody(await readBody(request), encoding, decodeExportLogsRequest));
			if (encoding === 'protobuf') {
				send(response, 200, 'application/x-protobuf', encodeExportLogsResponse(partial));
			} else {
				send(response, 200, 'application/json', JSON.stringify(exportLogsResponseJson(partial)));
			}
		} catch (error) {
			throw error instanceof IntakeError ? httpErrorOf(error) : error;
		} finally {
			release?.();
		}
	};

	const receiveMetrics = async (request: IncomingMessage, response: ServerResponse, encoding: Encoding): Promise<void> => {
		const rejection = metricsRejection.reject(countDataPoints(await readBody(request), encoding), `OTLP/HTTP ${OTLP_METRICS_PATH}`);
		if (encoding === 'protobuf') {
			send(response, 200, 'application/x-protobuf', encodeExportMetricsResponse(rejection));
		} else {
			send(response, 200, 'application/json', JSON.stringify(exportMetricsResponseJson(rejection)));
		}
	};

	/** An OTLP export: POST, a body in one of OTLP's encodings; failures answered in that encoding and counted. */
	const receiveExport = async (request: IncomingMessage, response: ServerResponse, path: string, receive: typeof receiveTraces): Promise<void> => {
		const encoding = encodingOf(request.headers['content-type']);
		try {
			if (request.method !== 'POST') {
				throw new HttpError(405, `${path} takes POST`, {Allow: 'POST'});
			}

			if (!encoding) {
				throw new HttpError(415, `Content-Type "${request.headers['content-type'] ?? ''}" is not supported; send application/json or application/x-protobuf`, {Connection: 'close'});
			}

			await receive(request, response, encoding);
		} catch (error) {
			intake.recordFailure();
			if (error instanceof HttpError && !response.headersSent) {
				sendError(response, error, encoding);
				return;
			}

			throw error;
		}
	};

	const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		// The request-target as sent, without its query; never parsed as a URL, so no input can make this throw.
		const path = (request.url ?? '/').split('?')[0]!;
		if (OTLP_PATHS.has(path)) {
			const origin = request.headers.origin;
			if (CorsPolicy.isPreflight(request.method, origin, request.headers['access-control-request-method'])) {
				const answer = cors.preflight(origin, request.headers['access-control-request-headers']);
				if (answer.status === 403) {
					throw new HttpError(403, `cross-origin requests from this origin are not allowed; start tracedeck serve with --cors-origin <origin> to allow it`, answer.headers);
				}

				response.writeHead(204, answer.headers);
				response.end();
				return;
			}

			for (const [name, value] of Object.entries(cors.responseHeaders(origin))) {
				response.setHeader(name, value);
			}
		}

		if (path === TRACES_PATH) {
			await receiveExport(request, response, path, receiveTraces);
			return;
		}

		if (path === OTLP_METRICS_PATH) {
			await receiveExport(request, response, path, receiveMetrics);
			return;
		}

		if (path === LOGS_PATH) {
			await receiveExport(request, response, path, receiveLogs);
			return;
		}

		if (path === METRICS_PATH && metrics) {
			if (request.method !== 'GET' && request.method !== 'HEAD') {
				throw new HttpError(405, `${METRICS_PATH} takes GET`, {Allow: 'GET, HEAD'});
			}

			send(response, 200, metrics.contentType, await metrics.render());
			return;
		}

		throw new HttpError(404, `no such endpoint ${path}; OTLP traces go to POST ${TRACES_PATH}`);
	};

	return (request, response) => {
		route(request, response).catch((error: unknown) => {
			if (response.headersSent) {
				response.destroy();
				return;
			}

			if (error instanceof HttpError) {
				sendError(response, error, undefined);
				return;
			}

			log(sanitize(`tracedeck serve: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
			sendError(response, new HttpError(500, 'internal error; see the receiver\'s log'), encodingOf(request.headers['content-type']));
		});
	};
}

/** Start the OTLP/HTTP receiver; resolves once it listens. */
export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
	const handle = createOtlpHandler(options);
	let closing = false;
	const server = http.createServer((request, response) => {
		if (closing) {
			// Answer what is in flight, but let no connection stay open for another request.
			response.setHeader('Connection', 'close');
		}

		handle(request, response);
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 4318, host, () => {
			server.off('error', reject);
			resolve();
		});
	});

	const {port} = server.address() as AddressInfo;
	const shown = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shown}:${port}`,
		port,
		async close(graceMs = 5000) {
			closing = true;
			const closed = new Promise<void>(resolve => {
				server.close(() => resolve());
			});
			// Keep-alive connections with nothing in flight would hold close() open until they time out.
			server.closeIdleConnections();
			const timer = setTimeout(() => server.closeAllConnections(), graceMs);
			timer.unref();
			await closed;
			clearTimeout(timer);
		},
	};
}
