import {InputOccurrences} from './event-digest.js';

/**
 * One input (an OTLP request of 100,000 spans) stored over several short
 * transactions, so that the process can do other work between them. What
 * makes the parts add up to the input stored whole:
 *
 * - identical events are numbered across the whole input (`input`), so a
 *   retry of the input, or of one part, gives the same identities and stores
 *   nothing twice;
 * - a run summary that needs the whole trace (a new run, a failure, a root
 *   that arrived) is made once, by RunIndex.finishParts, not once per part:
 *   `staleRuns` holds those traces with their newest event time.
 *
 * Between parts, readers may see a trace whose spans are stored but whose run
 * summary is not yet up to date; finishParts brings it up to date.
 */
export class AppendParts {
	readonly input = new InputOccurrences();
	readonly staleRuns = new Map<string, number>();

	markStale(traceId: string, lastEventMs: number): void {
		this.staleRuns.set(traceId, Math.max(lastEventMs, this.staleRuns.get(traceId) ?? 0));
	}
}
