import {spawnSync} from 'node:child_process';
import {nowMs} from './stats.js';
import {BIN, REPO} from './workspace.js';

export interface Timed {
	ms: number;
	stdout: string;
}

/** Wall time of a process from spawn to exit, stdout collected; throws on a non-zero exit. */
export function spawnMs(args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
	const start = nowMs();
	const result = spawnSync(process.execPath, args, {cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 30, env: {...process.env, NO_COLOR: '1', ...env}});
	const ms = nowMs() - start;
	if (result.status !== 0) {
		throw new Error(`${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.slice(0, 500)}`);
	}

	return {ms, stdout: result.stdout};
}

/** `node bin/tracedeck.js <args>` against a home. */
export function tracedeckMs(home: string, args: readonly string[]): Timed {
	return spawnMs([BIN, ...args], {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''});
}

/**
 * The bare-node floor: `node -e` that opens runs.db with better-sqlite3 and
 * does the same reads, printing JSON. `script` is CommonJS; DB is the path.
 */
export function bareNodeMs(dbFile: string, script: string, env: NodeJS.ProcessEnv = {}): Timed {
	return spawnMs(['-e', script], {DB: dbFile, ...env});
}
