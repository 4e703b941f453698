import type {ChangeFeed, LiveStatus} from './change-feed.js';

/** The subscriber half every ChangeFeed shares: listener sets and their fan-out. */
export interface FeedListeners extends Pick<ChangeFeed, 'onChange' | 'onStatus'> {
	emitChange(traceIds: readonly string[]): void;
	emitStatus(status: LiveStatus): void;
}

export function feedListeners(): FeedListeners {
	const changeListeners = new Set<(traceIds: readonly string[]) => void>();
	const statusListeners = new Set<(status: LiveStatus) => void>();
	return {
		onChange(listener) {
			changeListeners.add(listener);
			return () => changeListeners.delete(listener);
		},
		onStatus(listener) {
			statusListeners.add(listener);
			return () => statusListeners.delete(listener);
		},
		emitChange(traceIds) {
			for (const listener of changeListeners) {
				listener(traceIds);
			}
		},
		emitStatus(status) {
			for (const listener of statusListeners) {
				listener(status);
			}
		},
	};
}
