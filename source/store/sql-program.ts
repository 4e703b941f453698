import type Database from 'better-sqlite3';
import type {Db} from './open-database.js';

/*
 * Store logic written once for both engines. A read or a write that takes
 * several statements (a page of the runs list with its counts, a batch's
 * fold into spans and runs, a purge) is a generator that yields each
 * statement and gets its rows back:
 *
 *   function* countFailed(dialect: SqlDialect): SqlProgram<number> {
 *     const row = yield* one<{n: number}>("SELECT count(*) AS n FROM runs WHERE status = ?", ['failed']);
 *     return row?.n ?? 0;
 *   }
 *
 * SQLite runs it synchronously inside one better-sqlite3 transaction
 * (runSqlite: nothing awaits inside it, as better-sqlite3 requires, and the
 * embedded store keeps its speed); PostgreSQL runs the same program on one
 * pooled client inside one transaction, awaiting each statement
 * (postgres/run-program.ts). The program cannot tell them apart except by
 * the dialect it was given, for the few statements whose SQL differs.
 *
 * SQL uses `?` placeholders on both engines (the PostgreSQL runner numbers
 * them); write `RETURNING` to get generated ids (SQLite 3.35+ has it too).
 */

export type SqlDialect = 'sqlite' | 'postgres';

export type SqlParam = string | number | null;

/** One statement of a program; its result is the rows it returns (none for a plain write). */
export interface SqlStep {
	sql: string;
	params: readonly SqlParam[];
	/** Whether the statement returns rows (SELECT, or RETURNING). */
	reads: boolean;
	/** Only the first row is wanted (`one`): SQLite then steps once and builds no array. The result is still an array, of at most one row. */
	first?: boolean;
}

export type SqlProgram<T> = Generator<SqlStep, T, unknown>;

/** The rows of a query. */
export function* rows<T>(sql: string, params: readonly SqlParam[] = []): SqlProgram<T[]> {
	return (yield {sql, params, reads: true}) as T[];
}

/** The first row of a query, if any. */
export function* one<T>(sql: string, params: readonly SqlParam[] = []): SqlProgram<T | undefined> {
	return ((yield {sql, params, reads: true, first: true}) as T[])[0];
}

/** A write that returns nothing: @returns the number of rows it changed. */
export function* write(sql: string, params: readonly SqlParam[] = []): SqlProgram<number> {
	return (yield {sql, params, reads: false}) as number;
}

const keptTexts = new Set<string>();

/**
 * Mark a statement text as one to keep prepared on the server: PostgreSQL
 * otherwise parses and plans each statement again, and a multi-row insert's
 * text is long. Only for a bounded set of texts (the write path's, a few
 * fixed sizes each), since each connection keeps every one it has run.
 * SQLite keeps every statement prepared already (runSqlite).
 */
export function kept(sql: string): string {
	keptTexts.add(sql);
	return sql;
}

export function isKept(sql: string): boolean {
	return keptTexts.has(sql);
}

/** How a transaction begins: a write takes SQLite's write lock at once (IMMEDIATE), so it never fails halfway on a busy upgrade. */
export type TransactionMode = 'read' | 'write';

/**
 * Run a program on SQLite, in one synchronous transaction. Statements are
 * prepared once per connection and kept (by their text).
 */
export function runSqlite<T>(db: Db, program: () => SqlProgram<T>, mode: TransactionMode): T {
	const run = db.transaction(() => {
		const cache = statementsOf(db);
		const steps = program();
		let next = steps.next();
		while (!next.done) {
			next = steps.next(execute(db, cache, next.value));
		}

		return next.value;
	});
	return mode === 'write' ? run.immediate() : run();
}

type Statement = Database.Statement<unknown[]>;

const statements = new WeakMap<Db, Map<string, Statement>>();

function statementsOf(db: Db): Map<string, Statement> {
	let cache = statements.get(db);
	if (!cache) {
		cache = new Map();
		statements.set(db, cache);
	}

	return cache;
}

const NO_ROWS: readonly unknown[] = [];

function execute(db: Db, cache: Map<string, Statement>, step: SqlStep): unknown {
	let statement = cache.get(step.sql);
	if (!statement) {
		statement = db.prepare(step.sql);
		cache.set(step.sql, statement);
	}

	const params = step.params as unknown[];
	if (!step.reads) {
		return statement.run(...params).changes;
	}

	if (step.first) {
		const row = statement.get(...params);
		return row === undefined ? NO_ROWS : [row];
	}

	return statement.all(...params);
}
