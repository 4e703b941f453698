import {openConsole} from './open-console.js';
import {resolveDatabaseUrl, resolveHome, resolveRedisUrl} from '../live/settings.js';

const HELP = `
  Usage
    $ tracedeck [--home <dir> | --db <url>] [--redis <url>]

  Opens the console on the run index (the home's, or the shared one --db names): runs (active first), then a run's
  trace, failure, compensations, decisions and diffs, all by keyboard. Press ?
  inside for the keys.

  Options
    --redis <url>  live updates from Redis Streams (env TRACEDECK_REDIS_URL)
`;

export async function run(argv: string[]): Promise<number> {
	if (argv.length === 0) {
		// The common case, `tracedeck` alone: skip loading the flag parser (~0.1 s) before the first frame.
		return openConsole({home: resolveHome(undefined), databaseUrl: resolveDatabaseUrl(undefined), redisUrl: resolveRedisUrl(undefined)});
	}

	const {parseFlags, COMMON_HELP} = await import('./command-flags.js');
	const cli = await parseFlags(argv, `${HELP}${COMMON_HELP}\n`, {redis: {type: 'string'}});
	return openConsole({home: resolveHome(cli.flags.home), databaseUrl: resolveDatabaseUrl(cli.flags.db), redisUrl: resolveRedisUrl(cli.flags.redis)});
}
