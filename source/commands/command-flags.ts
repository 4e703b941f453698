import type {AnyFlags, Result} from 'meow';
import {InputError} from '../core/errors.js';
import {parseDuration} from '../core/format-duration.js';
import {setConfigFlag} from '../live/config-file.js';
import {plainFlags} from './plain-flags.js';

/** Flags every command understands. */
export const COMMON_FLAGS = {
	home: {type: 'string'},
	db: {type: 'string'},
	config: {type: 'string'},
	json: {type: 'boolean', default: false},
} as const satisfies AnyFlags;

export const COMMON_HELP = `
  Common options
    --home <dir>   tracedeck home (env TRACEDECK_HOME, default ~/.tracedeck)
    --db <url>     a shared PostgreSQL index, postgres://user@host/db (env
                   TRACEDECK_DATABASE_URL; default the SQLite index in the home)
    --config <f>   config file (env TRACEDECK_CONFIG, default
                   $XDG_CONFIG_HOME/tracedeck/config.toml)
    --json         print one JSON document on stdout
    --help         show this help`;

/** What a command reads of its parsed command line. */
export type ParsedFlags<Flags extends AnyFlags> = Pick<Result<Flags & typeof COMMON_FLAGS>, 'input' | 'flags'>;

/**
 * Parse a subcommand's argv. `help` is the command's own text. A plain
 * command line is parsed here (plain-flags.ts); anything else goes to meow,
 * which loads only then: it prints the help on --help and rejects unknown
 * flags with exit code 2. --config takes effect here, for every setting the
 * command reads next.
 */
export async function parseFlags<Flags extends AnyFlags>(argv: string[], help: string, flags: Flags): Promise<ParsedFlags<Flags>> {
	const all = {...COMMON_FLAGS, ...flags};
	let result = plainFlags(argv, all) as ParsedFlags<Flags> | undefined;
	if (result === undefined) {
		const {default: meow} = await import('meow');
		result = meow(help, {
			importMeta: import.meta,
			argv,
			flags: all,
			allowUnknownFlags: false,
			autoVersion: false,
			description: false,
			booleanDefault: undefined,
		}) as Result<Flags & typeof COMMON_FLAGS>;
	} else {
		// What meow sets from package.json's bin, so `ps` names the process the same either way.
		process.title = 'tracedeck';
	}

	// Every setting after this reads the file --config names (or, without it, TRACEDECK_CONFIG's or the default).
	setConfigFlag((result.flags as {config?: string}).config);
	return result;
}

/** "--since 24h" → epoch ms of that moment before now. */
export function sinceToMs(since: string | undefined, now = Date.now()): number | undefined {
	if (since === undefined) {
		return undefined;
	}

	const ms = parseDuration(since);
	if (ms !== undefined) {
		return now - ms;
	}

	const at = Date.parse(since);
	if (Number.isNaN(at)) {
		throw new InputError(`--since "${since}" is neither a duration (90s, 15m, 24h, 7d) nor a date`);
	}

	return at;
}

export function requireArgs(input: string[], count: number, what: string): void {
	if (input.length < count) {
		throw new InputError(`missing ${what}; see --help`);
	}
}
