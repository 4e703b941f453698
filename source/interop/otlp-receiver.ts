import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import https from 'node:https';
import type {AddressInfo, Socket} from 'node:net';
import {sanitize, sanitizeMessage} from '../core/sanitize.js';
import {invalidUtf8Offset} from '../core/utf8.js';
import type {EventSink} from '../live/event-sink.js';
import {yieldToEventLoop} from '../live/sleep.js';
import {BEARER_CHALLENGE, BearerToken} from './bearer-token.js';
import {CorsPolicy} from './cors.js';
import {IntakeError, SHED_RETRY_AFTER_SECONDS, SLICE_SPANS, TraceIntake, type Admission, type IntakeFailure, type ReceiverMetrics} from './otlp-intake.js';
import {decodeExportLogsRequest, encodeExportLogsResponse, exportLogsResponseJson} from './otlp-logs-protobuf.js';
import {countJsonDataPoints, countProtobufDataPoints, encodeExportMetricsResponse, exportMetricsResponseJson, MetricsRejection, OtlpMetricsError} from './otlp-metrics-rejection.js';
import {encodeRpcStatus} from './google-rpc-status.js';
import {decodeExportTraceRequestInSlices, encodeExportTraceResponse, OtlpProtobufError, type PartialSuccess} from './otlp-protobuf.js';
import {BodyError, readRequestBody} from './request-body.js';
import type {TlsFiles} from './tls-files.js';

export type {ReceiverMetrics} from './otlp-intake.js';

/** Traces go to a sink through an intake of the receiver's own, or through one shared with the gRPC server (one limit for both). */
type TraceDestination = {sink: EventSink; intake?: never; maxInFlight?: number; maxInFlightBytes?: number} | {intake: TraceIntake; sink?: never};

/** What GET /healthz reports: whether the store answers a read. */
export type HealthCheck = () => Promise<{ok: true} | {ok: false; problem: string}>;

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
	/** Required as `Authorization: Bearer <token>` on every path but /healthz (and CORS preflights); default none. */
	token?: string;
	/** Serve https with this certificate and key; default plain http. */
	tls?: TlsFiles;
	/** Without it, /healthz says ok as long as the receiver answers. */
	health?: HealthCheck;
	/** Connections at once; a request on one more is answered 503 with Retry-After and the connection closed. Default 256. */
	maxConnections?: number;
	/** Request headers must arrive within this (slow-loris); Node answers 408. Default 10 s. */
	headersTimeoutMs?: number;
	/** A whole request (headers and body) must arrive within this; Node answers 408. Default 120 s. */
	requestTimeoutMs?: number;
	/** A body that stops arriving for this long is answered 408 and its connection closed. Default 10 s. */
	bodyIdleTimeoutMs?: number;
};

export interface OtlpReceiver {
	/** e.g. http://127.0.0.1:4318 */
	readonly url: string;
	readonly port: number;
	/** Stop accepting, let requests in flight finish (up to `graceMs`), then close every connection. */
	close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const DEFAULT_BODY_IDLE_TIMEOUT_MS = 10_000;
/**
 * How long a kept-alive connection may sit idle. Node's 5 s default fires late when the loop was busy (a
 * big export storing), and then closes a socket whose client has already sent its next request: the
 * client sees ECONNRESET and its export is lost or resent. A minute outlasts any one stored part, and
 * idle sockets stay under maxConnections.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
export const TRACES_PATH = '/v1/traces';
export const LOGS_PATH = '/v1/logs';
/** OTLP metrics, answered with a rejection (not to be confused with METRICS_PATH, tracedeck's own). */
export const OTLP_METRICS_PATH = '/v1/metrics';
export const METRICS_PATH = '/metrics';
/** Liveness and store reachability, for load balancers and orchestrators: no token needed. */
export const HEALTH_PATH = '/healthz';
/** The OTLP signal paths a browser exporter may post to; CORS covers these. */
const OTLP_PATHS = new Set([TRACES_PATH, LOGS_PATH, OTLP_METRICS_PATH]);

type Encoding = 'json' | 'protobuf';

// google.rpc.Code values for the Status body of error answers.
const RPC_CODE: Record<number, number> = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 408: 4, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14};
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

/**
 * JSON.parse is one call (about 20 ms a megabyte); protobuf trace requests
 * are decoded in slices, with pauses. Another signal's protobuf decoder may
 * be given (logs), decoded in one call.
 */
