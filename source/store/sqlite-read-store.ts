import fs from 'node:fs';
import path from 'node:path';
import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {damagedStoreError, MigrationsNeeded, type OpenOptions} from './open-database.js';
import type {AppendOptions, AppendResult, LinkedRuns, RunFilter, StoredEvent} from './run-index.js';
import {RunReader} from './run-reader.js';
import {traceSnapshotProgram} from './run-reads.js';
import type {ServiceLogsResult} from './service-logs.js';
import {runSqlite, type SqlProgram, type TransactionMode} from './sql-program.js';
import type {SqliteStore} from './sqlite-store.js';
import type {Store, TraceSnapshot} from './store.js';
import type {TraceChanges, TraceHead} from './trace-pages.js';
import {QueryStore} from './query-store.js';

/** Whether the home holds a run index yet (runs.db with any bytes); unsure is no. */
function hasIndex(home: string): boolean {
	try {
		return fs.statSync(path.join(home, 'runs.db')).size > 0;
	} catch {
		return false;
	}
}

/**
 * The embedded store as a read command opens it (open-store.ts, readonly):
 * SqliteStore's reads on a RunReader, so `runs list` never loads the write
 * path (the fold, redaction, identity digests). A write, which a read-only
 * open is not meant for, loads it then: on a read-only connection it fails
 * as SqliteStore's would; where the open created a fresh index it works.
 */
export class SqliteReadStore extends QueryStore implements Store {
	/**
	 * Opens without the migrations, and loads them only for an index whose
	 * schema is behind, or none yet (the open creates it, as SqliteStore's does).
	 */
	static async open(home: string, options?: OpenOptions): Promise<SqliteReadStore> {
		try {
			return new SqliteReadStore(RunReader.open(home, options, hasIndex(home) ? undefined : await import('./migrations.js')));
		} catch (error) {
			if (!(error instanceof MigrationsNeeded)) {
				throw error;
			}

			return new SqliteReadStore(RunReader.open(home, options, await import('./migrations.js')));
		}
	}

	readonly backend = 'sqlite';
	protected readonly dialect = 'sqlite';
	readonly location: string;
	private writer: SqliteStore | undefined;

	constructor(readonly index: RunReader) {
		super();
		this.location = index.db.name;
	}

	/** The full store on the same connection, loaded at the first write. */
	private async writable(): Promise<SqliteStore> {
		if (this.writer === undefined) {
			const [{SqliteStore}, {RunIndex}] = await Promise.all([import('./sqlite-store.js'), import('./run-index.js')]);
			this.writer ??= new SqliteStore(new RunIndex(this.index.db));
		}

		return this.writer;
	}

	async appendEvents(events: readonly TraceEvent[], options?: AppendOptions): Promise<AppendResult> {
		return (await this.writable()).appendEvents(events, options);
	}

	async finishParts(parts: AppendParts): Promise<string[]> {
		return (await this.writable()).finishParts(parts);
	}

	async appendServiceLogs(logs: readonly ServiceLog[], options?: AppendOptions): Promise<ServiceLogsResult> {
		return (await this.writable()).appendServiceLogs(logs, options);
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

	// The console's paged reads of a big trace, loaded when first asked for: a read command never needs them.
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
		// With the query programs (query-store.ts), not with the store: `runs list` runs none.
		const {runSqliteQuery} = await import('./sqlite-query.js');
		try {
			return runSqliteQuery(this.index.db, program, mode);
		} catch (error) {
			throw damagedStoreError(this.index.db.name, error);
		}
	}

	async close(): Promise<void> {
		if (this.writer === undefined) {
			this.index.close();
		} else {
			await this.writer.close();
		}
	}
}
