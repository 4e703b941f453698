/**
 * How deep untrusted JSON may nest before the parsers refuse it. Deeper
 * documents break things far from the edge: zod's recursive OTLP schema
 * overflows the stack near 1,500 levels, JSON.stringify (the run index stores
 * bodies) near 4,000, and SQLite's JSON functions, which the search and
 * metrics triggers run on stored bodies, fail past 1,000.
 */
export const MAX_JSON_DEPTH = 256;

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
