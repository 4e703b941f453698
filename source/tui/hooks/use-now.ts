import {useEffect, useRef, useState} from 'react';

/**
 * The wall clock, ticking every `intervalMs` (0: frozen at mount) so elapsed
 * times and stuck runs move. `ticking` false stops it while nothing on screen
 * moves with it (a finished run's trace): each tick re-renders the console
 * and has ink redraw the whole frame, which on a big trace is most of what an
 * idle console does and the garbage its heap grows on. When it starts again
 * it reads the clock at once, so nothing shows a stale time.
 */
export function useNow(intervalMs: number, clock: () => number = Date.now, ticking = true): number {
	const [now, setNow] = useState(clock);
	const stopped = useRef(false);
	useEffect(() => {
		if (intervalMs <= 0) {
			return;
		}

		if (!ticking) {
			stopped.current = true;
			return;
		}

		if (stopped.current) {
			stopped.current = false;
			setNow(clock());
		}

		const timer = setInterval(() => {
			setNow(clock());
		}, intervalMs);
		timer.unref?.();
		return () => {
			clearInterval(timer);
		};
	}, [intervalMs, clock, ticking]);

	return now;
}
