import {createHash, randomBytes, randomUUID} from 'node:crypto';

/**
 * A new trace id: 16 random bytes as 32 lowercase hex digits, the W3C Trace
 * Context shape, so ids pass unchanged into OTLP exports.
 */
export function newTraceId(): string {
	return nonZeroHex(16);
}

/** A new span id: 8 random bytes as 16 lowercase hex digits (W3C parent-id shape). */
export function newSpanId(): string {
	return nonZeroHex(8);
}

/**
 * A new event id (TraceEvent.event_id): an event written again under it, as a
 * retry does, is stored once; two events with identical content stay two.
 */
export function newEventId(): string {
	return randomUUID();
}

// W3C treats the all-zero id as invalid; the odds are nil, the check is cheap.
function nonZeroHex(bytes: number): string {
	for (;;) {
		const hex = randomBytes(bytes).toString('hex');
		if (!/^0+$/.test(hex)) {
			return hex;
		}
	}
}

function digestHex(parts: readonly string[], hexDigits: number): string {
	const hash = createHash('sha256');
	for (const part of parts) {
		// Length-prefixed so ("ab", "c") and ("a", "bc") never collide.
		hash.update(`${part.length}:${part}\n`);
	}

	return hash.digest('hex').slice(0, hexDigits);
}

/**
 * The trace id of a run, derived from its run id: separate processes (one
 * `tracedeck exec` per CI step) that only share the run id land in one trace.
 */
export function traceIdForRun(runId: string): string {
	return digestHex(['tracedeck/trace', runId], 32);
}

/** The root span id of a run, derived from its run id like the trace id. */
export function rootSpanIdForRun(runId: string): string {
	return stepSpanId(runId, []);
}

/**
 * The span id of a step path below a run's root: `["build", "unit"]` gives the
 * same id in every process, so `build/unit` and a later `build/lint` share
 * their `build` parent.
 */
export function stepSpanId(runId: string, segments: readonly string[]): string {
	return digestHex(['tracedeck/span', runId, ...segments], 16);
}
