import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {TraceEvent} from '../core/trace-event.js';
import {makePrivateDir, PRIVATE_FILE_MODE} from '../store/private-files.js';

/*
 * Events a remote sender could not deliver, kept on disk until `tracedeck
 * serve` takes them: `<home>/spool/<time>-<pid>-<random>.jsonl`, one
 * TraceEvent per line, 0600. Files sort by creation, so replaying them by
 * name replays events in the order they were written. A process appends
 * only to its own file; it replays its own files and those of processes
 * that have exited (the previous exec on this runner), never a live
 * process's file, which may be growing. A file being replayed is renamed
 * `.jsonl.<pid>.claimed` first, so two replayers never send one file.
 * The spool is capped by bytes: what would pass the cap is dropped, said
 * once, and counted.
 */

export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;
const SPOOL_FILE = /^(\d{15})-(\d+)-[0-9a-f]{8}\.jsonl(?:\.(\d+)\.claimed)?$/;

export interface SpoolOptions {
	maxBytes?: number;
	warn: (message: string) => void;
	/** Whether a process is alive (default: signal 0). */
	isAlive?: (pid: number) => boolean;
	now?: () => number;
}

/** A file taken for replay: its events, in order. */
export interface SpoolClaim {
	readonly file: string;
	readonly events: TraceEvent[];
}

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists, under another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export class EventSpool {
	readonly dir: string;
	private readonly maxBytes: number;
	private readonly warn: (message: string) => void;
	private readonly isAlive: (pid: number) => boolean;
	private readonly now: () => number;
	private current: string | undefined;
	private bytes: number | undefined;
	private full = false;
	/** Events dropped by this process because the spool was full. */
	dropped = 0;
	/** Events this process put in the spool. */
	spooled = 0;

	constructor(home: string, options: SpoolOptions) {
		this.dir = path.join(home, 'spool');
		this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
		this.warn = options.warn;
		this.isAlive = options.isAlive ?? processAlive;
		this.now = options.now ?? Date.now;
	}

	/** Spool files, oldest first: [name, pid of its writer, pid that claimed it or undefined]. */
	private files(): Array<{name: string; writer: number; claimer: number | undefined}> {
		let names: string[];
		try {
			names = fs.readdirSync(this.dir);
		} catch {
			return [];
		}

		const files = [];
		for (const name of names.sort()) {
			const match = SPOOL_FILE.exec(name);
			if (match) {
				files.push({name, writer: Number(match[2]), claimer: match[3] === undefined ? undefined : Number(match[3])});
			}
		}

		return files;
	}

	private totalBytes(): number {
		if (this.bytes === undefined) {
			this.bytes = 0;
			for (const {name} of this.files()) {
				try {
					this.bytes += fs.statSync(path.join(this.dir, name)).size;
				} catch {
					// Replayed meanwhile by another process.
				}
			}
		}

		return this.bytes;
	}

	/**
	 * Keep `events` for later, after everything spooled before them.
	 * @returns false when the cap left no room: they were dropped (counted, and said once until there is room again).
	 */
	append(events: readonly TraceEvent[]): boolean {
		if (events.length === 0) {
			return true;
		}

		const text = events.map(event => `${JSON.stringify(event)}\n`).join('');
		const size = Buffer.byteLength(text);
		if (this.totalBytes() + size > this.maxBytes) {
			this.dropped += events.length;
			if (!this.full) {
				this.full = true;
				this.warn(`the spool in ${this.dir} is full (${Math.round(this.maxBytes / 1024)} KiB): events are being dropped until the endpoint takes what is spooled (${this.dropped} so far)`);
			}

			return false;
		}

		if (this.current === undefined) {
			makePrivateDir(this.dir);
			const stamp = String(this.now()).padStart(15, '0');
			this.current = path.join(this.dir, `${stamp}-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
		}

		fs.appendFileSync(this.current, text, {mode: PRIVATE_FILE_MODE});
		this.bytes = this.totalBytes() + size;
		this.spooled += events.length;
		return true;
	}

	/** Whether anything this process may replay is waiting. */
	hasReplayable(): boolean {
		return this.files().some(file => this.mayClaim(file));
	}

	private mayClaim(file: {writer: number; claimer: number | undefined}): boolean {
		const owner = file.claimer ?? file.writer;
		return owner === process.pid ? file.claimer === undefined : !this.isAlive(owner);
	}

	/**
	 * Take the oldest file this process may replay, or undefined when none.
	 * Its events are then this process's to send and release().
	 */
	claimNext(): SpoolClaim | undefined {
		for (const file of this.files()) {
			if (!this.mayClaim(file)) {
				continue;
			}

			const from = path.join(this.dir, file.name);
			const base = file.name.replace(/\.\d+\.claimed$/, '');
			const to = path.join(this.dir, `${base}.${process.pid}.claimed`);
			try {
				fs.renameSync(from, to);
			} catch {
				continue; // Another replayer took it first.
			}

			if (this.current !== undefined && path.basename(this.current) === base) {
				// What this process spools from now on goes after it, in a file of its own.
				this.current = undefined;
			}

			return {file: to, events: readEvents(to, this.warn)};
		}

		return undefined;
	}

	/** Done with a claim: `remaining` (its unsent tail) goes back in its place, or the file goes. */
	release(claim: SpoolClaim, remaining: readonly TraceEvent[]): void {
		const before = this.totalBytes();
		let size = 0;
		try {
			size = fs.statSync(claim.file).size;
		} catch {}

		if (remaining.length === 0) {
			fs.rmSync(claim.file, {force: true});
			this.bytes = Math.max(0, before - size);
		} else {
			const text = remaining.map(event => `${JSON.stringify(event)}\n`).join('');
			const back = claim.file.replace(/\.\d+\.claimed$/, '');
			fs.writeFileSync(claim.file, text, {mode: PRIVATE_FILE_MODE});
			fs.renameSync(claim.file, back);
			this.bytes = Math.max(0, before - size + Buffer.byteLength(text));
		}

		if (this.bytes < this.maxBytes) {
			this.full = false;
		}
	}

	/** Events waiting in the spool, every process's. */
	pendingEvents(): number {
		let n = 0;
		for (const {name} of this.files()) {
			try {
				const text = fs.readFileSync(path.join(this.dir, name), 'utf8');
				n += text.split('\n').filter(line => line !== '').length;
			} catch {}
		}

		return n;
	}
}

/** A spool file's events; a line cut short (the machine died mid-write) is skipped with a warning. */
function readEvents(file: string, warn: (message: string) => void): TraceEvent[] {
	const events: TraceEvent[] = [];
	let bad = 0;
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		if (line === '') {
			continue;
		}

		try {
			events.push(JSON.parse(line) as TraceEvent);
		} catch {
			bad++;
		}
	}

	if (bad > 0) {
		warn(`${bad} unreadable line(s) in the spool file ${file} skipped`);
	}

	return events;
}
