/*
 * How long a sender waits before trying `tracedeck serve` again: exponential
 * backoff with jitter (so that runners cut off together do not come back in
 * step), and never sooner than the server's Retry-After when it shed load
 * (429, 503).
 */

export interface BackoffOptions {
	/** The first wait, before jitter (default 200 ms). */
	baseMs?: number;
	/** The longest wait, before jitter (default 30 s). */
	maxMs?: number;
	/** The longest Retry-After honoured (default 5 min): a server asking for more is asked again then. */
	maxRetryAfterMs?: number;
}

/**
 * Milliseconds a Retry-After header asks for: delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3); undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
	if (header === null || header === undefined || header.trim() === '') {
		return undefined;
	}

	const text = header.trim();
	if (/^\d+$/.test(text)) {
		return Number(text) * 1000;
	}

	// An HTTP-date names its day and month; Date.parse would take "-1" as a year.
	const at = /^[A-Za-z]{3},/.test(text) ? Date.parse(text) : Number.NaN;
	return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before attempt `attempt + 1` (attempt 0 is the first retry):
 * base·2^attempt capped at max, scaled by a jitter in [0.5, 1); with a
 * Retry-After, at least that long, plus up to a tenth of it so a shed crowd
 * spreads out. `random` returns [0, 1).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random, options: BackoffOptions = {}): number {
	const base = options.baseMs ?? 200;
	const max = options.maxMs ?? 30_000;
	const exponential = Math.min(max, base * 2 ** Math.min(attempt, 30));
	const jittered = exponential * (0.5 + random() / 2);
	if (retryAfterMs === undefined) {
		return Math.round(jittered);
	}

	const asked = Math.min(retryAfterMs, options.maxRetryAfterMs ?? 300_000);
	return Math.round(asked + (asked / 10) * random());
}
