import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {CliResult} from '../helpers/run-cli.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tracedeck.js');

/** runCli for outputs of many megabytes (a 10 MB stderr line, 10,000 levels): spawnSync's default buffer is 1 MB. */
export function runCliBig(args: readonly string[], home: string): CliResult {
	const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', TRACEDECK_HOME: home};
	delete env['TRACEDECK_REDIS_URL'];
	const result = spawnSync(process.execPath, [BIN, ...args], {env, input: '', encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024});
	if (result.error) {
		throw result.error;
	}

	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}
