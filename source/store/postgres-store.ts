import pg from 'pg';
import {StoreError} from '../core/errors.js';
import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {appendProgram, finishPartsProgram} from './fold-program.js';
import type {OpenOptions} from './open-database.js';
import {postgresError} from './postgres/connect-error.js';
import {migrate, WRITE_LOCK} from './postgres/migrate.js';
import {EVENTS_CHANNEL} from './postgres/migrations.js';
import {openPool, redactedUrl} from './postgres/pool.js';
import {runPostgres, runSteps} from './postgres/run-program.js';
import {EVENTS_PAGE, prepareEvents, type AppendOptions, type AppendResult, type LinkedRuns, type RunFilter, type StoredEvent} from './run-index.js';
import {eventsAfterProgram, eventsProgram, linkedRunsProgram, listRunsProgram, maxEventIdProgram, resolveRunProgram, spansProgram, strayLogsProgram, traceSnapshotProgram} from './run-reads.js';
import {traceChangesProgram, traceHeadProgram, traceSpansPageProgram, type TraceChanges, type TraceHead} from './trace-pages.js';
import {insertServiceLogs, prepareServiceLogs, type ServiceLogsResult} from './service-logs.js';
import {rows, type SqlProgram, type TransactionMode} from './sql-program.js';
import {QueryStore} from './query-store.js';
// The query programs load with the full store (query-store.ts): its first query answers at once.
import './query-programs.js';
import type {Store, StoreSubscription, TraceSnapshot, WriteTransaction} from './store.js';

/**
 * Every write transaction begins by taking one transaction-level advisory
 * lock, so writers, on however many machines, commit one after another.
 * Two reasons, both about what readers and the fold may rely on:
 *
 * - Event ids come from an identity sequence, drawn when a row is
 *   inserted, not when it commits. Two writers at once could commit ids 8
 *   then 7; a poller that read 8 (eventsAfter(7)) and moved its cursor to 8
 *   would never see 7. Serialized, ids become visible in id order
 *   (store-contract.test.ts fails without this lock).
 * - The fold reads a trace's stored spans and run and writes them back
 *   (fold-program.ts): two writers folding the same trace at once would
 *   each miss the other's events. Serialized, each sees all that committed
 *   before it, as on SQLite, whose write lock does the same.
 *
 * Under the default READ COMMITTED each statement after the lock sees every
 * commit before it (REPEATABLE READ would keep the snapshot taken before
 * the wait, and miss them). A batch holds the lock for as long as it takes
 * to fold; that is the price of one total order.
 */
