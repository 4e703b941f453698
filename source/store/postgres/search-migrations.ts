/**
 * What the query programs (query-programs.ts) need of PostgreSQL beyond
 * PG_MIGRATIONS[0], to append to that list as one migration.
 *
 * spans.search_seq: `runs grep` lists a run's hits in the order their spans
 * were first stored, and cuts each field's hits at the limit newest first,
 * as SQLite does by span_search_keys' id. An identity column gives a span
 * its number on its first INSERT and keeps it through every upsert (ON
 * CONFLICT DO UPDATE), as span_search_keys does; a span deleted and stored
 * again gets a new one, on both engines. Spans stored before this migration
 * are numbered in whatever order the table holds them.
 */
export const SEARCH_MIGRATION = `
	ALTER TABLE spans ADD COLUMN search_seq bigint GENERATED ALWAYS AS IDENTITY;
	CREATE INDEX spans_by_search_seq ON spans (search_seq DESC);
	CREATE INDEX events_log_lines ON events (id DESC) WHERE log_line IS NOT NULL;
`;
