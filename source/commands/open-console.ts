import {stuckAfterMs} from '../live/active-runs.js';
import type {ConsoleOptions} from '../tui/console-options.js';
import {resolveRedisUrl} from '../live/settings.js';

/**
 * Start the Ink console: the only path from the CLI into ink and React.
 * Settings the flags did not give come from TRACEDECK_REDIS_URL and
 * TRACEDECK_STUCK_AFTER.
 */
export async function openConsole(options: ConsoleOptions): Promise<number> {
	if (!process.stdout.isTTY || !process.stdin.isTTY) {
		process.stderr.write('tracedeck: the console needs a terminal; for scripts use `tracedeck runs list` or `runs show <run> --json`\n');
		return 2;
	}

	// ink reads CI / CONTINUOUS_INTEGRATION once, at import, and then draws only the
	// final frame. We only get here with a terminal on both ends, so a person is
	// watching (a CI shell opened over SSH, say): draw every frame.
	for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) {
		if (key in process.env) {
			process.env[key] = 'false';
		}
	}

	const {startConsole} = await import('../tui/start-console.js');
	return startConsole({
		...options,
		redisUrl: options.redisUrl ?? resolveRedisUrl(undefined),
		stuckAfterMs: options.stuckAfterMs ?? stuckAfterMs(),
	});
}
