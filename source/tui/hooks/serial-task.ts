/**
 * An async task that never overlaps itself: asked to run while it runs, it
 * runs once more after (any number of asks in between merge into one). A
 * network store answers late and out of order; reads that share a cursor or
 * a window must not race each other.
 */
export interface SerialTask {
	run(): void;
	/** No run starts after this; one under way finishes, and its result is the task's to drop. */
	stop(): void;
	/** Whether stop() was called: a run under way drops its result then. */
	stopped(): boolean;
}

export function serialTask(task: () => Promise<void>, onError: (error: unknown) => void): SerialTask {
	let running = false;
	let again = false;
	let stopped = false;
	const loop = async (): Promise<void> => {
		running = true;
		try {
			do {
				again = false;
				try {
					// eslint-disable-next-line no-await-in-loop
					await task();
				} catch (error) {
					if (!stopped) {
						onError(error);
					}
				}
			} while (again && !stopped);
		} finally {
			running = false;
		}
	};

	return {
		run() {
			if (stopped) {
				return;
			}

			if (running) {
				again = true;
				return;
			}

			void loop();
		},
		stop() {
			stopped = true;
		},
		stopped: () => stopped,
	};
}
