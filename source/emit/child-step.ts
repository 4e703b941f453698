import {spawn, type ChildProcess} from 'node:child_process';
import os from 'node:os';

/** How a wrapped command ended. */
export interface ChildOutcome {
	/** The shell convention: the exit code, 128 + n when killed by signal n, 127/126 when it could not start. */
	exitCode: number;
	/** The signal that killed it, if any. */
	signal: NodeJS.Signals | null;
	/** Why it could not start (command not found, not executable). */
	spawnError: Error | null;
	/** A signal tracedeck received and forwarded while the command ran (Ctrl-C, a CI cancel). */
	interrupted: NodeJS.Signals | null;
}

/** A started command. */
export interface ChildHandle {
	readonly pid: number | undefined;
	readonly done: Promise<ChildOutcome>;
}

/** Options of startChild. */
export interface ChildOptions {
	/** Every stderr chunk, after it has been passed through to our stderr. */
	onStderr?: (chunk: Buffer) => void;
	/** Every stdout chunk, after it has been passed through to our stdout; without it stdout is the command's own. */
	onStdout?: (chunk: Buffer) => void;
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/** How long to wait for stderr to drain after the command exits (a background grandchild may hold it open). */
	drainMs?: number;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

function signalNumber(signal: NodeJS.Signals): number {
	return (os.constants.signals as Record<string, number | undefined>)[signal] ?? 0;
}

function spawnErrorCode(error: NodeJS.ErrnoException): number {
	// What sh reports: 127 command not found, 126 found but not runnable.
	return error.code === 'ENOENT' ? 127 : error.code === 'EACCES' || error.code === 'EISDIR' ? 126 : 1;
}

/**
 * Pass a piped stream of the command's through to ours, byte for byte, and
 * hand each chunk on; resolves when the stream is done.
 */
function passThrough(from: NodeJS.ReadableStream & {destroy(): void}, to: NodeJS.WriteStream, onChunk: ((chunk: Buffer) => void) | undefined): Promise<void> {
	from.on('data', (chunk: Buffer) => {
		if (!to.write(chunk)) {
			// Our side is a slow pipe: hold the command back rather than buffer without bound.
			from.pause();
			to.once('drain', () => from.resume());
		}

		onChunk?.(chunk);
	});
	return new Promise<void>(resolve => {
		from.once('end', resolve);
		from.once('close', resolve);
		from.once('error', () => resolve());
	});
}

/**
 * Start a CI step's command. stdin is the command's own; stderr, and stdout
 * when `onStdout` is given, are passed through untouched and handed on.
 * One argument runs through the shell (`"npm ci && npm test"`), several run
 * as argv without one. Signals tracedeck receives while the command runs
 * are forwarded to it; tracedeck itself keeps running to record the outcome.
 */
export function startChild(command: readonly string[], options: ChildOptions = {}): ChildHandle {
	const [file, ...args] = command;
	if (file === undefined) {
		throw new Error('no command to run');
	}

	const stdio: ['inherit', 'inherit' | 'pipe', 'pipe'] = ['inherit', options.onStdout === undefined ? 'inherit' : 'pipe', 'pipe'];
	let child: ChildProcess;
	try {
		child = command.length === 1 ? spawn(file, {shell: true, stdio, env: options.env, cwd: options.cwd}) : spawn(file, args, {stdio, env: options.env, cwd: options.cwd});
	} catch (error) {
		// spawn throws at once on arguments it cannot pass (a NUL byte): the same outcome as a failed start.
		const spawnError = error instanceof Error ? error : new Error(String(error));
		return {pid: undefined, done: Promise.resolve({exitCode: spawnErrorCode(spawnError), signal: null, spawnError, interrupted: null})};
	}

	let interrupted: NodeJS.Signals | null = null;
	const forwarders = FORWARDED.map(signal => {
		const forward = (): void => {
			interrupted = signal;
			if (child.exitCode === null && child.signalCode === null) {
				child.kill(signal);
			}
		};

		process.on(signal, forward);
		return () => process.off(signal, forward);
	});

	const stderr = child.stderr!;
	const stdout = child.stdout;
	const drained = Promise.all([passThrough(stderr, process.stderr, options.onStderr), stdout === null ? undefined : passThrough(stdout, process.stdout, options.onStdout)]);

	const done = new Promise<ChildOutcome>(resolve => {
		let settled = false;
		const settle = (outcome: Omit<ChildOutcome, 'interrupted'>): void => {
			if (settled) {
				return;
			}

			settled = true;
			for (const remove of forwarders) {
				remove();
			}

			resolve({...outcome, interrupted});
		};

		child.once('error', (error: NodeJS.ErrnoException) => {
			if (child.pid === undefined) {
				settle({exitCode: spawnErrorCode(error), signal: null, spawnError: error});
			}
		});
		child.once('exit', (code, signal) => {
			const exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
			const timer = setTimeout(() => {
				stderr.destroy();
				stdout?.destroy();
			}, options.drainMs ?? 1000);
			void drained.then(() => {
				clearTimeout(timer);
				settle({exitCode, signal, spawnError: null});
			});
		});
	});

	return {pid: child.pid, done};
}
