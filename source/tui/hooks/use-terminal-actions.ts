import {useStdout} from 'ink';
import {useMemo} from 'react';
import type {ConsoleAction} from '../state/actions.js';
import {osc52, type CopyValue} from '../terminal/osc52.js';
import {pagerCommand, runPager, type PagerSpawner} from '../terminal/pager.js';
import {clean} from '../text.js';

/** What a screen may do to the terminal beyond drawing: copy a value, page a text. */
export interface TerminalActions {
	copy(value: CopyValue): void;
	/** `what` names the text in a message should the pager fail. */
	page(text: string, what: string): void;
}

export interface TerminalIo {
	/** Where the OSC 52 sequence goes: the terminal itself, not a frame. Default: process.stdout. */
	writeTerminal?: (data: string) => void;
	/** Shows text in a pager and returns when it closes. Default: $PAGER on the real terminal, then a redraw. */
	pager?: PagerSpawner;
}

/** Short values are said in full on the status line; longer ones by their size. */
const SAY_IN_FULL = 60;

/** Copy and page for the screens, each saying on the status line what it did. */
export function useTerminalActions(dispatch: (action: ConsoleAction) => void, {writeTerminal, pager}: TerminalIo): TerminalActions {
	const {write: redraw} = useStdout();
	return useMemo<TerminalActions>(() => {
		const say = (level: 'info' | 'error', text: string): void => dispatch({type: 'message', message: {level, text}});
		const write = writeTerminal ?? ((data: string) => process.stdout.write(data));
		const spawn: PagerSpawner =
			pager ??
			(text => {
				const outcome = runPager(text, pagerCommand(process.env), {stdin: process.stdin, stdout: process.stdout});
				// ink's write clears its last frame, writes nothing and draws the frame again, whole.
				redraw('');
				return outcome;
			});
		return {
			copy({what, text}) {
				const outcome = osc52(text);
				if (!outcome.ok) {
					say('error', `not copied: the ${what} is ${outcome.reason}`);
					return;
				}

				write(outcome.sequence);
				const shown = clean(text);
				say('info', `copied ${what} ${shown.length <= SAY_IN_FULL && !text.includes('\n') ? shown : `(${text.length} characters)`} (OSC 52)`);
			},
			page(text, what) {
				const outcome = spawn(text);
				if (!outcome.ok) {
					say('error', `could not show the ${what}: ${outcome.reason}`);
				}
			},
		};
	}, [dispatch, writeTerminal, pager, redraw]);
}
