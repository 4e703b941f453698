import type {Db} from './open-database.js';
import {registerQueryFunctions} from './run-query-sql.js';
import {runSqlite, type SqlProgram, type TransactionMode} from './sql-program.js';

/**
 * Run a query program (query-programs.ts) on SQLite: the connection gets
 * the function the run filter calls first, then the program runs in one
 * synchronous transaction, as every SqliteStore read does.
 */
export function runSqliteQuery<T>(db: Db, program: () => SqlProgram<T>, mode: TransactionMode = 'read'): T {
	registerQueryFunctions(db);
	return runSqlite(db, program, mode);
}
