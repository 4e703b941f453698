import {rootCauseFailure, type Failure} from './failure.js';
import {foldEvents} from './fold.js';
import type {Span} from './span.js';
import {isCompensation, isDecision} from './step-kind.js';
import type {TraceEvent} from './trace-event.js';
import {buildTree, byStart, pathTo, stepPath, type TraceTree} from './tree.js';

function isTree(source: readonly Span[] | TraceTree): source is TraceTree {
	return 'byId' in source;
}

/**
 * Questions a saga or agent developer asks of one trace, in one place, for
 * tests and scripts. Lists come back in time order (start, then span id).
 */
export class TraceQuery {
	static fromEvents(events: Iterable<TraceEvent>): TraceQuery {
		return new TraceQuery(foldEvents(events));
	}

	readonly #tree: TraceTree;
	#timeline: Span[] | undefined;

	constructor(source: readonly Span[] | TraceTree) {
		this.#tree = isTree(source) ? source : buildTree(source);
	}

	tree(): TraceTree {
		return this.#tree;
	}

	root(): Span | null {
		return this.#tree.root;
	}

	span(spanId: string): Span | undefined {
		return this.#tree.byId.get(spanId);
	}

	/** Direct children, by start. */
	children(spanId: string): Span[] {
		return [...(this.#tree.children.get(spanId) ?? [])];
	}

	/** Root first, the span itself last; empty when the span is unknown. */
	path(spanId: string): Span[] {
		return pathTo(this.#tree, spanId);
	}

	/** Names from below the root joined with "/", as runs are compared by. */
	stepPath(spanId: string): string {
		return stepPath(this.#tree, spanId);
	}

	/** The root cause: the failed span with no failed descendant that ended first. */
	failure(): Failure | null {
		return rootCauseFailure(this.#tree);
	}

	successes(): Span[] {
		return this.timeline().filter(span => span.status === 'success');
	}

	failed(): Span[] {
		return this.timeline().filter(span => span.status === 'failed');
	}

	/** Spans that have not settled yet (no terminal event). */
	pending(): Span[] {
		return this.timeline().filter(span => span.status === 'pending');
	}

	/**
	 * "saga:compensated" matches a span's last event type; "saga" matches its
	 * kind. A span keeps only its last event type, so an earlier phase
	 * ("saga:compensating" once compensated) no longer matches.
	 */
	findByType(type: string): Span[] {
		const match = type.includes(':') ? (span: Span) => span.last_event_type === type : (span: Span) => span.kind === type;
		return this.timeline().filter(span => match(span));
	}

	findByTag(tag: string): Span[] {
		return this.timeline().filter(span => span.tags.includes(tag));
	}

	compensations(): Span[] {
		return this.timeline().filter(span => isCompensation(span));
	}

	decisions(): Span[] {
		return this.timeline().filter(span => isDecision(span));
	}

	/** The root's duration in ms; null while the root is open or the trace is empty. */
	duration(): number | null {
		const root = this.#tree.root;
		if (root === null || root.end_ms === null) {
			return null;
		}

		return root.end_ms - root.start_ms;
	}

	/** Every span of the trace, by start. */
	timeline(): Span[] {
		this.#timeline ??= [...this.#tree.byId.values()].sort(byStart);
		return [...this.#timeline];
	}
}
