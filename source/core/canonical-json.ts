import {InputError} from './errors.js';

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace,
 * arrays in order, a key whose value is undefined left out (as
 * JSON.stringify leaves it out, so a plan hashes as plan.json holds it).
 * Plan hashes and signatures cover these bytes, and plan diffs compare by
 * them, so "same plan" means one thing everywhere.
 *
 * Walked with an explicit stack: a value nested at any depth, from a
 * producer's plan.json, cannot exhaust the call stack.
 *
 * @throws InputError for what JSON cannot hold: undefined (in an array or at
 * the top), a function, a symbol, a BigInt, a cycle.
 */
export function canonicalJson(value: unknown): string {
	const out: string[] = [];
	// Work items: a value to write, literal text, or an object whose writing is done (leaves the cycle check).
	const work: Array<{value: unknown} | {text: string} | {done: object}> = [{value}];
	const open = new Set<object>();
	while (work.length > 0) {
		const item = work.pop()!;
		if ('text' in item) {
			out.push(item.text);
			continue;
		}

		if ('done' in item) {
			open.delete(item.done);
			continue;
		}

		const current = item.value;
		if (current === null || typeof current !== 'object') {
			// JSON.stringify gives the shortest round-trip form for numbers and escapes strings.
			const text = typeof current === 'bigint' ? undefined : JSON.stringify(current);
			if (text === undefined) {
				throw new InputError(`JSON cannot hold ${typeof current} values`);
			}

			out.push(text);
			continue;
		}

		if (open.has(current)) {
			throw new InputError('JSON cannot hold a value that contains itself');
		}

		open.add(current);
		const pieces: Array<{value: unknown} | {text: string} | {done: object}> = [];
		if (Array.isArray(current)) {
			pieces.push({text: '['});
			for (let i = 0; i < current.length; i++) {
				pieces.push(...(i > 0 ? [{text: ','}] : []), {value: current[i] as unknown});
			}

			pieces.push({text: ']'});
		} else {
			const record = current as Record<string, unknown>;
			const keys = Object.keys(record)
				.filter(key => record[key] !== undefined)
				.sort();
			pieces.push({text: '{'});
			for (const [i, key] of keys.entries()) {
				pieces.push({text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`}, {value: record[key]});
			}

			pieces.push({text: '}'});
		}

		pieces.push({done: current});
		for (let i = pieces.length - 1; i >= 0; i--) {
			work.push(pieces[i]!);
		}
	}

	return out.join('');
}

/**
 * Equal as canonical JSON: key order never matters. Two values JSON cannot
 * hold are equal only when they are the same value, so a comparison never
 * throws.
 */
export function sameJson(a: unknown, b: unknown): boolean {
	try {
		return canonicalJson(a) === canonicalJson(b);
	} catch {
		return Object.is(a, b);
	}
}
