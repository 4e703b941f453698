import type {RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import {damagedStoreError, openDatabase, type Db, type OpenOptions} from './open-database.js';
import type {LinkedRuns, RunFilter, StoredEvent} from './run-index.js';
import type {Migrations} from './schema-version.js';
import {eventsAfterProgram, eventsProgram, linkedRunsProgram, listRunsProgram, maxEventIdProgram, resolveRunProgram, spansProgram, strayLogsProgram} from './run-reads.js';
import {runSqlite, type SqlProgram} from './sql-program.js';

/** How many events eventsAfter gives at most when not told. */
export const EVENTS_PAGE = 1000;

/**
 * The read half of the SQLite run index (RunIndex adds the writes): what a
 * read command needs, without the fold, the redaction and the identity
 * digests the write path loads, which cost a read command's start-up a few
 * milliseconds it never uses.
 */
export class RunReader {
	/** Without `migrations`, an index whose schema is behind throws MigrationsNeeded (open-database.ts). */
	static open(home: string, options?: OpenOptions, migrations?: Migrations): RunReader {
		return new RunReader(openDatabase(home, options, migrations));
	}

	readonly db: Db;
	private readonly spanBodies;

	constructor(db: Db) {
		this.db = db;
		this.spanBodies = db.prepare('SELECT body FROM spans WHERE trace_id = ? ORDER BY span_id').pluck();
	}

	close(): void {
		if (this.db.open) {
			this.checkpoint();
			this.db.close();
		}
	}

	/** Copy the WAL back into the database without waiting on readers; harmless when another process holds it. */
	protected checkpoint(): void {
		// Not inside a transaction held open across awaits (RunIndex.beginWrite): the timer fires between its parts.
		if (this.db.inTransaction) {
			return;
		}

		try {
			this.db.pragma('wal_checkpoint(PASSIVE)');
		} catch {
			// Busy or closing: the next tick or the next writer's close will do it.
		}
	}

	/** Run a program in one transaction; SQLite's report of a damaged file becomes a one-line StoreError, not an internal error. */
	protected run<T>(program: () => SqlProgram<T>, mode: 'read' | 'write'): T {
		try {
			return runSqlite(this.db, program, mode);
		} catch (error) {
			throw damagedStoreError(this.db.name, error);
		}
	}

	listRuns(filter: RunFilter = {}): Run[] {
		return this.run(() => listRunsProgram(filter), 'read');
	}

	/** The runs linked to the run of `traceId` (run-reads.ts linkedRunsProgram). */
	linkedRuns(traceId: string): LinkedRuns {
		return this.run(() => linkedRunsProgram(traceId), 'read');
	}

	/** Name a run by its id, its trace id, a unique prefix of either, or a unique trailing part of its id (run-reads.ts resolveRunProgram). */
	resolveRun(ref: string): Run {
		return this.run(() => resolveRunProgram('sqlite', ref), 'read');
	}

	spans(traceId: string): Span[] {
		return this.run(() => spansProgram(traceId), 'read');
	}

	/** A trace's spans parsed one row at a time, so a 100,000-span trace never holds all its raw JSON at once. */
	*iterateSpans(traceId: string): Generator<Span> {
		let rows: Iterable<string>;
		try {
			rows = this.spanBodies.iterate(traceId) as Iterable<string>;
		} catch (error) {
			throw damagedStoreError(this.db.name, error);
		}

		for (const body of rows) {
			yield JSON.parse(body) as Span;
		}
	}

	/** Log records of a trace whose span is not stored, in time order (run-reads.ts strayLogsProgram). */
	strayLogs(traceId: string): RunLog[] {
		return this.run(() => strayLogsProgram(traceId), 'read');
	}

	events(traceId: string): StoredEvent[] {
		return this.run(() => eventsProgram(traceId), 'read');
	}

	/** Events that arrived after `cursor` (an event id), oldest first: the polling fallback's feed. */
	eventsAfter(cursor: number, traceId?: string, limit = EVENTS_PAGE): StoredEvent[] {
		return this.run(() => eventsAfterProgram(cursor, traceId, limit), 'read');
	}

	maxEventId(): number {
		return this.run(() => maxEventIdProgram(), 'read');
	}
}
