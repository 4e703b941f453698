import {AsyncLocalStorage} from 'node:async_hooks';

/** The span a piece of async code runs inside. */
export interface ActiveSpan {
	readonly trace_id: string;
	readonly span_id: string;
}

// One store for the process: a trace() inside another trace() (in any
// context of the same trace) finds its parent without being told.
const scope = new AsyncLocalStorage<ActiveSpan>();

/** The span the calling code runs inside, if any (set by TraceContext.trace and friends). */
export function activeSpan(): ActiveSpan | undefined {
	return scope.getStore();
}

/** Run `fn` with `span` as the active span for everything it awaits. */
export function runInSpan<T>(span: ActiveSpan, fn: () => T): T {
	return scope.run(span, fn);
}
