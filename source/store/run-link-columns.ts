import type {Db} from './open-database.js';

/**
 * Migration 10's columns: a run's parent trace and correlation id, indexed,
 * so that a run's children and correlated runs are an index lookup
 * (RunIndex.linkedRuns, `runs list --parent/--correlation`). They are
 * generated from the run's body, the one home of both facts: stored runs
 * have them at once, and every write of a runs row keeps them in step
 * without naming them (so a writer of an older schema's columns still
 * works). Added only when missing: SQLite's ADD COLUMN has no IF NOT
 * EXISTS, and a store rolled back to an older user_version (the migration
 * tests do) has them already.
 */
export function addRunLinkColumns(db: Db): void {
	const columns = new Set(db.prepare('SELECT name FROM pragma_table_xinfo(?)').pluck().all('runs') as string[]);
	for (const column of ['parent_trace_id', 'correlation_id']) {
		if (!columns.has(column)) {
			db.exec(`ALTER TABLE runs ADD COLUMN ${column} TEXT GENERATED ALWAYS AS (json_extract(body, '$.${column}')) VIRTUAL`);
		}
	}

	db.exec(`
		CREATE INDEX IF NOT EXISTS runs_by_parent_trace ON runs (parent_trace_id, started_ms DESC) WHERE parent_trace_id IS NOT NULL;
		CREATE INDEX IF NOT EXISTS runs_by_correlation ON runs (correlation_id, started_ms DESC) WHERE correlation_id IS NOT NULL;
	`);
}
