import {spawn, spawnSync, type ChildProcessWithoutNullStreams} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The CLI from source through tsx, so these tests need no build and see the code as it is now.
const BOOT = "const {main} = await import('./source/cli.ts'); process.exitCode = await main(process.argv.slice(1));";

export interface SourceCliResult {
	code: number;
	stdout: string;
	stderr: string;
}

function cliEnv(home: string | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const out: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', NODE_ENV: 'production', ...env};
	delete out['TRACEDECK_REDIS_URL'];
	if (home !== undefined) {
		out['TRACEDECK_HOME'] = home;
	}

	return out;
}

const argvOf = (args: readonly string[]): string[] => ['--import', 'tsx', '--input-type=module', '-e', BOOT, ...args];

/** Run `tracedeck <args>` to completion, without a terminal. */
export function runSourceCli(args: readonly string[], options: {home?: string; env?: NodeJS.ProcessEnv} = {}): SourceCliResult {
	const result = spawnSync(process.execPath, argvOf(args), {cwd: ROOT, env: cliEnv(options.home, options.env ?? {}), encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}

/** Start `tracedeck <args>` and leave it running (serve). */
export function spawnSourceCli(args: readonly string[], options: {home?: string; env?: NodeJS.ProcessEnv} = {}): ChildProcessWithoutNullStreams {
	return spawn(process.execPath, argvOf(args), {cwd: ROOT, env: cliEnv(options.home, options.env ?? {})});
}
