/**
 * W3C Trace Context in the environment (TRACEPARENT, TRACESTATE), as CI
 * systems and OpenTelemetry's environment-variable propagation pass it to a
 * process: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;

export interface Traceparent {
	trace_id: string;
	/** The caller's span: the parent of whatever this process does. */
	span_id: string;
	sampled: boolean;
}

/** Whether ids can travel as a traceparent: lower-case hex of W3C's lengths, not all zero. */
export function isW3cTraceId(id: string): boolean {
	return TRACE_ID.test(id) && !ALL_ZERO.test(id);
}

export function isW3cSpanId(id: string): boolean {
	return SPAN_ID.test(id) && !ALL_ZERO.test(id);
}

/**
 * A traceparent header value, or undefined when it is not a valid one. W3C:
 * version ff is invalid; a later version than 00 may carry more fields after
 * a dash, which are ignored; version 00 has exactly four.
 */
export function parseTraceparent(text: string | undefined): Traceparent | undefined {
	const match = TRACEPARENT.exec(text?.trim().toLowerCase() ?? '');
	if (!match) {
		return undefined;
	}

	const [, version, traceId, spanId, flags, more] = match;
	if (version === 'ff' || (version === '00' && more !== undefined) || !isW3cTraceId(traceId!) || !isW3cSpanId(spanId!)) {
		return undefined;
	}

	return {trace_id: traceId!, span_id: spanId!, sampled: (Number.parseInt(flags!, 16) & 1) === 1};
}

/** The traceparent of a span, sampled (tracedeck records every span it hands on). */
export function formatTraceparent(traceId: string, spanId: string): string {
	return `00-${traceId}-${spanId}-01`;
}

/**
 * The environment for a child process whose work belongs under the given
 * span: TRACEPARENT names it, and TRACESTATE, vendor data that travels with
 * the trace context, passes on as the parent environment had it. Ids that are
 * not W3C's shape (a run whose trace came from elsewhere) cannot travel: the
 * environment is then left as it was.
 */
export function childTraceEnv(env: NodeJS.ProcessEnv, traceId: string, spanId: string): NodeJS.ProcessEnv {
	if (!isW3cTraceId(traceId) || !isW3cSpanId(spanId)) {
		return env;
	}

	return {...env, TRACEPARENT: formatTraceparent(traceId, spanId)};
}
