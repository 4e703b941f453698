import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {StoreError} from '../core/errors.js';
import type {TraceEvent} from '../core/trace-event.js';
import {convertOtlpBatch, type OtlpBatch} from './otlp-batch.js';
import {decodeExportTraceRequest, encodeExportTraceResponse, encodeRpcStatus, OtlpProtobufError, type PartialSuccess} from './otlp-protobuf.js';
import {OtlpParseError} from './otlp-to-events.js';
import {BodyError, readRequestBody} from './request-body.js';

/** Where received events go: the EventWriter (SQLite, then Redis). */
export interface EventSink {
	write(events: readonly TraceEvent[]): Promise<unknown>;
}

/** What the receiver reports to, and what GET /metrics renders. */
export interface ReceiverMetrics {
	recordEvents(n: number): void;
	recordIngestError(): void;
	/** From the newest event's own timestamp to its being stored and published: how far behind the live view runs. */
	observeStreamLatency(ms: number): void;
	readonly contentType: string;
	render(): Promise<string>;
}

export interface OtlpReceiverOptions {
	sink: EventSink;
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
}

export interface OtlpReceiver {
	/** e.g. http://127.0.0.1:4318 */
	readonly url: string;
	readonly port: number;
	/** Stop accepting, let requests in flight finish (up to `graceMs`), then close every connection. */
	close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const TRACES_PATH = '/v1/traces';
export const METRICS_PATH = '/metrics';

type Encoding = 'json' | 'protobuf';

// google.rpc.Code values for the Status body of error answers.
const RPC_CODE: Record<number, number> = {400: 3, 404: 5, 405: 12, 413: 8, 415: 3, 500: 13, 503: 14};

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

/** Busy, locked, full or failing disks pass; a sender should retry later. Anything else is our bug. */
function isTransientStoreFailure(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return error instanceof StoreError || (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN)/.test(code));
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
	response.writeHead(status, {'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), ...headers});
	response.end(body);
}

/** An error answer as OTLP/HTTP has it: a google.rpc.Status in the request's encoding. */
function sendError(response: ServerResponse, error: HttpError, encoding: Encoding | undefined): void {
	const code = RPC_CODE[error.status] ?? 2;
	if (encoding === 'protobuf') {
		send(response, error.status, 'application/x-protobuf', encodeRpcStatus(code, error.message), error.headers);
	} else {
		send(response, error.status, 'application/json', JSON.stringify({code, message: error.message}), error.headers);
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

function parseBody(body: Buffer, encoding: Encoding): OtlpBatch {
	let document: unknown;
	if (encoding === 'json') {
		try {
			document = JSON.parse(body.toString('utf8'));
		} catch (error) {
			throw new HttpError(400, `body is not JSON (${(error as Error).message})`);
		}
	} else {
		try {
			document = decodeExportTraceRequest(body);
		} catch (error) {
			throw error instanceof OtlpProtobufError ? new HttpError(400, error.message) : error;
		}
	}

	try {
		return convertOtlpBatch(document);
	} catch (error) {
		throw error instanceof OtlpParseError ? new HttpError(400, `invalid OTLP: ${error.message}`) : error;
	}
}

/** The node:http handler: POST /v1/traces (JSON or protobuf, gzip or not) and GET /metrics. */
export function createOtlpHandler(options: OtlpReceiverOptions): (request: IncomingMessage, response: ServerResponse) => void {
	const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const now = options.now ?? Date.now;
	const {metrics, sink} = options;

	const receiveTraces = async (request: IncomingMessage, response: ServerResponse, encoding: Encoding): Promise<void> => {
		let body: Buffer;
		try {
			body = await readRequestBody(request, maxBodyBytes);
		} catch (error) {
			if (error instanceof BodyError) {
				// The rest of the body is not read: close the connection rather than parse it as the next request.
				throw new HttpError(error.status, error.message, error.status === 400 ? {} : {Connection: 'close'});
			}

			throw error;
		}

		const batch = parseBody(body, encoding);
		if (batch.events.length === 0 && batch.rejectedSpans > 0) {
			throw new HttpError(400, batch.errorMessage);
		}

		if (batch.events.length > 0) {
			try {
				await sink.write(batch.events);
			} catch (error) {
				const message = error instanceof Error ? error.message : String(error);
				log(`tracedeck serve: could not store ${batch.events.length} events: ${message}`);
				throw isTransientStoreFailure(error)
					? new HttpError(503, `could not store the spans, retry later: ${message}`, {'Retry-After': '5'})
					: new HttpError(500, `could not store the spans: ${message}`);
			}

			// Received, duplicates included: a sender's retry is traffic too.
			metrics?.recordEvents(batch.events.length);
			const newest = batch.events.reduce((max, event) => Math.max(max, Date.parse(event.timestamp)), 0);
			metrics?.observeStreamLatency(Math.max(0, now() - newest));
		}

		if (batch.rejectedSpans > 0) {
			metrics?.recordIngestError();
		}

		sendExportResponse(response, encoding, batch.rejectedSpans > 0 ? {rejectedSpans: batch.rejectedSpans, errorMessage: batch.errorMessage} : undefined);
	};

	const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		// The request-target as sent, without its query; never parsed as a URL, so no input can make this throw.
		const path = (request.url ?? '/').split('?')[0]!;
		if (path === TRACES_PATH) {
			const encoding = encodingOf(request.headers['content-type']);
			try {
				if (request.method !== 'POST') {
					throw new HttpError(405, `${TRACES_PATH} takes POST`, {Allow: 'POST'});
				}

				if (!encoding) {
					throw new HttpError(415, `Content-Type "${request.headers['content-type'] ?? ''}" is not supported; send application/json or application/x-protobuf`, {Connection: 'close'});
				}

				await receiveTraces(request, response, encoding);
			} catch (error) {
				metrics?.recordIngestError();
				if (error instanceof HttpError && !response.headersSent) {
					sendError(response, error, encoding);
					return;
				}

				throw error;
			}

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

			log(`tracedeck serve: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
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
