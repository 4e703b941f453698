import type {AnyFlags} from 'meow';

/**
 * The common case of a command line, parsed without meow: positionals and
 * `--name value`, `--name=value` or `--name` (a boolean) for declared
 * string, number and boolean flags, each given once. meow (and yargs-parser
 * under it) costs ~20 ms to load, a third of a quick command's wall time, so
 * it loads only for what this leaves to it: undefined means "ask meow", for
 * --help, unknown or repeated flags, short flags, `--no-x`, `--`, a value
 * that looks like a flag, an empty or unusual number, or flags declared with
 * choices, aliases, isMultiple or isRequired. What it returns is what meow
 * would (test/commands/plain-flags.test.ts compares the two).
 */
export function plainFlags(argv: readonly string[], flags: AnyFlags): {input: string[]; flags: Record<string, unknown>} | undefined {
	const byName = new Map<string, {key: string; type: string}>();
	const parsed: Record<string, unknown> = {};
	for (const [key, flag] of Object.entries(flags)) {
		const {type} = flag;
		if (!(type === 'string' || type === 'number' || type === 'boolean') || Object.keys(flag).some(option => option !== 'type' && option !== 'default')) {
			return undefined;
		}

		if (!/^[a-z][a-zA-Z]*$/.test(key)) {
			return undefined;
		}

		byName.set(
			key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`),
			{key, type},
		);
		if (flag.default !== undefined) {
			parsed[key] = flag.default;
		}
	}

	const input: string[] = [];
	const given = new Set<string>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (!arg.startsWith('-')) {
			if (arg === '') {
				return undefined;
			}

			input.push(arg);
			continue;
		}

		if (!arg.startsWith('--')) {
			return undefined;
		}

		const eq = arg.indexOf('=');
		const flag = byName.get(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
		if (flag === undefined || given.has(flag.key)) {
			return undefined;
		}

		given.add(flag.key);
		if (flag.type === 'boolean') {
			if (eq !== -1) {
				return undefined;
			}

			parsed[flag.key] = true;
			continue;
		}

		const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
		if (value === undefined || value === '' || value.startsWith('-')) {
			return undefined;
		}

		if (flag.type === 'number') {
			if (!/^(0|[1-9]\d{0,14})$/.test(value)) {
				return undefined;
			}

			parsed[flag.key] = Number(value);
		} else {
			parsed[flag.key] = value;
		}
	}

	return {input, flags: parsed};
}
