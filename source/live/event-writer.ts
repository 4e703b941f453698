import {StoreError} from '../core/errors.js';
import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';
import {RunIndex, type AppendResult} from '../store/run-index.js';
import type {ServiceLogsResult} from '../store/service-logs.js';
import {NO_PUBLISHER, type EventPublisher} from './event-publisher.js';
import type {LiveLogger} from './live-logger.js';
import {openPublisher} from './open-publisher.js';
import {sleep} from './sleep.js';

export interface EventWriterOptions {
	/** Attempts before giving up on a busy database (default 3). */
	tries?: number;
	/** First backoff; doubles on each retry (default 50 ms). */
	backoffMs?: number;
}

/** SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, ...: another writer holds the lock; worth another try. */
export function isBusyError(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * The one write path: SQLite first (the source of truth, awaited, retried
 * while the database is busy, then an error), then Redis (fire-and-forget)
 * for the events that were new. The caller owns the index and publisher.
 */
export class EventWriter {
	readonly publisher: EventPublisher;
	private readonly tries: number;
	private readonly backoffMs: number;

	constructor(private readonly index: Pick<RunIndex, 'appendEvents'> & Partial<Pick<RunIndex, 'appendServiceLogs'>>, publisher: EventPublisher = NO_PUBLISHER, options: EventWriterOptions = {}) {
		this.publisher = publisher;
		this.tries = Math.max(1, options.tries ?? 3);
		this.backoffMs = options.backoffMs ?? 50;
	}

	/** @throws StoreError when the run index stays locked; any other store error as it is. */
	async write(events: readonly TraceEvent[]): Promise<AppendResult> {
		const result = await this.retrying(`${events.length} event(s)`, () => this.index.appendEvents(events));
		if (result.inserted.length > 0) {
			if (this.publisher.publishStored) {
				this.publisher.publishStored(result.inserted);
			} else {
				this.publisher.publish(result.inserted.map(stored => stored.event));
			}
		}

		return result;
	}

	/**
	 * Log records without a trace, kept under their service (SQLite only: no
	 * trace stream carries them). Retried as write() is. @throws StoreError
	 */
	async writeServiceLogs(logs: readonly ServiceLog[]): Promise<ServiceLogsResult> {
		const append = this.index.appendServiceLogs?.bind(this.index);
		if (!append) {
			throw new StoreError('this writer has no store for log records without a trace');
		}

		return this.retrying(`${logs.length} log record(s)`, () => append(logs));
	}

	/** Run a store write, retried with backoff while the database is busy, then a StoreError naming `what`. */
	private async retrying<T>(what: string, write: () => T): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			try {
				return write();
			} catch (error) {
				if (!isBusyError(error)) {
					throw error;
				}

				if (attempt >= this.tries) {
					throw new StoreError(`could not store ${what}: the run index stayed locked after ${this.tries} tries (${(error as Error).message}); is another process holding a long write?`);
				}

				await sleep(this.backoffMs * 2 ** (attempt - 1));
			}
		}
	}
}

export interface OpenEventWriterOptions extends EventWriterOptions {
	home: string;
	/** Redis for live readers; without it, SQLite alone. */
	redisUrl?: string;
	logger?: LiveLogger;
}

/** An EventWriter that owns its run index and publisher: close() closes both. */
export interface OwnedEventWriter {
	readonly index: RunIndex;
	readonly publisher: EventPublisher;
	write(events: readonly TraceEvent[]): Promise<AppendResult>;
	close(): Promise<void>;
}

/** Open a tracedeck home for writing, with Redis when a URL is given. */
export async function openEventWriter(options: OpenEventWriterOptions): Promise<OwnedEventWriter> {
	const index = RunIndex.open(options.home);
	let publisher: EventPublisher;
	try {
		publisher = await openPublisher(options.redisUrl, {logger: options.logger});
	} catch (error) {
		index.close();
		throw error;
	}

	const writer = new EventWriter(index, publisher, options);
	return {
		index,
		publisher,
		write: async events => writer.write(events),
		async close() {
			try {
				await publisher.close();
			} finally {
				index.close();
			}
		},
	};
}
