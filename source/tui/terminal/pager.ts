import {spawnSync} from 'node:child_process';
import {sanitize} from '../../core/sanitize.js';

const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[2J\u001b[H';
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

/** What the pager did: nothing to say, or why it could not show the text. */
export type PagerOutcome = {ok: true} | {ok: false; reason: string};

/** Shows text in a pager on the terminal and returns when it is closed. */
export type PagerSpawner = (text: string) => PagerOutcome;

/** `$PAGER` as git reads it: a shell command line; unset or empty, `less -R`. */
export function pagerCommand(env: Readonly<Record<string, string | undefined>>): string {
	const pager = env['PAGER']?.trim();
	return pager === undefined || pager === '' ? 'less -R' : pager;
}

export interface TerminalStreams {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
}

/**
 * Hand the terminal to the pager and take it back: raw mode off, out of the
 * alternate screen, the pager run through the shell with the text on its
 * stdin and the terminal for the rest (less reads keys from /dev/tty), then
 * raw mode and the alternate screen again; the caller redraws. spawnSync
 * blocks the event loop while the pager runs, so no frame, timer or key
 * handler of the console can write over it or read its keys.
 */
export function runPager(text: string, command: string, {stdin, stdout}: TerminalStreams): PagerOutcome {
	const tty = stdout.isTTY === true;
	const raw = stdin.isTTY === true && stdin.isRaw;
	if (raw) {
		stdin.setRawMode(false);
	}

	if (tty) {
		stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
	}

	let result: ReturnType<typeof spawnSync>;
	try {
		result = spawnSync(command, {shell: true, input: sanitize(text), stdio: ['pipe', 'inherit', 'inherit'], maxBuffer: 1024 * 1024});
	} finally {
		if (tty) {
			stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
		}

		if (raw) {
			stdin.setRawMode(true);
		}
	}

	// A pager quit before reading everything (q on page one) closed its end of the pipe: not a failure.
	const error = result.error as NodeJS.ErrnoException | undefined;
	if (error !== undefined && error.code !== 'EPIPE') {
		return {ok: false, reason: `pager ${command} could not run: ${error.message}`};
	}

	if (result.status !== 0) {
		return {ok: false, reason: result.status === 127 ? `pager ${command} not found; set PAGER` : `pager ${command} failed (${result.status === null ? `signal ${result.signal}` : `exit ${result.status}`})`};
	}

	return {ok: true};
}
