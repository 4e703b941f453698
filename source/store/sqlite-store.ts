import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {ServiceLog} from '../core/service-log.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {damagedStoreError, type OpenOptions} from './open-database.js';
import {RunIndex, type AppendInput, type AppendOptions, type AppendResult, type LinkedRuns, type RunFilter, type StoredEvent} from './run-index.js';
import type {SqlProgram, TransactionMode} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';
import {traceSnapshotProgram} from './run-reads.js';
import {traceChangesProgram, traceHeadProgram, traceSpansPageProgram, type TraceChanges, type TraceHead} from './trace-pages.js';
import type {ServiceLogsResult} from './service-logs.js';
import {runSqlite} from './sql-program.js';
import type {Store, TraceSnapshot} from './store.js';
import {QueryStore} from './query-store.js';
// The query programs load with the full store (query-store.ts): its first query answers at once.
import './query-programs.js';

/**
 * The embedded store: one SQLite file under the home (RunIndex). Its
 * statements are synchronous and fast (a page is read in well under a
 * millisecond), so each answer is computed at once and handed back as a
 * settled promise; callers await it like any store's.
 */
export class SqliteStore extends QueryStore implements Store {
	static open(home: string, options?: OpenOptions): SqliteStore {
		return new SqliteStore(RunIndex.open(home, options));
	}

	readonly backend = 'sqlite';
	protected readonly dialect = 'sqlite';
	readonly location: string;

	constructor(readonly index: RunIndex) {
		super();
		this.location = index.db.name;
	}

	async appendEvents(events: readonly TraceEvent[], options?: AppendOptions): Promise<AppendResult> {
		return this.index.appendEvents(events, options);
	}

	readonly appendInputs = async (inputs: readonly AppendInput[]): Promise<AppendResult[]> => this.index.appendInputs(inputs);

	readonly checkpointInBackground = (): void => {
		this.index.checkpointInWorker();
	};

	async finishParts(parts: AppendParts): Promise<string[]> {
		return this.index.finishParts(parts);
	}

	async appendServiceLogs(logs: readonly ServiceLog[], options?: AppendOptions): Promise<ServiceLogsResult> {
		return this.index.appendServiceLogs(logs, options);
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
		return runSqlite(this.index.db, () => traceHeadProgram(traceId, limit), 'read');
	}

	async traceSpansPage(traceId: string, after: string, limit: number): Promise<Span[]> {
		return runSqlite(this.index.db, () => traceSpansPageProgram(traceId, after, limit), 'read');
	}

	async traceChanges(traceId: string, cursor: number): Promise<TraceChanges> {
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
		try {
			return runSqliteQuery(this.index.db, program, mode);
		} catch (error) {
			throw damagedStoreError(this.index.db.name, error);
		}
	}

	async close(): Promise<void> {
		this.index.close();
	}
}
