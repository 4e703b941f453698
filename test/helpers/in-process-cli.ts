import {main} from '../../source/cli.js';
import {type CliEnvOptions, cliEnvChanges} from './cli-env.js';
import type {CliResult} from './run-cli.js';

/**
 * Run `tracedeck <args>` inside the test process, as bin/tracedeck.js would
 * (cli.ts's main, its one error printer and exit code), with stdout and
 * stderr captured and `env` set for the call alone: many runs cost what one
 * spawn does. Only for commands that print and return; meow exits the
 * process on --help and unknown flags, so give neither.
 */
export async function runInProcess(args: readonly string[], options: CliEnvOptions = {}): Promise<CliResult> {
	const env = cliEnvChanges(options);
	const saved = Object.fromEntries(Object.keys(env).map(key => [key, process.env[key]]));
	const out: string[] = [];
	const err: string[] = [];
	const {stdout, stderr} = process;
	const writeOut = stdout.write;
	const writeErr = stderr.write;
	// Commands write strings; the test runner's own reports (bytes, in a child of node --test) go through as they were.
	const capture = (into: string[], original: typeof stdout.write, stream: NodeJS.WriteStream) =>
		((chunk: string | Uint8Array, ...rest: never[]): boolean => {
			if (typeof chunk !== 'string') {
				return original.call(stream, chunk, ...rest);
			}

			into.push(chunk);
			return true;
		}) as typeof stdout.write;
	for (const [key, value] of Object.entries(env)) {
		setEnv(key, value);
	}

	stdout.write = capture(out, writeOut, stdout);
	stderr.write = capture(err, writeErr, stderr);
	try {
		const code = await main([...args]);
		return {code, stdout: out.join(''), stderr: err.join('')};
	} finally {
		stdout.write = writeOut;
		stderr.write = writeErr;
		for (const [key, value] of Object.entries(saved)) {
			setEnv(key, value);
		}
	}
}

function setEnv(key: string, value: string | undefined): void {
	if (value === undefined) {
		delete process.env[key];
	} else {
		process.env[key] = value;
	}
}
