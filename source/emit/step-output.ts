import {HEARTBEAT_EVENT_TYPE} from '../core/heartbeat.js';
import {redactLines} from '../core/redact.js';
import {truncatedLine, type TailLine} from './line-tail.js';
import type {EventInput} from './trace-context.js';

/** Which of the command's streams a line came from (`data.stream` of its log event). */
export type OutputStream = 'stdout' | 'stderr';

/** How much of a step's output is recorded, and how often (README, exec). */
export interface StepOutputLimits {
	/** A batch waits at most this long... */
	flushMs: number;
	/** ...or until it holds this many lines. */
	batchLines: number;
	/** Lines kept per second of output; the rest are counted in a "lines dropped" marker. */
	linesPerSecond: number;
	/** Lines kept per step, all attempts together. */
	linesPerStep: number;
}

export const STEP_OUTPUT_LIMITS: StepOutputLimits = {flushMs: 250, batchLines: 100, linesPerSecond: 200, linesPerStep: 10_000};

/** The heartbeat's period: often enough that a quiet step never reaches the stuck threshold, at most once a minute. */
export function heartbeatMs(stuckAfterMs: number): number {
	return Math.max(1, Math.min(60_000, Math.floor(stuckAfterMs / 3)));
}

export interface StepOutputOptions {
	/** Stores events; it handles its own failures (CiRecorder warns once and stops). */
	record: (events: EventInput[]) => Promise<unknown>;
	/** Period of the `step:progress` heartbeat sent while nothing else was recorded. */
	heartbeatMs: number;
	limits?: Partial<StepOutputLimits>;
	now?: () => number;
}

interface Pending {
	line: TailLine;
	stream: OutputStream;
}

/**
 * A running step's output, recorded as it comes: each line a `log:stdout` or
 * `log:stderr` event on the step's span, in batches, within caps (a noisy
 * step must not flood the store), with a heartbeat while the command is
 * quiet so that a healthy long step is never stuck. Lines that come before
 * the step's span is known (exec records it after the spawn) wait for attach.
 */
export class StepOutput {
	private readonly limits: StepOutputLimits;
	private readonly now: () => number;
	private base: EventInput | null = null;
	private batch: Pending[] = [];
	private timer: NodeJS.Timeout | null = null;
	private readonly heartbeat: NodeJS.Timeout;
	private chain: Promise<unknown> = Promise.resolve();
	private kept = 0;
	private windowStart = 0;
	private windowCount = 0;
	private dropped = 0;
	private recordedSinceBeat = false;
	private closed = false;

	constructor(private readonly options: StepOutputOptions) {
		this.limits = {...STEP_OUTPUT_LIMITS, ...options.limits};
		this.now = options.now ?? Date.now;
		this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
		this.heartbeat.unref();
	}

	/** The step's span is known: `base` is an event on it (its type is replaced). */
	attach(base: EventInput): void {
		this.base = base;
		this.schedule();
	}

	/** A line the command wrote, kept unless a cap is reached. */
	line(stream: OutputStream, line: TailLine): void {
		if (this.closed) {
			return;
		}

		const at = this.now();
		if (at - this.windowStart >= 1000) {
			this.windowStart = at;
			this.windowCount = 0;
		}

		if (this.kept >= this.limits.linesPerStep || this.windowCount >= this.limits.linesPerSecond) {
			this.dropped++;
			this.schedule();
			return;
		}

		this.kept++;
		this.windowCount++;
		this.batch.push({line, stream});
		this.schedule();
	}

	/** Record what is left and stop the heartbeat; resolves when all batches are stored. */
	async close(): Promise<void> {
		this.closed = true;
		clearInterval(this.heartbeat);
		this.flush();
		await this.chain;
	}

	private schedule(): void {
		if (this.base === null) {
			return;
		}

		if (this.batch.length >= this.limits.batchLines) {
			this.flush();
		} else if (this.timer === null) {
			this.timer = setTimeout(() => this.flush(), this.limits.flushMs);
			this.timer.unref();
		}
	}

	private flush(): void {
		if (this.timer !== null) {
			clearTimeout(this.timer);
			this.timer = null;
		}

		const base = this.base;
		if (base === null || (this.batch.length === 0 && this.dropped === 0)) {
			return;
		}

		const batch = this.batch;
		this.batch = [];
		const events: EventInput[] = [];
		for (const stream of ['stdout', 'stderr'] as const) {
			const lines = batch.filter(pending => pending.stream === stream).map(pending => pending.line);
			// Redacted as lines: a private key printed over several lines is hidden whole (the emitter redacts each line again).
			const texts = redactLines(lines.map(line => line.text));
			lines.forEach((line, i) => {
				events.push({...base, event_type: `log:${stream}`, timestamp: new Date(line.at_ms).toISOString(), data: {line: truncatedLine(line, texts[i]), stream}});
			});
		}

		// Back in the order they were written, whichever stream: a stable sort keeps each stream's own order.
		events.sort((a, b) => Date.parse(a.timestamp!) - Date.parse(b.timestamp!));
		if (this.dropped > 0) {
			const {linesPerSecond, linesPerStep} = this.limits;
			events.push({...base, event_type: 'log:dropped', timestamp: new Date(this.now()).toISOString(), data: {line: `tracedeck: ${this.dropped} lines dropped (at most ${linesPerSecond} lines a second and ${linesPerStep} a step are recorded)`, dropped: this.dropped}});
			this.dropped = 0;
		}

		this.send(events);
	}

	private beat(): void {
		if (this.base === null || this.closed) {
			return;
		}

		if (this.recordedSinceBeat) {
			this.recordedSinceBeat = false;
			return;
		}

		// Pending: it moves the run's last event time and nothing else (not the span's name, kind or status).
		this.send([{...this.base, event_type: HEARTBEAT_EVENT_TYPE, status: 'pending'}]);
		this.recordedSinceBeat = false;
	}

	private send(events: EventInput[]): void {
		this.recordedSinceBeat = true;
		// One write at a time, in order: a batch never overtakes the one before it.
		this.chain = this.chain.then(() => this.options.record(events)).catch(() => undefined);
	}
}
