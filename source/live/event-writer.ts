import {StoreBusyError, StoreError} from '../core/errors.js';
import type {ServiceLog} from '../core/service-log.js';
import {parentsFirst} from '../core/parents-first.js';
import type {TraceEvent} from '../core/trace-event.js';
import {AppendParts} from '../store/append-parts.js';
import {openStore} from '../store/open-store.js';
import type {AppendResult} from '../store/run-index.js';
import type {ServiceLogsResult} from '../store/service-logs.js';
import type {Store} from '../store/store.js';
import {NO_PUBLISHER, type EventPublisher} from './event-publisher.js';
import {GroupCommit} from './group-commit.js';
import type {LiveLogger} from './live-logger.js';
import {openPublisher} from './open-publisher.js';
import {sleep, yieldToEventLoop} from './sleep.js';

export interface EventWriterOptions {
	/**
	 * How long a write waits, in all, for a run index another writer has
	 * locked, before it throws StoreBusyError (default 10 s).
	 */
	patienceMs?: number;
	/** At most this many attempts, whatever the patience (default: as many as the patience allows). */
	tries?: number;
	/** First wait between attempts; doubles on each retry, up to 1 s (default 50 ms). */
	backoffMs?: number;
	/**
	 * Store a write of more events than this in parts (of partSize), one
	 * short transaction each, letting the event loop run between them (see
	 * store/append-parts.ts). Default: every write is one transaction, all or
	 * nothing, as the emitter promises.
	 */
	partEvents?: number;
	/** Events per part of a write stored in parts (default partEvents). */
	partSize?: number;
	/**
	 * Store writes that arrive together (concurrent requests) in one
	 * transaction, where the store can (Store.appendInputs; see
	 * group-commit.ts): each write still resolves only once it is committed.
	 * Writes of more than partEvents go alone, in parts. Default off.
	 */
	groupCommit?: boolean;
}

/** Turns of the event loop between two parts of a write: an idle turn costs microseconds. */
const TURNS_BETWEEN_PARTS = 4;

/** A group-commit batch holds about this many events at most. */
const GROUP_COMMIT_EVENTS = 4000;

export const DEFAULT_PATIENCE_MS = 10_000;
const MAX_BACKOFF_MS = 1000;

/**
 * PostgreSQL's SQLSTATEs for a transaction that lost to another one and is
 * worth running again: serialization failure, deadlock, lock not available.
 */
const POSTGRES_RETRYABLE = new Set(['40001', '40P01', '55P03']);

/**
 * SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, ... (another writer
 * holds the lock), or PostgreSQL's retryable conflicts: worth another try.
 */
export function isBusyError(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || POSTGRES_RETRYABLE.has(code));
}

/** What the writer needs of the run index; finishParts only when it writes in parts, beginWrite for writeParts. */
type WritableIndex = Pick<Store, 'appendEvents'> & Partial<Pick<Store, 'finishParts' | 'appendServiceLogs' | 'appendInputs' | 'beginWrite'>>;

/** What writeParts stored: counts, not the events, which it does not hold. */
export interface PartsResult {
	inserted: number;
	duplicates: number;
	traces: string[];
}

/**
 * The one write path: the run index first (the source of truth, awaited,
 * retried while the database is busy, then an error), then Redis
 * (fire-and-forget) for the events that were new. The caller owns the
 * store and publisher.
 *
 * Waiting for a lock happens here, between attempts, never inside SQLite:
 * each attempt waits at most BUSY_TIMEOUT_MS (store/open-database.ts) in the
 * synchronous call, so the process keeps answering while another writer
 * holds the lock. On PostgreSQL the wait is the server's, off the event loop.
 */
export class EventWriter {
	readonly publisher: EventPublisher;
	private readonly tries: number;
	private readonly patienceMs: number;
	private readonly backoffMs: number;
	private readonly partEvents: number;
	private readonly partSize: number;
	private readonly group: GroupCommit | undefined;

