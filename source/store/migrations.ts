/**
 * Schema migrations, applied in order inside one transaction each. The
 * database's `user_version` is the number of migrations applied.
 */
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE events (
		id INTEGER PRIMARY KEY,
		trace_id TEXT NOT NULL,
		span_id TEXT NOT NULL,
		event_type TEXT NOT NULL,
		ts_ms INTEGER NOT NULL,
		digest TEXT NOT NULL UNIQUE,
		body TEXT NOT NULL
	);
	CREATE INDEX events_by_trace ON events (trace_id, id);

	CREATE TABLE spans (
		trace_id TEXT NOT NULL,
		span_id TEXT NOT NULL,
		parent_span_id TEXT,
		name TEXT NOT NULL,
		kind TEXT NOT NULL,
		path TEXT NOT NULL,
		start_ms INTEGER NOT NULL,
		end_ms INTEGER,
		status TEXT NOT NULL,
		body TEXT NOT NULL,
		PRIMARY KEY (trace_id, span_id)
	) WITHOUT ROWID;
	CREATE INDEX spans_by_path ON spans (path, kind);

	CREATE TABLE runs (
		trace_id TEXT PRIMARY KEY,
		run_id TEXT NOT NULL UNIQUE,
		env TEXT,
		target TEXT,
		plan_hash TEXT,
		status TEXT NOT NULL,
		started_ms INTEGER NOT NULL,
		ended_ms INTEGER,
		last_event_ms INTEGER NOT NULL,
		steps_seen INTEGER NOT NULL DEFAULT 0,
		failed_step TEXT,
		user TEXT,
		body TEXT NOT NULL
	);
	CREATE INDEX runs_by_start ON runs (started_ms DESC);
	CREATE INDEX runs_by_env_target ON runs (env, target, started_ms DESC);
	CREATE INDEX runs_by_status ON runs (status, started_ms DESC);
	CREATE INDEX runs_by_plan ON runs (plan_hash, started_ms DESC);
	CREATE INDEX runs_by_user ON runs (user, started_ms DESC);
	`,
];

/** "TDK1" as a 32-bit integer: marks a SQLite file as a tracedeck run index. */
export const APPLICATION_ID = 0x54444b31;
