import {type ChildProcessWithoutNullStreams, spawn, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {type CliEnvOptions, cliEnv} from './cli-env.js';
import type {CliResult} from './run-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The CLI from source through tsx, so these tests need no build and see the code as it is now.
const BOOT = "const {main} = await import('./source/cli.ts'); process.exitCode = await main(process.argv.slice(1));";

/** node's arguments that run `tracedeck <args>` from source (for a terminal the test starts itself). */
export const sourceCliArgv = (args: readonly string[]): string[] => ['--import', 'tsx', '--input-type=module', '-e', BOOT, ...args];

// React's production build, as bin/tracedeck.js chooses; BOOT does not pass through it.
const envOf = (options: CliEnvOptions): NodeJS.ProcessEnv => cliEnv({...options, env: {NODE_ENV: 'production', ...options.env}});

/** Run `tracedeck <args>` from source to completion, without a terminal. */
export function runSourceCli(args: readonly string[], options: CliEnvOptions = {}): CliResult {
	const result = spawnSync(process.execPath, sourceCliArgv(args), {cwd: ROOT, env: envOf(options), encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}

/** Start `tracedeck <args>` from source and leave it running (serve). */
export function spawnSourceCli(args: readonly string[], options: CliEnvOptions = {}): ChildProcessWithoutNullStreams {
	return spawn(process.execPath, sourceCliArgv(args), {cwd: ROOT, env: envOf(options)});
}
