import {resolveDatabaseUrl, resolveHome} from '../live/settings.js';

/**
 * `runs show`'s entry. The common case in a terminal, `tracedeck runs show <run>`
 * and nothing else, opens the console's trace screen straight away: without
 * the flag parser and the report's modules (runs-show.ts loads both, about
 * 0.1 s) before the first frame. Everything else is runs-show.ts, which opens
 * the console the same way for these arguments.
 */
export async function run(argv: string[]): Promise<number> {
	const [ref] = argv;
	if (argv.length === 1 && ref !== undefined && ref !== '' && !ref.startsWith('-') && process.stdout.isTTY && process.stdin.isTTY) {
		const {openConsole} = await import('./open-console.js');
		return openConsole({home: resolveHome(undefined), databaseUrl: resolveDatabaseUrl(undefined), initial: {screen: 'trace', run: ref}});
	}

	const {run: show} = await import('./runs-show.js');
	return show(argv);
}
