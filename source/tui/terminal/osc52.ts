import {sanitize} from '../../core/sanitize.js';

/*
 * Copying with OSC 52: the terminal (the one on the engineer's desk, however
 * many SSH hops away) puts the text in its clipboard. Inside tmux the plain
 * sequence is what peers send (neovim's osc52 provider does): with
 * `set -g set-clipboard on` tmux keeps it in its paste buffer and passes it on
 * to the outer terminal. The DCS passthrough wrapper would skip tmux's buffer,
 * so it is not used.
 */

/** Many terminals drop an OSC 52 payload beyond about 100 KB; tmux's own limit is near it. */
export const OSC52_MAX_BYTES = 100_000;

/** What to copy, and how the status line names it ("run id run-…"). */
export interface CopyValue {
	what: string;
	text: string;
}

export type CopyOutcome = {ok: true; sequence: string; bytes: number} | {ok: false; reason: string};

/**
 * The sequence that sets the clipboard to `text`: escapes and control
 * characters stripped (it may be pasted into a shell), newlines and tabs
 * kept; refused when the payload would be too big for terminals to take.
 */
export function osc52(text: string, maxBytes = OSC52_MAX_BYTES): CopyOutcome {
	const payload = Buffer.from(sanitize(text), 'utf8').toString('base64');
	if (payload.length > maxBytes) {
		return {ok: false, reason: `too big for the clipboard (${Math.ceil(payload.length / 1024)} KB encoded; terminals drop more than ${Math.floor(maxBytes / 1024)} KB): o opens it in the pager`};
	}

	return {ok: true, sequence: `\u001b]52;c;${payload}\u0007`, bytes: payload.length};
}
