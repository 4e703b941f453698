import type {IncomingMessage} from 'node:http';
import {promisify} from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);

/** A request whose body cannot be taken; `status` is the HTTP answer. */
export class BodyError extends Error {
	readonly status: 400 | 408 | 413 | 415;

	constructor(status: 400 | 408 | 413 | 415, message: string) {
		super(message);
		this.status = status;
	}
}

function tooLarge(maxBytes: number): BodyError {
	return new BodyError(413, `request body over the ${Math.round(maxBytes / (1024 * 1024))} MB limit; send smaller batches`);
}

export interface BodyOptions {
	/** Told of every chunk's size as it arrives (and of what gunzip adds); may throw to refuse the body. */
	onBytes?: (bytes: number) => void;
	/** A body that stops arriving for this long is refused with 408 (a slow or stalled sender holds a place). Default none. */
	idleMs?: number;
}

function idleTimeout(idleMs: number): BodyError {
	return new BodyError(408, `request body stalled: nothing received for ${idleMs / 1000} s`);
}

function readRaw(request: IncomingMessage, maxBytes: number, options: BodyOptions): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		let idle: NodeJS.Timeout | undefined;
		const {idleMs, onBytes} = options;
		const rearm = (): void => {
			if (idleMs !== undefined) {
				clearTimeout(idle);
				idle = setTimeout(() => finish(idleTimeout(idleMs)), idleMs);
			}
		};

		const finish = (error: Error | undefined, body?: Buffer): void => {
			if (done) {
				return;
			}

			done = true;
			clearTimeout(idle);
			request.off('data', onData);
			if (error) {
				// Stop reading: the answer goes out with Connection: close.
				request.pause();
				reject(error);
			} else {
				resolve(body!);
			}
		};

		const onData = (chunk: Buffer): void => {
			size += chunk.length;
			if (size > maxBytes) {
				finish(tooLarge(maxBytes));
				return;
			}

			try {
				onBytes?.(chunk.length);
			} catch (error) {
				finish(error as Error);
				return;
			}

			chunks.push(chunk);
			rearm();
		};

		rearm();
		request.on('data', onData);
		request.once('end', () => finish(undefined, Buffer.concat(chunks, size)));
		// A sender that hangs up mid-body is its own problem, not a server error: nobody reads the answer anyway.
		request.once('error', error => finish(new BodyError(400, `request body not received (${error.message})`)));
		request.once('aborted', () => finish(new BodyError(400, 'the client aborted the request')));
	});
}

/**
 * The request body, decompressed, at most `maxBytes` both on the wire and
 * after gunzip (a small gzip can inflate enormously). Identity and gzip are
 * the encodings OTLP/HTTP requires; anything else is a 415.
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number, options: BodyOptions = {}): Promise<Buffer> {
	const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
	if (!['identity', 'gzip', 'x-gzip', ''].includes(encoding)) {
		throw new BodyError(415, `Content-Encoding "${encoding}" is not supported; send gzip or no encoding`);
	}

	const declared = Number(request.headers['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) {
		throw tooLarge(maxBytes);
	}

	const raw = await readRaw(request, maxBytes, options);
	if (encoding !== 'gzip' && encoding !== 'x-gzip') {
		return raw;
	}

	let inflated: Buffer;
	try {
		inflated = await gunzip(raw, {maxOutputLength: maxBytes});
	} catch (error) {
		if ((error as {code?: string}).code === 'ERR_BUFFER_TOO_LARGE') {
			throw tooLarge(maxBytes);
		}

		throw new BodyError(400, `body is not valid gzip (${(error as Error).message})`);
	}

	// The compressed copy goes once this returns; the inflated one is what stays in memory.
	options.onBytes?.(Math.max(0, inflated.length - raw.length));
	return inflated;
}
