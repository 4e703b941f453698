import type {ActionName} from '../keymap.js';

/** Where a motion key takes a cursor in a list of `count` rows with `page` rows on screen; undefined when not a motion. */
export function moveIndex(action: ActionName, index: number, count: number, page: number): number | undefined {
	if (count <= 0) {
		return undefined;
	}

	const last = count - 1;
	const clamp = (value: number): number => Math.max(0, Math.min(last, value));
	switch (action) {
		case 'down': {
			return clamp(index + 1);
		}

		case 'up': {
			return clamp(index - 1);
		}

		case 'pageDown': {
			return clamp(index + Math.max(1, page));
		}

		case 'pageUp': {
			return clamp(index - Math.max(1, page));
		}

		case 'top': {
			return 0;
		}

		case 'bottom': {
			return last;
		}

		default: {
			return undefined;
		}
	}
}

/** The index a selection points at: its key's row when still there, else its index, clamped. */
export function resolveIndex(selection: {index: number; key: string | null}, count: number, indexOfKey: (key: string) => number | undefined): number {
	if (count <= 0) {
		return 0;
	}

	if (selection.key !== null) {
		const found = indexOfKey(selection.key);
		if (found !== undefined) {
			return found;
		}
	}

	return Math.max(0, Math.min(count - 1, selection.index));
}

/** The six moves every list and pager binds. */
export type MotionAction = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';
export const MOTION_ACTIONS: readonly MotionAction[] = ['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'];

export function isMotion(action: ActionName | undefined): action is MotionAction {
	return MOTION_ACTIONS.some(motion => motion === action);
}

export type MotionHandlers = Record<MotionAction, () => void>;

/**
 * j/k/g/G/PgUp/PgDn for a list: each moves the cursor and calls `select`
 * with the new index. `count` may be asked for at the key (a list counted
 * lazily, over an index too big to hold).
 */
export function motionHandlers(index: number, count: number | (() => number), page: number, select: (index: number) => void): MotionHandlers {
	return handlersFor(action => () => {
		const next = moveIndex(action, index, typeof count === 'number' ? count : count(), page);
		if (next !== undefined && next !== index) {
			select(next);
		}
	});
}

/** One handler per move, made by `make`. */
export function handlersFor(make: (action: MotionAction) => () => void): MotionHandlers {
	return {up: make('up'), down: make('down'), pageUp: make('pageUp'), pageDown: make('pageDown'), top: make('top'), bottom: make('bottom')};
}
