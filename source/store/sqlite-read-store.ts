import fs from 'node:fs';
import path from 'node:path';
import type {ServiceLog} from '../core/service-log.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {AppendParts} from './append-parts.js';
import {MigrationsNeeded, type OpenOptions} from './open-database.js';
import type {AppendOptions, AppendResult} from './run-index.js';
import {RunReader} from './run-reader.js';
import type {ServiceLogsResult} from './service-logs.js';
import {SqliteReads} from './sqlite-reads.js';
import type {SqliteStore} from './sqlite-store.js';
import type {Store} from './store.js';

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
export class SqliteReadStore extends SqliteReads<RunReader> implements Store {
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

	private writer: SqliteStore | undefined;

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

	async close(): Promise<void> {
		if (this.writer === undefined) {
			this.index.close();
		} else {
			await this.writer.close();
		}
	}
}
