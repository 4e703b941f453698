import {useEffect, useState} from 'react';

/** The wall clock, ticking every `intervalMs` (0: frozen at mount) so elapsed times and stuck runs move. */
export function useNow(intervalMs: number, clock: () => number = Date.now): number {
	const [now, setNow] = useState(clock);
	useEffect(() => {
		if (intervalMs <= 0) {
			return;
		}

		const timer = setInterval(() => {
			setNow(clock());
		}, intervalMs);
		timer.unref?.();
		return () => {
			clearInterval(timer);
		};
	}, [intervalMs, clock]);

	return now;
}
