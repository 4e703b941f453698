/**
 * Run `fn` at most once per `ms`, a little after the first call in a burst:
 * a feed that says "changed" for every event must not reload for every event.
 * `ms` may be asked for at each burst (a wait that grows with the work).
 */
export function coalesce(fn: () => void, ms: number | (() => number)): {trigger: () => void; cancel: () => void} {
	let timer: NodeJS.Timeout | undefined;
	return {
		trigger() {
			if (timer !== undefined) {
				return;
			}

			timer = setTimeout(
				() => {
					timer = undefined;
					fn();
				},
				typeof ms === 'number' ? ms : ms(),
			);
		},
		cancel() {
			if (timer !== undefined) {
				clearTimeout(timer);
				timer = undefined;
			}
		},
	};
}
