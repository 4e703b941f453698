import {type ChildProcessWithoutNullStreams, spawn, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {type CliEnvOptions, cliEnv} from './cli-env.js';
import {COMPILED, REPO} from './repo-root.js';
import type {CliResult} from './run-cli.js';

// The CLI as its sources are now, so these tests need no build: through tsx from source/, or, where the
// tests run compiled (npm test, tsconfig.test.json), the compiled sources beside them, with no loader.
const CLI = COMPILED ? fileURLToPath(new URL('../../source/cli.js', import.meta.url)) : path.join(REPO, 'source/cli.ts');
const BOOT = `const {main} = await import(${JSON.stringify(pathToFileURL(CLI).href)}); process.exitCode = await main(process.argv.slice(1));`;

/** node's arguments that run `tracedeck <args>` from source (for a terminal the test starts itself). */
export const sourceCliArgv = (args: readonly string[]): string[] => [...(COMPILED ? [] : ['--import', 'tsx']), '--input-type=module', '-e', BOOT, ...args];

// React's production build, as bin/tracedeck.js chooses; BOOT does not pass through it.
const envOf = (options: CliEnvOptions): NodeJS.ProcessEnv => cliEnv({...options, env: {NODE_ENV: 'production', ...options.env}});

/** Run `tracedeck <args>` from source to completion, without a terminal. */
export function runSourceCli(args: readonly string[], options: CliEnvOptions = {}): CliResult {
	const result = spawnSync(process.execPath, sourceCliArgv(args), {cwd: REPO, env: envOf(options), encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}

/** Start `tracedeck <args>` from source and leave it running (serve). */
export function spawnSourceCli(args: readonly string[], options: CliEnvOptions = {}): ChildProcessWithoutNullStreams {
	return spawn(process.execPath, sourceCliArgv(args), {cwd: REPO, env: envOf(options)});
}
