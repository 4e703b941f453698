import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import type {OpenOptions} from './open-database.js';
import {RunIndex, type AppendInput, type AppendOptions, type AppendResult} from './run-index.js';
import type {ServiceLogsResult} from './service-logs.js';
import {runSqliteQuery} from './sqlite-query.js';
import {SqliteReads} from './sqlite-reads.js';
import type {Store, WriteTransaction} from './store.js';
// The query programs load with the full store (query-store.ts): its first query answers at once.
import './query-programs.js';

/**
 * The embedded store: one SQLite file under the home (RunIndex). Its
 * statements are synchronous and fast (a page is read in well under a
 * millisecond), so each answer is computed at once and handed back as a
 * settled promise; callers await it like any store's.
 */
export class SqliteStore extends SqliteReads<RunIndex> implements Store {
	static open(home: string, options?: OpenOptions): SqliteStore {
		return new SqliteStore(RunIndex.open(home, options));
	}

	protected override readonly queryRunner = runSqliteQuery;

	async appendEvents(events: readonly TraceEvent[], options?: AppendOptions): Promise<AppendResult> {
		return this.index.appendEvents(events, options);
	}

	readonly appendInputs = async (inputs: readonly AppendInput[]): Promise<AppendResult[]> => this.index.appendInputs(inputs);

	readonly checkpointInBackground = (): void => {
		this.index.checkpointInWorker();
	};

	readonly beginWrite = async (): Promise<WriteTransaction> => {
		this.index.beginWrite();
		return {
			commit: async () => this.index.commitWrite(),
			rollback: async () => {
				try {
					this.index.rollbackWrite();
				} catch {
					// Called on the way out of another error, which is the one to report; a failed ROLLBACK leaves nothing committed.
				}
			},
		};
	};

	async finishParts(parts: AppendParts): Promise<string[]> {
		return this.index.finishParts(parts);
	}

	async appendServiceLogs(logs: readonly ServiceLog[], options?: AppendOptions): Promise<ServiceLogsResult> {
		return this.index.appendServiceLogs(logs, options);
	}

	async close(): Promise<void> {
		this.index.close();
	}
}