function* serialized<T>(program: () => SqlProgram<T>): SqlProgram<T> {
	yield* rows(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
	return yield* program();
}

/**
 * The shared index on PostgreSQL: the same tables as SQLite's, written and
 * read by the same programs (fold-program.ts, run-reads.ts), one
 * transaction per call on a pooled connection.
 */
export class PostgresStore extends QueryStore implements Store {
	/**
	 * Connect and bring the schema up to date. A read-only open migrates too,
	 * as SQLite's read-only open of an older file does: the first command
	 * anyone runs against a new shared database works, whichever it is, and
	 * a role that may not create tables gets a one-line error saying so.
	 */
	static async open(url: string, _options: OpenOptions = {}): Promise<PostgresStore> {
		const location = redactedUrl(url);
		const pool = openPool(url);
		// An idle pooled connection that the server drops reports here; the next query reconnects.
		pool.on('error', () => undefined);
		try {
			const client = await pool.connect();
			try {
				await migrate(client, location);
			} finally {
				client.release();
			}
		} catch (error) {
			await pool.end().catch(() => undefined);
			throw postgresError(location, error);
		}

		return new PostgresStore(url, pool, location);
	}

	readonly backend = 'postgres';
	protected readonly dialect = 'postgres';

	private constructor(
		private readonly url: string,
		private readonly pool: pg.Pool,
		readonly location: string,
	) {
		super();
	}

	/** The connection of a transaction begun by beginWrite, while it lasts: every program runs in it. */
	private held: pg.PoolClient | undefined;

	/**
	 * One transaction on one pooled connection until commit or rollback
	 * (Store.beginWrite): the write lock (see `serialized`) is taken at
	 * once and held to the end, as SQLite's BEGIN IMMEDIATE holds its own.
	 * The wait for that lock is the server's, off the event loop.
	 */
	readonly beginWrite = async (): Promise<WriteTransaction> => {
		if (this.held !== undefined) {
			throw new StoreError('a write transaction is open on this store already');
		}

		let client: pg.PoolClient;
		try {
			client = await this.pool.connect();
		} catch (error) {
			throw postgresError(this.location, error);
		}

		try {
			await client.query('BEGIN');
			await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			const mapped = postgresError(this.location, error);
			client.release(mapped instanceof StoreError && mapped !== error ? mapped : undefined);
			throw mapped;
		}

		this.held = client;
		const end = async (statement: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
			if (this.held !== client) {
				return;
			}

			this.held = undefined;
			let broken: Error | undefined;
			try {
				await client.query(statement);
			} catch (error) {
				const mapped = postgresError(this.location, error);
				broken = mapped instanceof StoreError && mapped !== error ? mapped : undefined;
				if (statement === 'COMMIT') {
					await client.query('ROLLBACK').catch(() => undefined);
					throw mapped;
				}
			} finally {
				client.release(broken);
			}
		};
		return {commit: async () => end('COMMIT'), rollback: async () => end('ROLLBACK')};
	};

	/** A program in one transaction on a pooled connection; a write is serialized with every other (see `serialized`). */
	protected async runQuery<T>(program: () => SqlProgram<T>, mode: TransactionMode): Promise<T> {
		if (this.held !== undefined) {
			// Inside beginWrite's transaction, which holds the write lock already: a failed statement fails it whole.
			try {
				return await runSteps(this.held, program);
			} catch (error) {
				throw postgresError(this.location, error);
			}
		}

		let client: pg.PoolClient;
		try {
			client = await this.pool.connect();
		} catch (error) {
			throw postgresError(this.location, error);
		}

		let broken: Error | undefined;
		try {
			return await runPostgres(client, mode === 'write' ? () => serialized(program) : program, mode);
		} catch (error) {
			const mapped = postgresError(this.location, error);
			// A connection that failed (not a statement, not tracedeck's own error) is not given back to the pool.
			broken = mapped instanceof StoreError && mapped !== error ? mapped : undefined;
			throw mapped;
		} finally {
			client.release(broken);
		}
	}

	async appendEvents(given: readonly TraceEvent[], options: AppendOptions = {}): Promise<AppendResult> {
		const prepared = prepareEvents(given, options);
		const result = await this.runQuery(() => appendProgram(prepared.events, prepared.bodies, prepared.identities, options.parts), 'write');
		prepared.commit();
		return result;
	}

	async finishParts(parts: AppendParts): Promise<string[]> {
		const traces = [...parts.staleRuns.keys()];
		if (traces.length === 0) {
			return traces;
		}

		await this.runQuery(() => finishPartsProgram(parts), 'write');
		parts.clear();
		return traces;
	}

	async appendServiceLogs(given: readonly ServiceLog[], options: AppendOptions = {}): Promise<ServiceLogsResult> {
		const prepared = prepareServiceLogs(given, options.input);
		const result = await this.runQuery(() => insertServiceLogs(prepared.logs, prepared.identities), 'write');
		prepared.commit();
		return result;
	}

	async listRuns(filter?: RunFilter): Promise<Run[]> {
		return this.runQuery(() => listRunsProgram(filter), 'read');
	}

	async linkedRuns(traceId: string): Promise<LinkedRuns> {
		return this.runQuery(() => linkedRunsProgram(traceId), 'read');
	}

	async resolveRun(ref: string): Promise<Run> {
		return this.runQuery(() => resolveRunProgram('postgres', ref), 'read');
	}

	async spans(traceId: string): Promise<Span[]> {
		return this.runQuery(() => spansProgram(traceId), 'read');
	}

	async strayLogs(traceId: string): Promise<RunLog[]> {
		return this.runQuery(() => strayLogsProgram(traceId), 'read');
	}

	async traceSnapshot(traceId: string): Promise<TraceSnapshot> {
		// One REPEATABLE READ transaction (runPostgres's read): the spans, the run and the cursor are of one moment.
		return this.runQuery(() => traceSnapshotProgram(traceId), 'read');
	}

	async traceHead(traceId: string, limit: number): Promise<TraceHead> {
		return this.runQuery(() => traceHeadProgram(traceId, limit), 'read');
	}

	async traceSpansPage(traceId: string, after: string, limit: number): Promise<Span[]> {
		return this.runQuery(() => traceSpansPageProgram(traceId, after, limit), 'read');
	}

	async traceChanges(traceId: string, cursor: number): Promise<TraceChanges> {
		return this.runQuery(() => traceChangesProgram(traceId, cursor), 'read');
	}

	async events(traceId: string): Promise<StoredEvent[]> {
		return this.runQuery(() => eventsProgram(traceId), 'read');
	}

	async eventsAfter(cursor: number, traceId?: string, limit = EVENTS_PAGE): Promise<StoredEvent[]> {
		return this.runQuery(() => eventsAfterProgram(cursor, traceId, limit), 'read');
	}

	async maxEventId(): Promise<number> {
		return this.runQuery(() => maxEventIdProgram(), 'read');
	}

	/**
	 * Told at commit whenever any writer stores events (migration 1's trigger
	 * notifies EVENTS_CHANNEL), on a connection of its own: LISTEN belongs to
	 * a session, which a pooled connection cannot keep. `onLost` once, when
	 * that connection fails or ends; not after `close`.
	 */
	async subscribe(onStored: () => void, onLost: (error: Error) => void): Promise<StoreSubscription> {
		const client = new pg.Client({connectionString: this.url, application_name: 'tracedeck-listen'});
		let done = false;
		const lost = (error: Error): void => {
			if (!done) {
				done = true;
				onLost(error);
			}
		};

		client.on('notification', message => {
			if (message.channel === EVENTS_CHANNEL && !done) {
				onStored();
			}
		});
		client.on('error', error => lost(postgresError(this.location, error) as Error));
		client.on('end', () => lost(new StoreError(`the notification connection to ${this.location} ended`)));
		try {
			await client.connect();
			await client.query(`LISTEN ${EVENTS_CHANNEL}`);
		} catch (error) {
			done = true;
			await client.end().catch(() => undefined);
			throw postgresError(this.location, error);
		}

		return {
			close: async () => {
				done = true;
				await client.end().catch(() => undefined);
			},
		};
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
