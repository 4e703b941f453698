import {COMMON_HELP, parseCommand, resolveHome, resolveRedisUrl} from './command-line.js';
import {openConsole} from './open-console.js';

const HELP = `
  Usage
    $ tracedeck [--home <dir>] [--redis <url>]

  Opens the console on the tracedeck home: runs (active first), then a run's
  trace, failure, compensations, decisions and diffs, all by keyboard. Press ?
  inside for the keys.

  Options
    --redis <url>  live updates from Redis Streams (env TRACEDECK_REDIS_URL)
${COMMON_HELP}
`;

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {redis: {type: 'string'}});
	return openConsole({home: resolveHome(cli.flags.home), redisUrl: resolveRedisUrl(cli.flags.redis)});
}
