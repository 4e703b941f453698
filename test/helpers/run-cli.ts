import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tracedeck.js');

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** Run the built CLI (dist, via bin/tracedeck.js) as a user would, without a terminal. */
export function runCli(args: readonly string[], options: {home?: string; env?: NodeJS.ProcessEnv; input?: string; nodeArgs?: string[]} = {}): CliResult {
	const env: NodeJS.ProcessEnv = {...process.env};
	// The caller's Redis is never the test's, unless the test sets one itself.
	delete env['TRACEDECK_REDIS_URL'];
	Object.assign(env, options.env, {NO_COLOR: '1'});
	if (options.home !== undefined) {
		env['TRACEDECK_HOME'] = options.home;
	}

	const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {env, input: options.input ?? '', encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}
