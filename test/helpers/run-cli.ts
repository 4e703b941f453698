import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {type CliEnvOptions, cliEnv} from './cli-env.js';
import {REPO} from './repo-root.js';

/** The built CLI as a user runs it: bin/tracedeck.js, which loads dist. */
export const BIN = path.join(REPO, 'bin/tracedeck.js');

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** Run the built CLI (dist, via bin/tracedeck.js) as a user would, without a terminal. */
export function runCli(args: readonly string[], options: CliEnvOptions & {input?: string; nodeArgs?: string[]} = {}): CliResult {
	const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {env: cliEnv(options), input: options.input ?? '', encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}

/** runCli for outputs of many megabytes (a 10 MB stderr line, 10,000 levels): spawnSync's default buffer is 1 MB. */
export function runCliBig(args: readonly string[], home: string): CliResult {
	const result = spawnSync(process.execPath, [BIN, ...args], {env: cliEnv({home}), input: '', encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024});
	if (result.error) {
		throw result.error;
	}

	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}
