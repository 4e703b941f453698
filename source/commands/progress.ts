export interface Progress {
	tick(label?: string): void;
	done(): void;
}

/** Where progress may be drawn: a terminal, and not a CI log (CI set, and not "false"), nor under --json. */
export function drawsProgress(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env, json = false): boolean {
	const ci = env['CI'];
	return Boolean(stream.isTTY) && !json && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

/**
 * Progress on stderr for long work, only when stderr is a terminal (a pipe or
 * a CI log gets nothing). Redraws at most ten times a second.
 */
export function progressReporter(what: string, total: number, stream: NodeJS.WriteStream = process.stderr, shown = drawsProgress(stream) && total > 1): Progress {
	let count = 0;
	let last = 0;
	return {
		tick(label) {
			count++;
			const now = Date.now();
			if (shown && (now - last > 100 || count === total)) {
				last = now;
				const tail = label ? ` ${label.length > 50 ? `…${label.slice(-49)}` : label}` : '';
				stream.write(`\r\u001b[2K${what} ${count}/${total}${tail}`);
			}
		},
		done() {
			if (shown) {
				stream.write('\r\u001b[2K');
			}
		},
	};
}

/** What one file's progress line says. */
export interface FileProgressState {
	file: string;
	/** Bytes read and checked so far, of `totalBytes`. */
	bytes: number;
	totalBytes: number;
	events: number;
	elapsedMs: number;
	/** Reading (bytes move) or storing (one transaction: nothing moves until it ends). */
	phase: 'reading' | 'storing';
	/** The bytes are stored as they are read (a file streamed into its transaction): no storing comes after the reading. */
	storedAlong?: boolean;
}

const UNITS = ['B', 'kB', 'MB', 'GB'];
/** Storing a file's events (redaction, digests, the fold, the transaction) against reading and checking them: 3 to 5 on the bench dataset, 50k to 300k events. */
const STORE_PER_READ = 4;
/** Reading that took this long means storing will take over a second: the storing line is drawn. */
const STORING_LINE_AFTER_MS = 400;

export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < UNITS.length - 1) {
		value /= 1000;
		unit++;
	}

	return `${unit === 0 ? value.toFixed(0) : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]!}`;
}

function formatDuration(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * One line, at most `width` columns (no wrap, which would break the
 * carriage-return redraw): file, bar, bytes of total, events, rate, ETA.
 * The file name goes first when the line is short of room.
 */
export function renderFileProgress(state: FileProgressState, width: number): string {
	const fraction = state.totalBytes > 0 ? Math.min(1, state.bytes / state.totalBytes) : 1;
	const seconds = state.elapsedMs / 1000;
	const events = `${state.events.toLocaleString('en-US')} events`;
	let figures: string;
	if (state.phase === 'storing') {
		// No clock: the line stays as drawn until the transaction ends, and a time that stood still would mislead.
		figures = `storing ${events} in one transaction…`;
	} else {
		const rate = seconds > 0 ? state.bytes / seconds : 0;
		// The whole ingest, not just the reading: storing takes about STORE_PER_READ times as long as reading and checking, unless it goes along.
		const eta = rate > 0 ? formatDuration((state.totalBytes / rate) * (state.storedAlong ? 1 : 1 + STORE_PER_READ) * 1000 - state.elapsedMs) : '?';
		figures = `${formatBytes(state.bytes)}/${formatBytes(state.totalBytes)}  ${events}  ${formatBytes(rate)}/s  ETA ${eta}`;
	}

	const barWidth = 20;
	const filled = Math.round(fraction * barWidth);
	const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
	const room = width - 1 - bar.length - figures.length - 4;
	const name = room >= 8 ? (state.file.length > room ? `…${state.file.slice(-(room - 1))}` : state.file) : '';
	const line = `${name ? `${name}  ` : ''}${bar}  ${figures}`;
	return [...line].slice(0, Math.max(0, width - 1)).join('');
}

/** When to draw: nothing in the first second (short work shows no bar), then at most every `intervalMs`. */
export class DrawThrottle {
	private last = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly startMs: number,
		private readonly delayMs = 1000,
		private readonly intervalMs = 100,
	) {}

	shouldDraw(nowMs: number): boolean {
		if (nowMs - this.startMs < this.delayMs || nowMs - this.last < this.intervalMs) {
			return false;
		}

		this.last = nowMs;
		return true;
	}

	/** Whether anything was drawn (and so needs clearing). */
	get drew(): boolean {
		return this.last !== Number.NEGATIVE_INFINITY;
	}
}

export interface FileProgress {
	/** Bytes read and checked so far of the file's total, and the events they held (`storedAlong`: and stored). Cheap: call it as often as you like. */
	read(bytes: number, totalBytes: number, events: number, storedAlong?: boolean): void;
	/** Only storing is left (the whole file, or the end of its transaction), so this line stays as it is drawn until done(). */
	storing(events: number): void;
	/** Clear the line, if one was drawn. */
	done(): void;
}

const NO_FILE_PROGRESS: FileProgress = {read() {}, storing() {}, done() {}};

export interface FileProgressOptions {
	stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
	env?: NodeJS.ProcessEnv;
	json?: boolean;
	now?: () => number;
}

/**
 * A progress line for one file on a terminal, for files that take over a
 * second: bytes read of the total, events, rate, ETA, redrawn at most ten
 * times a second and cleared at the end. Nothing at all on a non-terminal,
 * in CI or under --json.
 */
export function fileProgress(file: string, options: FileProgressOptions = {}): FileProgress {
	const stream = options.stream ?? process.stderr;
	if (!drawsProgress(stream, options.env, options.json)) {
		return NO_FILE_PROGRESS;
	}

	const now = options.now ?? Date.now;
	const start = now();
	const throttle = new DrawThrottle(start);
	const state: FileProgressState = {file, bytes: 0, totalBytes: 0, events: 0, elapsedMs: 0, phase: 'reading'};
	const draw = (force: boolean): void => {
		const at = now();
		if (force ? at - start >= STORING_LINE_AFTER_MS : throttle.shouldDraw(at)) {
			state.elapsedMs = at - start;
			stream.write(`\r\u001b[2K${renderFileProgress(state, stream.columns || 80)}`);
		}
	};

	let drawnStoring = false;
	return {
		read(bytes, totalBytes, events, storedAlong) {
			state.storedAlong = storedAlong === true;
			state.bytes = bytes;
			state.totalBytes = totalBytes;
			state.events = events;
			draw(false);
		},
		storing(events) {
			state.bytes = state.totalBytes;
			state.events = events;
			state.phase = 'storing';
			// Drawn whatever the throttle says: nothing redraws until the transaction ends.
			const at = now();
			draw(true);
			drawnStoring = at - start >= STORING_LINE_AFTER_MS;
		},
		done() {
			if (throttle.drew || drawnStoring) {
				stream.write('\r\u001b[2K');
			}
		},
	};
}
