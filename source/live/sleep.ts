/**
 * Wait `ms`, or less when `wake` fires or the signal aborts. Never rejects:
 * callers check their own state after it returns.
 */
export async function sleep(ms: number, signal?: AbortSignal, wake?: (resolve: () => void) => () => void): Promise<void> {
	if (signal?.aborted) {
		return;
	}

	await new Promise<void>(resolve => {
		let unsubscribe: (() => void) | undefined;
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			unsubscribe?.();
			resolve();
		};

		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, {once: true});
		unsubscribe = wake?.(done);
	});
}

/**
 * Let pending I/O (other requests, sockets, timers) run before going on: the
 * pause between two slices of a long synchronous job. setImmediate runs
 * after the poll phase, so whatever arrived meanwhile is handled first.
 */
export function yieldToEventLoop(): Promise<void> {
	return new Promise(resolve => {
		setImmediate(resolve);
	});
}
