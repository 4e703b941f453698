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
