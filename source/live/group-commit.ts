import type {TraceEvent} from '../core/trace-event.js';
import {StoreBusyError} from '../core/errors.js';
import type {AppendResult} from '../store/run-index.js';

export interface GroupCommitOptions {
	/** A batch takes queued writes up to about this many events (one write alone may pass it). */
	maxEvents: number;
	/** Store several writes in one transaction, one result per write, in order; all or nothing. */
	commitMany(writes: ReadonlyArray<readonly TraceEvent[]>): Promise<AppendResult[]>;
	/** Store one write alone. */
	commitOne(events: readonly TraceEvent[]): Promise<AppendResult>;
}

const noop = (): void => {};

/** Turns of the event loop a batch waits at most for more writes before it is committed. */
const MAX_WAIT_TURNS = 4;

interface Pending {
	events: readonly TraceEvent[];
	resolve(result: AppendResult): void;
	reject(error: unknown): void;
	/** Settles with the write, never rejects (drained). */
	done: Promise<void>;
}

/**
 * Group commit: writes that arrive while the event loop is busy (serve's
 * concurrent requests, decoded in the same turn) are stored in one
 * transaction, so N requests pay for one commit and one fold over all
 * their traces instead of N. A write is queued, the queue is taken on the
 * next turn that brings no new write (setImmediate: after the I/O callbacks
 * already waiting, so every request whose body has arrived joins; at most
 * a few turns), and each write's promise
 * settles once its batch is committed: answered after commit, as before.
 *
 * A batch is all or nothing, and one bad write must not fail the others:
 * when a batch fails for any reason but a locked store (which every write
 * would meet alike), its writes are stored again one by one, each settling
 * with its own result or error. Order is kept: writes are stored in arrival
 * order, within a batch and across batches.
 */
export class GroupCommit {
	private queue: Pending[] = [];
	/** The batch being stored. */
	private current: Pending[] = [];
	private scheduled = false;
	private running = false;

	constructor(private readonly options: GroupCommitOptions) {}

	write(events: readonly TraceEvent[]): Promise<AppendResult> {
		let settle: Pick<Pending, 'resolve' | 'reject'> | undefined;
		const written = new Promise<AppendResult>((resolve, reject) => {
			settle = {resolve, reject};
		});
		this.queue.push({events, ...settle!, done: written.then(noop, noop)});
		this.schedule();
		return written;
	}

	/**
	 * Settles once every write queued or being stored now is settled (never
	 * rejects; later writes are not waited for): a long job stored in parts
	 * lets the small writes that came meanwhile go before each of its parts.
	 */
	async drained(): Promise<void> {
		await Promise.all([...this.current, ...this.queue].map(pending => pending.done));
	}

	private schedule(): void {
		if (!this.scheduled && !this.running && this.queue.length > 0) {
			this.scheduled = true;
			this.settle(this.queue.length, 0);
		}
	}

	/**
	 * Flush once a turn of the event loop has added no write, or after
	 * MAX_WAIT_TURNS: requests decoded in slices (a turn each) reach the
	 * queue a turn or two apart, and joining them is worth a turn's wait.
	 */
	private settle(seen: number, turns: number): void {
		setImmediate(() => {
			if (this.queue.length > seen && turns + 1 < MAX_WAIT_TURNS) {
				this.settle(this.queue.length, turns + 1);
				return;
			}

			this.scheduled = false;
			void this.flush();
		});
	}

	private take(): Pending[] {
		let events = 0;
		let n = 0;
		while (n < this.queue.length && (n === 0 || events + this.queue[n]!.events.length <= this.options.maxEvents)) {
			events += this.queue[n]!.events.length;
			n++;
		}

		return this.queue.splice(0, n);
	}

	private async flush(): Promise<void> {
		this.running = true;
		try {
			const batch = this.take();
			this.current = batch;
			if (batch.length === 1) {
				await this.alone(batch[0]!);
			} else {
				await this.together(batch);
			}
		} finally {
			this.current = [];
			this.running = false;
			// Writes queued meanwhile wait a turn more, so that those arriving with them join them.
			this.schedule();
		}
	}

	private async alone(pending: Pending): Promise<void> {
		try {
			pending.resolve(await this.options.commitOne(pending.events));
		} catch (error) {
			pending.reject(error);
		}
	}

	private async together(batch: Pending[]): Promise<void> {
		let results: AppendResult[];
		try {
			results = await this.options.commitMany(batch.map(pending => pending.events));
		} catch (error) {
			if (error instanceof StoreBusyError) {
				for (const pending of batch) {
					pending.reject(error);
				}

				return;
			}

			// Nothing of the batch is stored: each write again on its own, so only a bad one fails.
			for (const pending of batch) {
				await this.alone(pending);
			}

			return;
		}

		for (const [i, pending] of batch.entries()) {
			pending.resolve(results[i]!);
		}
	}
}
