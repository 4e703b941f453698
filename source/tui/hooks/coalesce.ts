/**
 * Run `fn` at most once per `ms`, a little after the first call in a burst:
 * a feed that says "changed" for every event must not reload for every event.
 */
export function coalesce(fn: () => void, ms: number): {trigger: () => void; cancel: () => void} {
	let timer: NodeJS.Timeout | undefined;
	return {
		trigger() {
			if (timer !== undefined) {
				return;
			}

			timer = setTimeout(() => {
				timer = undefined;
				fn();
			}, ms);
		},
		cancel() {
			if (timer !== undefined) {
				clearTimeout(timer);
				timer = undefined;
			}
		},
	};
}