	constructor(
		private readonly index: WritableIndex,
		publisher: EventPublisher = NO_PUBLISHER,
		options: EventWriterOptions = {},
	) {
		this.publisher = publisher;
		this.tries = Math.max(1, options.tries ?? Number.POSITIVE_INFINITY);
		this.patienceMs = options.patienceMs ?? DEFAULT_PATIENCE_MS;
		this.backoffMs = options.backoffMs ?? 50;
		this.partEvents = Math.max(1, options.partEvents ?? Number.POSITIVE_INFINITY);
		this.partSize = Math.max(1, options.partSize ?? this.partEvents);
		const appendInputs = index.appendInputs?.bind(index);
		if (options.groupCommit && appendInputs) {
			this.group = new GroupCommit({
				maxEvents: Math.min(GROUP_COMMIT_EVENTS, Math.max(this.partEvents, 1) * 4),
				commitMany: async writes => {
					const events = writes.reduce((n, write) => n + write.length, 0);
					return this.whileBusy(`${events} event(s) of ${writes.length} writes`, () => appendInputs(writes.map(write => ({events: write}))));
				},
				commitOne: async events => this.whileBusy(`${events.length} event(s)`, () => this.index.appendEvents(events)),
			});
		}
	}

	/** @throws StoreBusyError when the run index stays locked; any other store error as it is. */
	async write(events: readonly TraceEvent[]): Promise<AppendResult> {
		const {finishParts} = this.index;
		if (this.group && events.length <= this.partEvents) {
			const result = await this.group.write(events);
			this.publish(result);
			return result;
		}

		if (events.length <= this.partEvents || finishParts === undefined) {
			const result = await this.whileBusy(`${events.length} event(s)`, () => this.index.appendEvents(events));
			this.publish(result);
			return result;
		}

		// Each part is atomic and published once stored; the write as a whole is done when finishParts is.
		// Parents first (core/parents-first.ts): each span's path is right when its part stores it.
		const ordered = parentsFirst(events);
		const parts = new AppendParts();
		const inserted: AppendResult['inserted'] = [];
		const traces = new Set<string>();
		let duplicates = 0;
		for (let i = 0; i < ordered.length; i += this.partSize) {
			// Small writes that came while the last part was stored go first: a part holds the event loop for tens of
			// milliseconds, and a small export queued for group commit would otherwise wait out a few parts.
			await this.group?.drained();
			const part = ordered.slice(i, i + this.partSize);
			const result = await this.whileBusy(`${part.length} event(s)`, () => this.index.appendEvents(part, {parts}));
			this.publish(result);
			inserted.push(...result.inserted);
			duplicates += result.duplicates;
			for (const trace of result.traces) {
				traces.add(trace);
			}

			// A few turns, not one: a small export that arrived during the part is decoded and converted a
			// slice a turn (with pauses), then queued for group commit; only then can drained() see it.
			for (let turn = 0; turn < TURNS_BETWEEN_PARTS; turn++) {
				await yieldToEventLoop();
			}
		}

		for (const trace of await this.whileBusy(`${events.length} event(s)`, () => finishParts.call(this.index, parts))) {
			traces.add(trace);
		}

		return {inserted, duplicates, traces: [...traces]};
	}

	/**
	 * One input that comes in parts (a file read a piece at a time), stored
	 * all or nothing in ONE transaction without holding the input: each part
	 * is folded and let go as it comes, the run summaries that need a whole
	 * trace are made once at the end (finishParts, as for write()'s parts),
	 * then it commits. An error from `parts` (a bad line) or the store rolls
	 * everything back.
	 *
	 * Why a transaction held open across awaits (Store.beginWrite: BEGIN
	 * IMMEDIATE ... COMMIT on SQLite) and not one synchronous
	 * better-sqlite3 transaction reading the file inside it: the event loop
	 * runs between parts (the progress line, timers, signals), and the wait
	 * for another writer's lock stays here, asynchronous (whileBusy around
	 * the BEGIN), never inside SQLite. Once begun the lock is held, so no
	 * part can find the database busy. Other writers wait for the whole
	 * input, as they waited for the one transaction it was before.
	 *
	 * Events are published (Redis) only after the commit: with a publisher,
	 * the inserted events are held until then.
	 */
	async writeParts(parts: AsyncIterable<readonly TraceEvent[]>): Promise<PartsResult> {
		const {beginWrite, finishParts} = this.index;
		if (beginWrite === undefined || finishParts === undefined) {
			// An index that cannot hold a transaction open: the parts gathered, then one write.
			const events: TraceEvent[] = [];
			for await (const part of parts) {
				for (const event of part) {
					events.push(event);
				}
			}

			const result = await this.write(events);
			return {inserted: result.inserted.length, duplicates: result.duplicates, traces: result.traces};
		}

		const transaction = await this.whileBusy('a file of events', () => beginWrite.call(this.index));
		// Nothing held for finishParts (append-parts.ts HeldTrace): a file is many traces, read back one at a time at the
		// end of a command, where no one waits on the event loop; held, their spans would stay in memory for the whole file.
		const appendParts = new AppendParts(0);
		const held: AppendResult['inserted'] = [];
		const traces = new Set<string>();
		let inserted = 0;
		let duplicates = 0;
		try {
			for await (const part of parts) {
				const result = await this.index.appendEvents(part, {parts: appendParts});
				inserted += result.inserted.length;
				duplicates += result.duplicates;
				for (const trace of result.traces) {
					traces.add(trace);
				}

				if (this.publisher !== NO_PUBLISHER) {
					for (const stored of result.inserted) {
						held.push(stored);
					}
				}

				await yieldToEventLoop();
			}

			// Its traces are the parts' already, or those of duplicates only (summarized again in case an earlier writer's parts
			// never reached their finishParts): not runs this input changed, as a whole write would not count them.
			await finishParts.call(this.index, appendParts);
			await transaction.commit();
		} catch (error) {
			await transaction.rollback();
			throw error;
		}

		this.publish({inserted: held, duplicates, traces: []});
		return {inserted, duplicates, traces: [...traces]};
	}

