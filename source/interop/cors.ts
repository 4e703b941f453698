/**
 * Cross-origin requests from browser exporters (the OpenTelemetry web SDK
 * posts OTLP/JSON from the page's origin). Off unless origins are given;
 * an origin not given gets no CORS header at all, so the browser refuses.
 */

/** A --cors-origin value that is not an origin. */
export class CorsOriginError extends Error {}

const ANY = '*';
// RFC 9110 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Preflight answers are cached this long by the browser (Chromium caps it at 2 h). */
const MAX_AGE_SECONDS = 600;

/** scheme://host[:port] as browsers send it in Origin (lower case, default port dropped), or undefined. */
function normalizeOrigin(text: string): string | undefined {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return undefined;
	}

	// new URL gives an origin the path "/": anything longer is a page, not an origin.
	if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') {
		return undefined;
	}

	return url.origin;
}

export interface CorsPreflightAnswer {
	status: 204 | 403;
	headers: Record<string, string>;
}

export class CorsPolicy {
	private readonly origins: ReadonlySet<string>;
	private readonly any: boolean;

	/** @param origins normalized origins, or "*" for any; empty means cross-origin requests are off */
	private constructor(origins: readonly string[]) {
		this.any = origins.includes(ANY);
		this.origins = new Set(origins.filter(origin => origin !== ANY));
	}

	static readonly OFF = new CorsPolicy([]);

	/**
	 * From flag values: each repeatable, each a comma-separated list of
	 * origins (https://app.example.com, http://localhost:3000) or "*".
	 * @throws CorsOriginError naming the first value that is not an origin
	 */
	static parse(values: readonly string[]): CorsPolicy {
		const origins: string[] = [];
		for (const value of values) {
			for (const item of value
				.split(',')
				.map(part => part.trim())
				.filter(part => part !== '')) {
				if (item === ANY) {
					origins.push(ANY);
					continue;
				}

				const origin = normalizeOrigin(item);
				if (origin === undefined) {
					throw new CorsOriginError(`"${item}" is not an origin; give scheme://host[:port] with nothing after it (https://app.example.com, http://localhost:3000), or *`);
				}

				origins.push(origin);
			}
		}

		return new CorsPolicy(origins);
	}

	get enabled(): boolean {
		return this.any || this.origins.size > 0;
	}

	/** For the listening line: what is allowed. */
	describe(): string {
		return this.any ? 'any origin' : [...this.origins].join(', ');
	}

	/** The value of Access-Control-Allow-Origin for a request's Origin header, or undefined (no CORS headers). */
	private allowedOrigin(origin: string | undefined): string | undefined {
		if (origin === undefined) {
			return undefined;
		}

		if (this.any) {
			return ANY;
		}

		const normalized = normalizeOrigin(origin);
		return normalized !== undefined && this.origins.has(normalized) ? origin : undefined;
	}

	/** On every answer but "any origin"'s: a cache must not hand one origin's answer to another. */
	private vary(): Record<string, string> {
		return this.any ? {} : {Vary: 'Origin'};
	}

	/** Headers for an actual (non-preflight) response to a request from `origin`. */
	responseHeaders(origin: string | undefined): Record<string, string> {
		if (!this.enabled) {
			return {};
		}

		const allowed = this.allowedOrigin(origin);
		const vary = this.vary();
		if (allowed === undefined) {
			return vary;
		}

		// Retry-After is how OTLP/HTTP tells a sender when to come back; without this a page's script cannot read it.
		return {...vary, 'Access-Control-Allow-Origin': allowed, 'Access-Control-Expose-Headers': 'Retry-After'};
	}

	/** Whether a request is a CORS preflight (which carries no credentials and wants no body). */
	static isPreflight(method: string | undefined, origin: string | undefined, requestMethod: string | undefined): boolean {
		return method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined;
	}

	/**
	 * The answer to a preflight: 204 with the Access-Control-Allow-* headers
	 * for an allowed origin, else 403 without any (the browser then refuses
	 * the POST, as it should).
	 */
	preflight(origin: string | undefined, requestHeaders: string | undefined): CorsPreflightAnswer {
		const allowed = this.allowedOrigin(origin);
		const vary = this.vary();
		if (allowed === undefined) {
			return {status: 403, headers: vary};
		}

		// The exporter's own headers (Content-Type, and any configured ones such as Authorization) are allowed: the origin is what is checked.
		const asked = (requestHeaders ?? '')
			.split(',')
			.map(name => name.trim())
			.filter(name => HEADER_NAME.test(name));
		return {
			status: 204,
			headers: {
				...vary,
				'Access-Control-Allow-Origin': allowed,
				'Access-Control-Allow-Methods': 'POST',
				...(asked.length > 0 ? {'Access-Control-Allow-Headers': asked.join(', ')} : {}),
				'Access-Control-Max-Age': String(MAX_AGE_SECONDS),
			},
		};
	}
}
