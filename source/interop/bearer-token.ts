import {createHash, timingSafeEqual} from 'node:crypto';

/**
 * The one token serve takes (--token / TRACEDECK_TOKEN), checked the same
 * way on every OTLP/HTTP path, /metrics and OTLP/gRPC. The comparison is of
 * SHA-256 digests with timingSafeEqual: equal lengths whatever was sent, so
 * neither the token's length nor its first differing byte shows in the time
 * an answer takes.
 */
export class BearerToken {
	private readonly digest: Buffer;

	constructor(token: string) {
		this.digest = sha256(token);
	}

	/** Whether an Authorization header (or gRPC `authorization` metadata) carries this token: "Bearer <token>", scheme in any case. */
	accepts(authorization: string | undefined): boolean {
		const match = /^bearer +(.+)$/i.exec((authorization ?? '').trim());
		// Compared even when absent, so a missing header takes as long as a wrong one.
		return timingSafeEqual(sha256(match?.[1] ?? ''), this.digest) && match !== null;
	}
}

function sha256(text: string): Buffer {
	return createHash('sha256').update(text, 'utf8').digest();
}

/** The header of a 401: RFC 6750's challenge. */
export const BEARER_CHALLENGE = 'Bearer realm="tracedeck"';
