import os from 'node:os';
import path from 'node:path';

/** The tracedeck home: --home, else TRACEDECK_HOME, else ~/.tracedeck. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
	const chosen = flag ?? env['TRACEDECK_HOME'];
	return path.resolve(chosen && chosen !== '' ? chosen : path.join(os.homedir(), '.tracedeck'));
}

/** The Redis URL that turns on live streams, or undefined for SQLite alone. */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const chosen = flag ?? env['TRACEDECK_REDIS_URL'];
	return chosen && chosen !== '' ? chosen : undefined;
}