async function decodeExportBody(body: Buffer, encoding: Encoding, decodeProtobuf?: (body: Buffer) => unknown): Promise<unknown> {
	if (encoding === 'json') {
		return parseJson(body);
	}

	try {
		return decodeProtobuf ? decodeProtobuf(body) : await decodeExportTraceRequestInSlices(body, yieldToEventLoop, SLICE_SPANS);
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

/** One OTLP signal path: what to do with a body that has been read (within every limit) in one of OTLP's encodings. */
type ReceiveExport = (body: Buffer, encoding: Encoding, response: ServerResponse) => Promise<void>;

/**
 * The node:http handler: POST /v1/traces, /v1/logs and /v1/metrics (JSON or protobuf,
 * gzip or not), GET /metrics, GET /healthz, CORS preflights. Whatever path
 * is added to `exports` gets the same token check, admission (exports and
 * bytes in flight), body limits and timeouts.
 */
export function createOtlpHandler(options: OtlpReceiverOptions): (request: IncomingMessage, response: ServerResponse) => void {
	const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const bodyIdleMs = options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const {metrics, health} = options;
	const intake = options.intake ?? new TraceIntake({sink: options.sink, metrics, log, now: options.now, maxInFlight: options.maxInFlight, maxInFlightBytes: options.maxInFlightBytes});
	const metricsRejection = options.metricsRejection ?? new MetricsRejection(log);
	const cors = options.cors ?? CorsPolicy.OFF;
	const token = options.token === undefined ? undefined : new BearerToken(options.token);

	const readBody = async (request: IncomingMessage, admission: Admission): Promise<Buffer> => {
		try {
			return await readRequestBody(request, maxBodyBytes, {onBytes: bytes => admission.grow(bytes), idleMs: bodyIdleMs});
		} catch (error) {
			if (error instanceof BodyError) {
				// The rest of the body is not read: close the connection rather than parse it as the next request.
				throw new HttpError(error.status, error.message, error.status === 400 ? {} : {Connection: 'close'});
			}

			throw error;
		}
	};

	const receiveTraces: ReceiveExport = async (body, encoding, response) => {
		sendExportResponse(response, encoding, await intake.store(await decodeExportBody(body, encoding)));
	};

	// As receiveTraces, for OTLP logs: the same limits, body rules and answers.
	const receiveLogs: ReceiveExport = async (body, encoding, response) => {
		const partial = await intake.storeLogs(await decodeExportBody(body, encoding, decodeExportLogsRequest));
		if (encoding === 'protobuf') {
			send(response, 200, 'application/x-protobuf', encodeExportLogsResponse(partial));
		} else {
			send(response, 200, 'application/json', JSON.stringify(exportLogsResponseJson(partial)));
		}
	};

	const receiveMetrics: ReceiveExport = async (body, encoding, response) => {
		const rejection = metricsRejection.reject(countDataPoints(body, encoding), `OTLP/HTTP ${OTLP_METRICS_PATH}`);
		if (encoding === 'protobuf') {
			send(response, 200, 'application/x-protobuf', encodeExportMetricsResponse(rejection));
		} else {
			send(response, 200, 'application/json', JSON.stringify(exportMetricsResponseJson(rejection)));
		}
	};

	const exports = new Map<string, ReceiveExport>([
		[TRACES_PATH, receiveTraces],
		[LOGS_PATH, receiveLogs],
		[OTLP_METRICS_PATH, receiveMetrics],
	]);

	/** An OTLP export: POST, a body in one of OTLP's encodings; failures answered in that encoding and counted. */
	const receiveExport = async (request: IncomingMessage, response: ServerResponse, path: string, receive: ReceiveExport): Promise<void> => {
		const encoding = encodingOf(request.headers['content-type']);
		let admission: Admission | undefined;
		let bodyRead = false;
		try {
			if (request.method !== 'POST') {
				throw new HttpError(405, `${path} takes POST`, {Allow: 'POST'});
			}

			if (!encoding) {
				throw new HttpError(415, `Content-Type "${request.headers['content-type'] ?? ''}" is not supported; send application/json or application/x-protobuf`, {Connection: 'close'});
			}

			// Taken before the body is read: a body held in memory is what the limits protect.
			admission = intake.admit();
			const body = await readBody(request, admission);
			bodyRead = true;
			await receive(body, encoding, response);
		} catch (error) {
			intake.recordFailure();
			let answer = error instanceof IntakeError ? httpErrorOf(error) : error;
			if (answer instanceof HttpError && !bodyRead && !request.complete) {
				// Turned away before its body was read: not worth reading only to discard it.
				answer = new HttpError(answer.status, answer.message, {Connection: 'close', ...answer.headers});
			}

			if (answer instanceof HttpError && !response.headersSent) {
				sendError(response, answer, encoding);
				return;
			}

			throw answer;
		} finally {
			admission?.release();
		}
	};

	const answerHealth = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			throw new HttpError(405, `${HEALTH_PATH} takes GET`, {Allow: 'GET, HEAD'});
		}

		const report = (await health?.()) ?? {ok: true};
		send(response, report.ok ? 200 : 503, 'application/json', JSON.stringify(report.ok ? {status: 'ok'} : {status: 'unavailable', store: report.problem}), report.ok ? {} : {'Retry-After': String(SHED_RETRY_AFTER_SECONDS)});
	};

	const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		// The request-target as sent, without its query; never parsed as a URL, so no input can make this throw.
		const path = (request.url ?? '/').split('?')[0]!;
		if (path === HEALTH_PATH) {
			await answerHealth(request, response);
			return;
		}

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

		// Before anything else is looked at, on every path (unknown ones too: a 404 would tell what exists).
		if (token && !token.accepts(request.headers.authorization)) {
			intake.recordFailure();
			throw new HttpError(401, 'missing or wrong bearer token; send Authorization: Bearer <token> (the token tracedeck serve was started with)', {'WWW-Authenticate': BEARER_CHALLENGE, Connection: 'close'});
		}

		const receive = exports.get(path);
		if (receive) {
			await receiveExport(request, response, path, receive);
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

			log(sanitize(`tracedeck serve: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
			sendError(response, new HttpError(500, "internal error; see the receiver's log"), encodingOf(request.headers['content-type']));
		});
	};
}

/**
 * Connections that have sent a request, at most `max` at once: a request on
 * one more is answered 503 with Retry-After (OTLP senders retry it) and its
 * connection closed, rather than letting their number, and the memory they
 * hold, grow without bound. Connections that never send headers are the
 * headers timeout's.
 */
function connectionLimit(max: number): (request: IncomingMessage, response: ServerResponse) => boolean {
	const open = new Set<Socket>();
	return (request, response) => {
		const socket = request.socket;
		if (open.has(socket)) {
			return true;
		}

		if (open.size >= max) {
			const message = `tracedeck serve has ${max} connections open, its limit; retry in ${SHED_RETRY_AFTER_SECONDS} s`;
			send(response, 503, 'application/json', JSON.stringify({code: RPC_CODE[503], message}), {'Retry-After': String(SHED_RETRY_AFTER_SECONDS), Connection: 'close'});
			return false;
		}

		open.add(socket);
		socket.once('close', () => open.delete(socket));
		return true;
	};
}

/** Start the OTLP/HTTP receiver; resolves once it listens. */
export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
	const handle = createOtlpHandler(options);
	const admitConnection = connectionLimit(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
	let closing = false;
	/** Requests not yet answered, so that close() can have each one's connection end with its answer. */
	const unanswered = new Set<ServerResponse>();
	const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
		if (!admitConnection(request, response)) {
			return;
		}

		if (closing) {
			// Answer what is in flight, but let no connection stay open for another request.
			response.setHeader('Connection', 'close');
		}

		unanswered.add(response);
		response.once('close', () => {
			unanswered.delete(response);
			if (closing) {
				// Its connection is idle now (a kept-alive one whose answer had left before close): end it.
				setImmediate(() => server.closeIdleConnections());
			}
		});
		handle(request, response);
	};

	const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
	const requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
	const timeouts = {
		headersTimeout,
		requestTimeout,
		keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
		// Node checks both timeouts on this interval (30 s by default), which would let a slow sender overstay them.
		connectionsCheckingInterval: Math.min(1000, headersTimeout),
	};
	const server = options.tls ? https.createServer({...timeouts, cert: options.tls.cert, key: options.tls.key}, onRequest) : http.createServer(timeouts, onRequest);
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
		url: `${options.tls ? 'https' : 'http'}://${shown}:${port}`,
		port,
		async close(graceMs = 5000) {
			closing = true;
			// A request that came before close() and is still being stored: its answer closes its connection,
			// or a kept-alive client would hold close() open until the grace ran out.
			for (const response of unanswered) {
				if (!response.headersSent) {
					response.setHeader('Connection', 'close');
				}
			}

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
