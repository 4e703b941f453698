import {sanitize, sanitizeMessage} from '../core/sanitize.js';

export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

/** The signals that end the console, with their numbers: the exit code is 128 + the number, as a shell reports it. */
export const CONSOLE_SIGNALS = {SIGHUP: 1, SIGINT: 2, SIGTERM: 15} as const;
export type ConsoleSignal = keyof typeof CONSOLE_SIGNALS;

interface TerminalOut {
	isTTY?: boolean;
	write: (text: string) => unknown;
	on: (event: 'error', listener: (error: unknown) => void) => unknown;
}

interface TerminalIn {
	isTTY?: boolean;
	setRawMode?: (mode: boolean) => unknown;
}

export interface TerminalGuardOptions {
	stdout: TerminalOut;
	stdin: TerminalIn;
	stderr: {write: (text: string) => unknown; on?: (event: 'error', listener: (error: unknown) => void) => unknown};
	/** Stops drawing (ink's unmount) before the terminal is given back, so that no frame lands on the main screen. */
	stop: () => void;
	/** Closes the store and the feed. */
	close: () => Promise<void>;
	exit: (code: number) => void;
	/** How long closing may take before the process exits anyway. */
	closeTimeoutMs?: number;
}

export interface TerminalGuard {
	/** Enter the alternate screen (on a terminal). */
	enter: () => void;
	/** Give the terminal back: leave the alternate screen, show the cursor, end raw mode. Once; later calls do nothing. */
	restore: () => void;
	/** A signal ended the console: restore, close, exit 128 + its number. */
	onSignal: (signal: ConsoleSignal) => Promise<void>;
	/** An error escaped the console: restore first (else the message is lost with the alternate screen), then print it, close, exit 70. */
	onCrash: (error: unknown) => Promise<void>;
}

/**
 * A write to a terminal that is gone (the SSH session dropped, tmux killed):
 * not a crash to report. Reported on the terminal, it would fail again, and
 * each failure would come back as another uncaught error, forever, in a loop
 * that starves the timers that would end the process.
 */
export function isTerminalGone(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return code === 'EIO' || code === 'EPIPE' || code === 'ENXIO' || code === 'EBADF';
}

function attempt(step: () => unknown): void {
	try {
		step();
	} catch {
		// The terminal may be gone (SIGHUP): giving it back is best effort.
	}
}

/**
 * What the console owes the terminal it took: the alternate screen, a hidden
 * cursor and raw mode are given back however it ends (q, a signal, a crash).
 */
export function terminalGuard(options: TerminalGuardOptions): TerminalGuard {
	const {stdout, stdin, stderr} = options;
	const tty = stdout.isTTY === true;
	// A terminal's write errors (it hung up) are the end of the console, not errors of their own: see isTerminalGone.
	const ignore = (): undefined => undefined;
	stdout.on('error', ignore);
	stderr.on?.('error', ignore);
	let gone = false;
	let entered = false;
	let restored = false;
	let ending = false;
	const restore = (): void => {
		if (restored) {
			return;
		}

		restored = true;
		attempt(options.stop);
		if (stdin.isTTY === true) {
			attempt(() => stdin.setRawMode?.(false));
		}

		if (tty && !gone) {
			attempt(() => stdout.write(`${entered ? LEAVE_ALT_SCREEN : ''}${SHOW_CURSOR}`));
		}
	};

	const end = async (code: number): Promise<void> => {
		if (ending) {
			return;
		}

		ending = true;
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<void>(resolve => {
			timer = setTimeout(resolve, options.closeTimeoutMs ?? 2000);
		});
		await Promise.race([options.close().catch(() => undefined), timeout]);
		clearTimeout(timer);
		options.exit(code);
	};

	return {
		enter() {
			if (tty) {
				stdout.write(ENTER_ALT_SCREEN);
				entered = true;
			}
		},
		restore,
		async onSignal(signal) {
			// After SIGHUP the terminal may be gone, or not (kill -HUP): restoring is tried, its write errors ignored.
			restore();
			await end(128 + CONSOLE_SIGNALS[signal]);
		},
		async onCrash(error) {
			if (ending) {
				// Already on the way out (a signal, an earlier error): never a second report.
				return;
			}

			if (isTerminalGone(error)) {
				// The terminal hung up under us: end as SIGHUP does, silently.
				gone = true;
				restore();
				await end(128 + CONSOLE_SIGNALS.SIGHUP);
				return;
			}

			restore();
			const message = error instanceof Error ? error.message : String(error);
			const stack = error instanceof Error && process.env['TRACEDECK_DEBUG'] ? `\n${sanitize(error.stack ?? '')}` : ' (set TRACEDECK_DEBUG=1 for details)';
			attempt(() => stderr.write(`tracedeck: internal error: ${sanitizeMessage(message)}${stack}\n`));
			await end(70);
		},
	};
}
