import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import {damagedStoreError} from './open-database.js';
import type {LinkedRuns, RunFilter, StoredEvent} from './run-index.js';
import type {RunReader} from './run-reader.js';
import {traceSnapshotProgram} from './run-reads.js';
import {runSqlite, type SqlProgram, type TransactionMode} from './sql-program.js';
import type {runSqliteQuery} from './sqlite-query.js';
import type {TraceSnapshot} from './store.js';
import type {TraceChanges, TraceHead} from './trace-pages.js';
import {QueryStore} from './query-store.js';

/**
 * The reads of the embedded store, over a RunReader: the one home of them
 * for the full store (SqliteStore, over a RunIndex) and for the read-only
 * one a read command opens (SqliteReadStore), which differ only in how they
 * write. The console's paged trace reads load when first asked for: a read
 * command never needs them.
 */
export abstract class SqliteReads<Index extends RunReader> extends QueryStore {
	readonly backend = 'sqlite';
	protected readonly dialect = 'sqlite';
	readonly location: string;
	/** Set by a store that loads the query programs up front (its first query then answers at once); else loaded with them. */
	protected readonly queryRunner: typeof runSqliteQuery | undefined = undefined;

	constructor(readonly index: Index) {
		super();
		this.location = index.db.name;
	}

	async listRuns(filter?: RunFilter): Promise<Run[]> {
		return this.index.listRuns(filter);
	}

	async linkedRuns(traceId: string): Promise<LinkedRuns> {
		return this.index.linkedRuns(traceId);
	}

	async resolveRun(ref: string): Promise<Run> {
		return this.index.resolveRun(ref);
	}

	async spans(traceId: string): Promise<Span[]> {
		return this.index.spans(traceId);
	}

	async strayLogs(traceId: string): Promise<RunLog[]> {
		return this.index.strayLogs(traceId);
	}

	async traceSnapshot(traceId: string): Promise<TraceSnapshot> {
		// One read transaction: the spans and the cursor describe the same moment.
		return runSqlite(this.index.db, () => traceSnapshotProgram(traceId), 'read');
	}

	async traceHead(traceId: string, limit: number): Promise<TraceHead> {
		const {traceHeadProgram} = await import('./trace-pages.js');
		return runSqlite(this.index.db, () => traceHeadProgram(traceId, limit), 'read');
	}

	async traceSpansPage(traceId: string, after: string, limit: number): Promise<Span[]> {
		const {traceSpansPageProgram} = await import('./trace-pages.js');
		return runSqlite(this.index.db, () => traceSpansPageProgram(traceId, after, limit), 'read');
	}

	async traceChanges(traceId: string, cursor: number): Promise<TraceChanges> {
		const {traceChangesProgram} = await import('./trace-pages.js');
		return runSqlite(this.index.db, () => traceChangesProgram(traceId, cursor), 'read');
	}

	async events(traceId: string): Promise<StoredEvent[]> {
		return this.index.events(traceId);
	}

	async eventsAfter(cursor: number, traceId?: string, limit?: number): Promise<StoredEvent[]> {
		return this.index.eventsAfter(cursor, traceId, limit);
	}

	async maxEventId(): Promise<number> {
		return this.index.maxEventId();
	}

	/** A query program (query-programs.ts) in one transaction, its SQLite errors told as the store's. */
	protected async runQuery<T>(program: () => SqlProgram<T>, mode: TransactionMode): Promise<T> {
		const run = this.queryRunner ?? (await import('./sqlite-query.js')).runSqliteQuery;
		try {
			return run(this.index.db, program, mode);
		} catch (error) {
			throw damagedStoreError(this.index.db.name, error);
		}
	}
}
