import {useInput, useStdin, type Key} from 'ink';
import {createContext, useCallback, useContext, useEffect, useLayoutEffect, useRef, type RefObject} from 'react';
import {noKey, type ActionName, type ScreenHandlers, type ScreenKind} from '../keymap.js';

/** The handlers of whichever screen is on top, by action. */
export type ActionHandlers = Partial<Record<ActionName, () => void>>;

export interface Registration {
	screen: ScreenKind | null;
	handlers: ActionHandlers;
}

/** Where the screen on top leaves its handlers for the App's single key listener. */
export const KeymapContext = createContext<RefObject<Registration> | null>(null);

/**
 * Give this screen's actions to the App. The App owns the one key listener:
 * it resolves each key through the keymap and runs the global action itself
 * or the screen's handler from here. The handlers are handed over after
 * every commit, so the next key (which waits for that commit) meets the
 * handlers of the latest state.
 */
export function useKeymap<S extends ScreenKind>(screen: S, handlers: ScreenHandlers<S>, active = true): void {
	const registration = useContext(KeymapContext);
	useLayoutEffect(() => {
		if (registration && active) {
			registration.current = {screen, handlers};
		}
	});
}

/** One character of a burst as the key it is: enter, tab, backspace, ctrl+letter, or itself. */
function keyOf(char: string, base: Key): [string, Key] {
	const plain: Key = {...base, return: false, tab: false, backspace: false, delete: false, ctrl: false, shift: false, meta: false, escape: false};
	if (char === '\r' || char === '\n') {
		return ['', {...plain, return: true}];
	}

	if (char === '\t') {
		return ['', {...plain, tab: true}];
	}

	if (char === '\u007f' || char === '\b') {
		return ['', {...plain, backspace: true}];
	}

	const code = char.codePointAt(0)!;
	if (code >= 1 && code <= 26) {
		return [String.fromCodePoint(code + 96), {...plain, ctrl: true}];
	}

	return [char, {...plain, shift: /[A-Z]/.test(char)}];
}

/**
 * A burst of keys in one read (typed faster than a frame, key repeat, tmux
 * send-keys) is that many keys; escape sequences (arrows) come one per event
 * from ink already.
 */
export function splitBurst(input: string, key: Key): Array<[string, Key]> | undefined {
	if (input.length <= 1 || key.ctrl || key.meta || key.escape || input.includes('\u001b')) {
		return undefined;
	}

	const chars = [...input];
	return chars.length > 1 ? chars.map(char => keyOf(char, key)) : undefined;
}

/**
 * Esc and the key after it, when both came in one read (a laggy link, tmux,
 * a fast typist). ink's parser reads ESC followed by any byte that starts no
 * sequence as one meta key ("\u001bj" is meta+j, "\u001b:" a bare ":"), and
 * the console binds no meta keys: so it is two keys, Esc and that one.
 * `raw` is the event as ink's parser cut it; undefined when it is not such a pair.
 */
export function escapeThen(raw: string, input: string, key: Key): Array<[string, Key]> | undefined {
	if (raw.length < 2 || !raw.startsWith('\u001b') || raw[1] === '[' || raw[1] === 'O') {
		return undefined;
	}

	const escKey: [string, Key] = ['', noKey({escape: true, meta: true})];
	const rest = raw.slice(1);
	if (rest.startsWith('\u001b')) {
		// Esc Esc, or Esc then an arrow (ink: option+arrow): the second key without its meta.
		return [escKey, [input, {...key, meta: false}]];
	}

	return [...rest].length === 1 ? [escKey, keyOf(rest, key)] : undefined;
}

/**
 * ink's useInput, one key at a time against the latest render. The listener
 * stays subscribed and calls the handler of the last render. React renders
 * asynchronously, so when a key changed state (`changed.current` set by the
 * caller's dispatch), the next queued key waits for that commit; a handler
 * that ran earlier would act on stale state. A burst of printable characters
 * in one read (key repeat, paste, tmux send-keys) becomes one key each:
 * holding j moves row by row, "/api" opens the filter and types "api".
 */
export function useLatestInput(handler: (input: string, key: Key) => void, changed: RefObject<boolean>, maxWaitMs = 1000): void {
	const latest = useRef(handler);
	latest.current = handler;
	const queue = useRef<Array<[string, Key]>>([]);
	const state = useRef<{busy: boolean; awaiting: boolean; timer: NodeJS.Timeout | undefined}>({busy: false, awaiting: false, timer: undefined});
	const drain = useCallback(() => {
		const s = state.current;
		clearTimeout(s.timer);
		s.timer = undefined;
		s.awaiting = false;
		const next = queue.current.shift();
		if (next === undefined) {
			s.busy = false;
			return;
		}

		s.busy = true;
		changed.current = false;
		latest.current(next[0], next[1]);
		if (changed.current) {
			s.awaiting = true;
			// Should the commit never come, do not hold the keyboard hostage.
			s.timer = setTimeout(drain, maxWaitMs);
		} else {
			setImmediate(drain);
		}
	}, [changed, maxWaitMs]);

	useLayoutEffect(() => {
		if (state.current.awaiting) {
			state.current.awaiting = false;
			clearTimeout(state.current.timer);
			setImmediate(drain);
		}
	});

	useEffect(
		() => () => {
			clearTimeout(state.current.timer);
			queue.current = [];
		},
		[],
	);

	// The event as ink's parser cut it, seen before useInput decodes it (escapeThen needs the ESC it drops).
	const {internal_eventEmitter: events} = useStdin();
	const raw = useRef('');
	useEffect(() => {
		const note = (data: string): void => {
			raw.current = data;
		};

		events.prependListener('input', note);
		return () => {
			events.off('input', note);
		};
	}, [events]);

	const stable = useCallback(
		(input: string, key: Key) => {
			const keys = escapeThen(raw.current, input, key) ?? splitBurst(input, key);
			if (keys) {
				queue.current.push(...keys);
			} else {
				queue.current.push([input, key]);
			}

			if (!state.current.busy) {
				drain();
			}
		},
		[drain],
	);
	useInput(stable);
}
