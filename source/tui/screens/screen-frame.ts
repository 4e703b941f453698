import type {ConsoleAction} from '../state/actions.js';

/** What every screen gets from the App: its box, the clock, and a way to act. */
export interface ScreenFrame {
	width: number;
	height: number;
	dispatch: (action: ConsoleAction) => void;
	/** False while an overlay (help, command line) has the keys. */
	active: boolean;
}

/** A screen that shows elapsed times. */
export interface TimedScreenFrame extends ScreenFrame {
	nowMs: number;
}
