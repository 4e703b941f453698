import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import {nowMs} from './stats.js';
import {REPO} from './workspace.js';

// CSI/OSC/other escapes, so "visible" means text a person would see.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;

export function visibleText(raw: string): string {
	return raw.replace(ESCAPES, '').replace(/[\u0000-\u001f]/g, '');
}

/** Output quiet this long after a burst means the burst (a frame) is complete. */
export const FRAME_QUIET_MS = 60;

function shellQuote(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Chunk {
	at: number;
	text: string;
}

/**
 * A process under a pseudo-terminal, via util-linux `script` (node-pty is
 * not installed). Output chunks are timestamped as they arrive, so frame
 * times are "key written → frame bytes read", what a user at the other end of
 * the terminal waits for.
 */
export class PtySession {
	/** `argv` runs with the terminal set to cols×rows; env is added to ours. */
	static start(argv: readonly string[], env: NodeJS.ProcessEnv = {}, size = {cols: 120, rows: 40}): PtySession {
		return new PtySession(argv, env, size);
	}

	readonly startedAt: number;
	readonly chunks: Chunk[] = [];
	readonly exited: Promise<number | null>;
	private readonly child: ChildProcess;
	private waiters: Array<() => void> = [];
	private done = false;

	private constructor(argv: readonly string[], env: NodeJS.ProcessEnv, size: {cols: number; rows: number}) {
		const command = `stty cols ${size.cols} rows ${size.rows}; exec ${argv.map(word => shellQuote(word)).join(' ')}`;
		this.startedAt = nowMs();
		this.child = spawn('script', ['-qfec', command, '/dev/null'], {cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, TERM: 'xterm-256color', ...env}});
		this.child.stdout!.setEncoding('utf8');
		this.child.stdout!.on('data', (text: string) => {
			this.chunks.push({at: nowMs(), text});
			this.wake();
		});
		this.child.stderr!.resume();
		this.exited = new Promise(resolve => {
			this.child.on('exit', code => {
				this.done = true;
				this.wake();
				resolve(code);
			});
		});
	}

	get pid(): number {
		return this.child.pid!;
	}

	get output(): string {
		return this.chunks.map(chunk => chunk.text).join('');
	}

	private wake(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) {
			wake();
		}
	}

	private async next(deadline: number): Promise<boolean> {
		const left = deadline - nowMs();
		if (left <= 0 || this.done) {
			return false;
		}

		return new Promise(resolve => {
			const timer = setTimeout(() => resolve(false), left);
			this.waiters.push(() => {
				clearTimeout(timer);
				resolve(true);
			});
		});
	}

	/** Time of the first chunk at index ≥ `from` with visible text, or null on timeout/exit. */
	async firstVisible(from: number, timeoutMs: number): Promise<{at: number; index: number} | null> {
		const deadline = nowMs() + timeoutMs;
		for (let i = from; ; ) {
			for (; i < this.chunks.length; i++) {
				if (visibleText(this.chunks[i]!.text).trim() !== '') {
					return {at: this.chunks[i]!.at, index: i};
				}
			}

			if (!(await this.next(deadline))) {
				return null;
			}
		}
	}

	/** Time of the first chunk at index ≥ `from` whose visible text matches, or null on timeout/exit. */
	async firstMatching(pattern: RegExp, from: number, timeoutMs: number): Promise<{at: number; index: number} | null> {
		const deadline = nowMs() + timeoutMs;
		for (let i = from; ; ) {
			for (; i < this.chunks.length; i++) {
				if (pattern.test(visibleText(this.chunks[i]!.text))) {
					return {at: this.chunks[i]!.at, index: i};
				}
			}

			if (!(await this.next(deadline))) {
				return null;
			}
		}
	}

	/**
	 * Wait until output has been quiet for `quietMs`; the time of the last
	 * chunk then is when the burst (a frame, or a load with a spinner) ended.
	 */
	async settle(quietMs: number, timeoutMs: number): Promise<number | null> {
		const deadline = nowMs() + timeoutMs;
		for (;;) {
			const seen = this.chunks.length;
			const quietUntil = Math.min(deadline, nowMs() + quietMs);
			while (this.chunks.length === seen && nowMs() < quietUntil && !this.done) {
				await this.next(quietUntil);
			}

			if (this.chunks.length === seen) {
				return seen === 0 ? null : this.chunks[seen - 1]!.at;
			}

			if (nowMs() >= deadline) {
				return null;
			}
		}
	}

	/** Write keys as typed; returns the time they were written. */
	press(keys: string): number {
		const at = nowMs();
		this.child.stdin!.write(keys);
		return at;
	}

	/** Processes under script, parents first: the program runs in a session of its own on the pty. */
	descendants(): number[] {
		const out: number[] = [];
		const stack = [this.child.pid!];
		while (stack.length > 0) {
			const pid = stack.pop()!;
			let tasks: string[] = [];
			try {
				tasks = fs.readdirSync(`/proc/${pid}/task`);
			} catch {
				continue;
			}

			for (const task of tasks) {
				let children = '';
				try {
					children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
				} catch {
					continue;
				}

				for (const child of children === '' ? [] : children.split(' ').map(Number)) {
					out.push(child);
					stack.push(child);
				}
			}
		}

		return out;
	}

	/**
	 * SIGKILL the program and script, by pid. The program sits in its own
	 * session on the pty, outside script's process group, so it is named
	 * explicitly rather than left to the hangup.
	 */
	kill(): void {
		if (this.done) {
			return;
		}

		for (const pid of [...this.descendants().reverse(), this.child.pid!]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
	}
}
