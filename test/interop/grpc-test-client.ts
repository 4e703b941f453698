import http2 from 'node:http2';
import net from 'node:net';
import zlib from 'node:zlib';
import {credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError} from '@grpc/grpc-js';

/** A port nothing listens on right now (for a server that takes no "0 picks one", such as serve's --grpc-port). */
export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** A grpc-js client for one unary method that sends and receives raw bytes, so tests choose every byte (malformed ones too). */
export interface RawClient {
	call(bytes: Uint8Array): Promise<{response?: Buffer; error?: ServiceError}>;
	close(): void;
}

/** `token` goes as `authorization: Bearer <token>` metadata; `ca` turns on TLS, trusting that certificate (issued for localhost). */
export function rawClient(address: string, path: string, options: {token?: string; ca?: Buffer} = {}): RawClient {
	const Constructor = makeGenericClientConstructor(
		{
			export: {path, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity},
		},
		'RawExport',
	);
	const channel = options.ca ? credentials.createSsl(options.ca) : credentials.createInsecure();
	const client = new Constructor(address, channel, options.ca ? {'grpc.ssl_target_name_override': 'localhost'} : {}) as unknown as Client & {
		export(request: Buffer, metadata: Metadata, callback: (error: ServiceError | null, response?: Buffer) => void): void;
	};
	const metadata = new Metadata();
	if (options.token !== undefined) {
		metadata.set('authorization', `Bearer ${options.token}`);
	}

	return {
		call: bytes =>
			new Promise(resolve => {
				client.export(Buffer.from(bytes), metadata, (error, response) => resolve(error ? {error} : {response: response!}));
			}),
		close: () => client.close(),
	};
}

export interface Http2Answer {
	httpStatus: number;
	grpcStatus: number;
	grpcMessage: string;
	/** The response message, unframed, when there was one. */
	message: Buffer | undefined;
	headers: http2.IncomingHttpHeaders;
}

/**
 * One gRPC call by hand over HTTP/2: the message framed with its
 * compressed flag set and `grpc-encoding: gzip` when `gzip` is true, so a
 * test knows the server really got a compressed message.
 */
export async function http2Call(address: string, path: string, message: Uint8Array, options: {gzip?: boolean} = {}): Promise<Http2Answer> {
	const payload = options.gzip ? zlib.gzipSync(message) : Buffer.from(message);
	const frame = Buffer.alloc(5 + payload.length);
	frame.writeUInt8(options.gzip ? 1 : 0, 0);
	frame.writeUInt32BE(payload.length, 1);
	payload.copy(frame, 5);
	const session = http2.connect(`http://${address}`);
	try {
		return await new Promise<Http2Answer>((resolve, reject) => {
			session.once('error', reject);
			const stream = session.request({
				':method': 'POST',
				':path': path,
				'content-type': 'application/grpc',
				te: 'trailers',
				...(options.gzip ? {'grpc-encoding': 'gzip'} : {}),
			});
			let headers: http2.IncomingHttpHeaders = {};
			let trailers: http2.IncomingHttpHeaders = {};
			const chunks: Buffer[] = [];
			stream.on('response', received => {
				headers = received;
			});
			stream.on('trailers', received => {
				trailers = received;
			});
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.once('error', reject);
			stream.once('end', () => {
				const body = Buffer.concat(chunks);
				// A trailers-only answer carries the status in the headers.
				const status = trailers['grpc-status'] ?? headers['grpc-status'];
				const text = trailers['grpc-message'] ?? headers['grpc-message'];
				resolve({
					httpStatus: Number(headers[':status']),
					grpcStatus: Number(status),
					grpcMessage: decodeURIComponent(String(text ?? '')),
					message: body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : undefined,
					headers: {...headers, ...trailers},
				});
			});
			stream.end(frame);
		});
	} finally {
		session.close();
	}
}
