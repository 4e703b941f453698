import os from 'node:os';
import path from 'node:path';

/** The tracedeck home: --home, else TRACEDECK_HOME, else `fallback` (~/.tracedeck; the demo has its own). */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback = path.join(os.homedir(), '.tracedeck')): string {
	const chosen = flag ?? env['TRACEDECK_HOME'];
	return path.resolve(chosen && chosen !== '' ? chosen : fallback);
}

/** The Redis URL that turns on live streams, or undefined for SQLite alone. */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const chosen = flag ?? env['TRACEDECK_REDIS_URL'];
	return chosen && chosen !== '' ? chosen : undefined;
}
