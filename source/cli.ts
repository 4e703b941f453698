import {sanitize, sanitizeMessage} from './core/sanitize.js';
import {TracedeckError} from './core/errors.js';
import {wantsColor} from './core/terminal-env.js';
import {COMMANDS} from './commands/command-table.js';
import {knownFailure} from './commands/known-failure.js';

function usage(): string {
	const width = Math.max(...Object.keys(COMMANDS).map(name => name.length));
	const lines = Object.entries(COMMANDS).map(([name, entry]) => `  tracedeck ${name.padEnd(width)}  ${entry.summary}`);
	return ['tracedeck: a terminal incident console for runs and traces', '', 'Usage', ...lines, '', 'Every command takes --help. Read commands take --json.', 'Environment: TRACEDECK_HOME (--home, default ~/.tracedeck), TRACEDECK_REDIS_URL (--redis), NO_COLOR.'].join('\n');
}

/** Pick the command: "runs <verb>" is two words, everything else one; no words opens the console. */
function route(argv: string[]): {name: string; rest: string[]} | undefined {
	const [first, second] = argv;
	if (first === undefined || first.startsWith('-')) {
		return {name: 'console', rest: argv};
	}

	if (first === 'runs') {
		const name = `runs ${second ?? ''}`;
		return COMMANDS[name] ? {name, rest: argv.slice(2)} : undefined;
	}

	return COMMANDS[first] && first !== 'console' ? {name: first, rest: argv.slice(1)} : first === 'console' ? {name: 'console', rest: argv.slice(1)} : undefined;
}

export async function main(argv: string[]): Promise<number> {
	if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
		process.stdout.write(`${usage()}\n`);
		return 0;
	}

	if (argv[0] === '--version' || argv[0] === '-v') {
		const {createRequire} = await import('node:module');
		const pkg = createRequire(import.meta.url)('../package.json') as {version: string};
		process.stdout.write(`${pkg.version}\n`);
		return 0;
	}

	if (!wantsColor(process.env)) {
		process.env['FORCE_COLOR'] = '0';
	}

	const routed = route(argv);
	if (!routed) {
		const what = argv[0] === 'runs' ? `runs ${argv[1] ?? ''}`.trim() : (argv[0] ?? '');
		process.stderr.write(`tracedeck: unknown command "${sanitizeMessage(what)}"; see tracedeck --help\n`);
		return 2;
	}

	try {
		const command = await COMMANDS[routed.name]!.load();
		return await command.run(routed.rest);
	} catch (error) {
		// The one place command errors are printed: their messages often quote input (a line, a value, a run name), so one line, no escapes, hidden characters shown.
		if (error instanceof TracedeckError) {
			process.stderr.write(`tracedeck: ${sanitizeMessage(error.message)}\n`);
			return error.exitCode;
		}

		const known = knownFailure(error);
		if (known) {
			process.stderr.write(`tracedeck: ${sanitizeMessage(known.message)}\n`);
			return known.exitCode;
		}

		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`tracedeck: internal error: ${sanitizeMessage(message)}${process.env['TRACEDECK_DEBUG'] ? `\n${sanitize((error as Error).stack ?? '')}` : ' (set TRACEDECK_DEBUG=1 for details)'}\n`);
		return 70;
	}
}
