import {generateDataset} from '../demo/generate.js';
import {InputError} from '../core/errors.js';
import {sanitize} from '../core/sanitize.js';
import {SqliteStore} from '../store/sqlite-store.js';
import type {Store} from '../store/store.js';
import {homeSetting, resolveRedisUrl} from '../live/settings.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {writeJson} from './write-json.js';
import {checkDemoHome, DEMO_DEFAULT_HOME, DEMO_MARKER, resetDemoHome} from './demo-home.js';

const HELP = `
  Usage
    $ tracedeck demo [--home <dir>] [--runs 80] [--seed 7] [--no-live] [--no-console]

  Fills a demo home with generated runs of the last 24 hours (CI pipelines,
  deploys, loan-approval sagas with compensations, agent workflows with AI
  decisions; failures, retries, stderr, runs still running), starts a
  simulated live deploy that emits events for about a minute at a time (about
  one run in three fails its checkout smoke test and rolls back), and opens
  the console on it. With Redis reachable (--redis, TRACEDECK_REDIS_URL, or a
  local server on 127.0.0.1:6379) the live run streams through Redis;
  otherwise the console polls SQLite.

  The home is --home, else TRACEDECK_HOME, else ~/.tracedeck-demo. Demo only
  fills a new or empty folder, or one it filled before (marked by
  ${DEMO_MARKER}), whose runs it then replaces; it refuses any other home
  (exit 2) and deletes nothing there.

  Without a terminal it fills the home, prints its path and exits, as with
  --no-console.

  Options
    --runs <n>       generated runs (default 80)
    --seed <n>       seed of the generated runs and of the live runs (live run k
                     uses seed + k; default 7)
    --no-live        no simulated live run
    --no-console     fill the home and exit (prints its path)
    --redis <url>    Redis for the live run
${COMMON_HELP}
`;

const MAX_RUNS = 100_000;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		runs: {type: 'number', default: 80},
		seed: {type: 'number', default: 7},
		live: {type: 'boolean', default: true},
		console: {type: 'boolean', default: true},
		redis: {type: 'string'},
	});
	const {flags} = cli;
	if (!Number.isSafeInteger(flags.runs) || flags.runs < 1 || flags.runs > MAX_RUNS) {
		throw new InputError(`--runs must be a whole number from 1 to ${MAX_RUNS}`);
	}

	if (!Number.isSafeInteger(flags.seed)) {
		throw new InputError('--seed must be a whole number');
	}

	if (flags.db !== undefined) {
		throw new InputError('demo fills a SQLite home of its own and takes no --db; to try PostgreSQL, ingest into it: tracedeck ingest --db <url> <files>');
	}

	const {home, source} = homeSetting(flags.home, process.env, DEMO_DEFAULT_HOME);
	checkDemoHome(home, source);
	const now = new Date();
	const dataset = generateDataset({seed: flags.seed, runs: flags.runs, now, running: 2, stalled: 1});
	resetDemoHome(
		home,
		dataset.map(events => events[0]!.trace_id),
		now,
	);
	// The demo's home is its own, so its index is the SQLite file there whatever --db says elsewhere.
	const index = SqliteStore.open(home);
	for (const events of dataset) {
		await index.appendEvents(events);
	}

	const terminal = process.stdout.isTTY === true && process.stdin.isTTY === true;
	if (!flags.console || !terminal) {
		await index.close();
		if (flags.json) {
			writeJson({home, runs: dataset.length});
		} else {
			process.stdout.write(`${home}\n`);
		}

		if (flags.console) {
			// Asked for the console without a terminal (a pipe, CI, `ssh host cmd`): the home is still worth having.
			process.stderr.write(`tracedeck: no terminal, so no console and no live run; the demo home is filled: open it with tracedeck --home ${sanitize(home, true)}\n`);
		}

		return 0;
	}

	const {openConsole} = await import('./open-console.js');
	const live = flags.live ? await startLiveDemo(index, resolveRedisUrl(flags.redis) ?? 'redis://127.0.0.1:6379', flags.seed) : undefined;
	try {
		return await openConsole({home, redisUrl: live?.redisUrl});
	} finally {
		await live?.stop();
		await index.close();
	}
}

interface LiveDemo {
	redisUrl?: string;
	stop(): Promise<void>;
}

/** The simulated live run, looping until the console closes; Redis only when it answers. */
async function startLiveDemo(index: Store, redisUrl: string, seed: number): Promise<LiveDemo> {
	const {startDemoLoop} = await import('../live/demo-loop.js');
	return startDemoLoop(index, redisUrl, {seed});
}
