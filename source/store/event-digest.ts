import {createHash} from 'node:crypto';

/**
 * Identity of an event: ingesting the same event twice stores it once. The
 * body is hashed as serialized; the edges bound data depth (interop/json-depth.ts, core/redact.ts)
 * so that serialization never overflows.
 */
export function eventDigest(body: string): string {
	return createHash('sha1').update(body).digest('base64url');
}
