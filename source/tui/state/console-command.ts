import {ANALYTICS_WINDOWS, type AnalyticsWindow, type LogLevelFilter} from './console-state.js';

/** A line typed after ":". */
export type ConsoleCommand =
	| {kind: 'run'; ref: string}
	| {kind: 'diff'; a: string; b: string}
	| {kind: 'runs'}
	| {kind: 'help'}
	| {kind: 'quit'}
	/** `:save <name>`: the runs filter into the config file. */
	| {kind: 'save-filter'; name: string}
	/** `:f <name>` applies a saved filter; `:f` alone lists them. */
	| {kind: 'filter'; name: string | null}
	/** `:analyze [window]`: the analytics screen, over that window (default: as it was, else 24h). */
	| {kind: 'analyze'; window: AnalyticsWindow | null}
	/** `:level [all|warn|error]`; alone, the next level. */
	| {kind: 'level'; level: LogLevelFilter | null}
	| {kind: 'error'; message: string};

export function parseConsoleCommand(text: string): ConsoleCommand {
	const [name = '', ...args] = text
		.trim()
		.replace(/^:/, '')
		.split(/\s+/)
		.filter(word => word !== '');
	switch (name) {
		case 'q':
		case 'q!':
		case 'quit':
		case 'exit': {
			return {kind: 'quit'};
		}

		case 'run':
		case 'open': {
			return args.length === 1 ? {kind: 'run', ref: args[0]!} : {kind: 'error', message: 'usage: :run <id>'};
		}

		case 'diff': {
			return args.length === 2 ? {kind: 'diff', a: args[0]!, b: args[1]!} : {kind: 'error', message: 'usage: :diff <a> <b>'};
		}

		case 'runs':
		case 'home': {
			return {kind: 'runs'};
		}

		case 'save': {
			return args.length === 1 ? {kind: 'save-filter', name: args[0]!} : {kind: 'error', message: 'usage: :save <name> (saves the runs filter)'};
		}

		case 'f':
		case 'filter': {
			return args.length <= 1 ? {kind: 'filter', name: args[0] ?? null} : {kind: 'error', message: 'usage: :f <name>, or :f to list the saved filters'};
		}

		case 'analyze':
		case 'analytics': {
			const window = ANALYTICS_WINDOWS.find(w => w === args[0]);
			return args.length === 0 || (args.length === 1 && window !== undefined) ? {kind: 'analyze', window: window ?? null} : {kind: 'error', message: `usage: :analyze [${ANALYTICS_WINDOWS.join('|')}]`};
		}

		case 'level': {
			const named = args[0] === 'all' ? 'info' : args[0];
			const level = named === 'info' || named === 'warn' || named === 'error' ? named : undefined;
			return args.length === 0 || (args.length === 1 && level !== undefined) ? {kind: 'level', level: level ?? null} : {kind: 'error', message: 'usage: :level [all|warn|error]'};
		}

		case 'help':
		case 'h': {
			return {kind: 'help'};
		}

		case '': {
			return {kind: 'error', message: 'empty command; try :run <id>, :diff <a> <b>, :q'};
		}

		default: {
			return {kind: 'error', message: `unknown command ":${name}"; try :run <id>, :diff <a> <b>, :q`};
		}
	}
}
