import type {Span} from '../core/span.js';
import {InputOccurrences} from './event-digest.js';

/**
 * A trace this input began (nothing of it was stored before the part that
 * first had it): its spans and their paths as the parts stored them, and
 * how many of its events the parts inserted. While the store holds that
 * many events of the trace, no one else wrote to it, and these are its
 * stored spans: finishParts summarizes from them instead of reading and
 * parsing every span again (seconds of one event loop turn at 100k spans).
 */
export interface HeldTrace {
	spans: Map<string, Span>;
	paths: Map<string, string>;
	events: number;
}

/**
 * Spans held at most, over all traces of one input: past it a trace is
 * summarized from the store as before, so a file of a million events
 * stored in parts keeps its memory flat. A 100k-span OTLP export fits.
 */
export const HELD_SPANS_LIMIT = 200_000;

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
 *   `staleRuns` holds those traces with their newest event time, and `held`
 *   the spans of those the input began.
 *
 * Between parts, readers may see a trace whose spans are stored but whose run
 * summary is not yet up to date; finishParts brings it up to date.
 */
export class AppendParts {
	readonly input = new InputOccurrences();
	readonly staleRuns = new Map<string, number>();
	readonly held = new Map<string, HeldTrace>();
	readonly #limit: number;
	#heldSpans = 0;

	/** `heldSpansLimit`: HELD_SPANS_LIMIT unless told (tests pass a small one). */
	constructor(heldSpansLimit = HELD_SPANS_LIMIT) {
		this.#limit = heldSpansLimit;
	}

	/** Hold a trace that begins in this part, if it fits under HELD_SPANS_LIMIT. */
	hold(traceId: string, trace: HeldTrace): void {
		this.release(traceId);
		if (this.#limit > 0 && this.#heldSpans + trace.spans.size <= this.#limit) {
			this.held.set(traceId, trace);
			this.#heldSpans += trace.spans.size;
		}
	}

	/** A held trace's span as a later part stored it; past HELD_SPANS_LIMIT the trace is let go. */
	keep(traceId: string, span: Span, path: string): void {
		const trace = this.held.get(traceId);
		if (trace === undefined) {
			return;
		}

		if (!trace.spans.has(span.span_id)) {
			if (this.#heldSpans >= this.#limit) {
				this.release(traceId);
				return;
			}

			this.#heldSpans++;
		}

		trace.spans.set(span.span_id, span);
		trace.paths.set(span.span_id, path);
	}

	release(traceId: string): void {
		const trace = this.held.get(traceId);
		if (trace !== undefined) {
			this.#heldSpans -= trace.spans.size;
			this.held.delete(traceId);
		}
	}

	/** Done: the runs are summarized (finishParts). */
	clear(): void {
		this.staleRuns.clear();
		this.held.clear();
		this.#heldSpans = 0;
	}

	markStale(traceId: string, lastEventMs: number): void {
		this.staleRuns.set(traceId, Math.max(lastEventMs, this.staleRuns.get(traceId) ?? 0));
	}
}