	/**
	 * Log records without a trace, kept under their service (the run index
	 * only: no trace stream carries them). Retried as write() is. @throws StoreError
	 */
	async writeServiceLogs(logs: readonly ServiceLog[]): Promise<ServiceLogsResult> {
		const append = this.index.appendServiceLogs?.bind(this.index);
		if (!append) {
			throw new StoreError('this writer has no store for log records without a trace');
		}

		return this.whileBusy(`${logs.length} log record(s)`, () => append(logs));
	}

	/** Run one store call, trying again (after an asynchronous wait) while another writer holds the lock. */
	private async whileBusy<T>(what: string, attempt: () => Promise<T>): Promise<T> {
		const started = Date.now();
		for (let n = 1; ; n++) {
			try {
				return await attempt();
			} catch (error) {
				if (!isBusyError(error)) {
					throw error;
				}

				const wait = Math.min(this.backoffMs * 2 ** (n - 1), MAX_BACKOFF_MS);
				const waited = Date.now() - started;
				if (n >= this.tries || waited + wait > this.patienceMs) {
					throw new StoreBusyError(`could not store ${what}: the run index stayed locked after ${n} tries over ${(waited / 1000).toFixed(1)} s (${(error as Error).message}); is another process holding a long write?`);
				}

				await sleep(wait);
			}
		}
	}

	private publish(result: AppendResult): void {
		if (result.inserted.length === 0) {
			return;
		}

		if (this.publisher.publishStored) {
			this.publisher.publishStored(result.inserted);
		} else {
			this.publisher.publish(result.inserted.map(stored => stored.event));
		}
	}
}

export interface OpenEventWriterOptions extends EventWriterOptions {
	home: string;
	/** A shared PostgreSQL index (live/settings.ts resolveDatabaseUrl); without it, the SQLite file under the home. */
	databaseUrl?: string | undefined;
	/** Redis for live readers; without it, SQLite alone. */
	redisUrl?: string;
	logger?: LiveLogger;
}

/** An EventWriter that owns its store and publisher: close() closes both. */
export interface OwnedEventWriter {
	readonly store: Store;
	readonly publisher: EventPublisher;
	write(events: readonly TraceEvent[]): Promise<AppendResult>;
	close(): Promise<void>;
}

/** Open a tracedeck home for writing, with Redis when a URL is given. */
export async function openEventWriter(options: OpenEventWriterOptions): Promise<OwnedEventWriter> {
	const store = await openStore({home: options.home, databaseUrl: options.databaseUrl});
	let publisher: EventPublisher;
	try {
		publisher = await openPublisher(options.redisUrl, {logger: options.logger});
	} catch (error) {
		await store.close();
		throw error;
	}

	const writer = new EventWriter(store, publisher, options);
	return {
		store,
		publisher,
		write: async events => writer.write(events),
		async close() {
			try {
				await publisher.close();
			} finally {
				await store.close();
			}
		},
	};
}
