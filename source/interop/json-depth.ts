import {MAX_JSON_DEPTH} from '../core/input-limits.js';

// The limit lives with the other input limits; re-exported for the parsers and the export that keep under it.
export {MAX_JSON_DEPTH} from '../core/input-limits.js';

/** Whether objects and arrays in `value` nest deeper than `limit` levels. Iterative: safe at any depth. */
export function nestsDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
	const stack: Array<{value: unknown; depth: number}> = [{value, depth: 1}];
	while (stack.length > 0) {
		const {value: current, depth} = stack.pop()!;
		if (current === null || typeof current !== 'object') {
			continue;
		}

		if (depth > limit) {
			return true;
		}

		for (const child of Object.values(current as object)) {
			stack.push({value: child, depth: depth + 1});
		}
	}

	return false;
}
