import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {generateDataset} from '../../fixtures/generate.js';
import {RunIndex} from '../store/run-index.js';
import {COMMON_HELP, parseCommand, resolveRedisUrl, writeJson} from './command-line.js';

const HELP = `
  Usage
    $ tracedeck demo [--home <dir>] [--runs 80] [--seed 7] [--no-live] [--no-console]

  Fills a demo home (default ~/.tracedeck-demo, emptied first) with generated
  runs of the last 24 hours (CI pipelines, deploys, loan-approval sagas with
  compensations, agent workflows with AI decisions; failures, retries, stderr,
  runs still running), starts a simulated live deploy that emits events for
  about a minute at a time, and opens the console on it. With Redis reachable
  (--redis, TRACEDECK_REDIS_URL, or a local server on 127.0.0.1:6379) the live
  run streams through Redis; otherwise the console polls SQLite.

  Options
    --runs <n>       generated runs (default 80)
    --seed <n>       generator seed (default 7)
    --no-live        no simulated live run
    --no-console     fill the home and exit (prints its path)
    --redis <url>    Redis for the live run
${COMMON_HELP}
`;

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {
		runs: {type: 'number', default: 80},
		seed: {type: 'number', default: 7},
		live: {type: 'boolean', default: true},
		console: {type: 'boolean', default: true},
		redis: {type: 'string'},
	});
	const {flags} = cli;
	const home = path.resolve(flags.home ?? path.join(os.homedir(), '.tracedeck-demo'));
	fs.rmSync(path.join(home, 'runs.db'), {force: true});
	fs.rmSync(path.join(home, 'runs.db-wal'), {force: true});
	fs.rmSync(path.join(home, 'runs.db-shm'), {force: true});
	const index = RunIndex.open(home);
	const dataset = generateDataset({seed: flags.seed, runs: flags.runs, now: new Date(), running: 2, stalled: 1});
	for (const events of dataset) {
		index.appendEvents(events);
	}

	if (!flags.console) {
		index.close();
		if (flags.json) {
			writeJson({home, runs: dataset.length});
		} else {
			process.stdout.write(`${home}\n`);
		}

		return 0;
	}

	const {openConsole} = await import('./open-console.js');
	if (!process.stdout.isTTY || !process.stdin.isTTY) {
		index.close();
		return openConsole({home});
	}

	const live = flags.live ? await startLiveDemo(index, resolveRedisUrl(flags.redis) ?? 'redis://127.0.0.1:6379') : undefined;
	try {
		return await openConsole({home, redisUrl: live?.redisUrl});
	} finally {
		await live?.stop();
		index.close();
	}
}

interface LiveDemo {
	redisUrl?: string;
	stop(): Promise<void>;
}

/** The simulated live run, looping until the console closes; Redis only when it answers. */
async function startLiveDemo(index: RunIndex, redisUrl: string): Promise<LiveDemo> {
	const {startDemoLoop} = await import('../live/demo-loop.js');
	return startDemoLoop(index, redisUrl);
}
