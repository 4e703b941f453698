/**
 * The PostgreSQL index's schema, versioned like SQLite's (migrations.ts):
 * applied in order, each in its own transaction, under an advisory lock so
 * that two processes starting at once never apply one twice. The tables,
 * columns and meanings are SQLite's, so that the SQL the two share reads
 * the same rows; what SQLite keeps in FTS5 tables PostgreSQL keeps in
 * generated columns that its own indexes cover. Bodies stay `text`, not
 * `jsonb`: jsonb reorders keys, and a run's JSON is given back as stored.
 * Every text column collates as "C", byte order, as SQLite compares text:
 * run ids, statuses and labels sort the same on both engines whatever
 * locale the server was set up with.
 *
 * Never edit a migration that has shipped: add one.
 */
export const PG_MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE events (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		trace_id text COLLATE "C" NOT NULL,
		span_id text COLLATE "C" NOT NULL,
		event_type text COLLATE "C" NOT NULL,
		ts_ms double precision NOT NULL,
		digest text COLLATE "C" NOT NULL UNIQUE,
		body text COLLATE "C" NOT NULL,
		-- What runs grep searches in a log line (SQLite's log_lines view).
		log_line text COLLATE "C" GENERATED ALWAYS AS (
			CASE WHEN (event_type = 'log' OR left(event_type, 4) = 'log:') AND jsonb_typeof(body::jsonb -> 'data' -> 'line') = 'string'
			THEN body::jsonb -> 'data' ->> 'line' END) STORED
	);
	CREATE INDEX events_by_trace ON events (trace_id, id);
	CREATE INDEX events_by_span ON events (trace_id, span_id, ts_ms);
	CREATE INDEX events_log_records ON events (trace_id, span_id, id) WHERE event_type = 'log:record';

	CREATE TABLE spans (
		trace_id text COLLATE "C" NOT NULL,
		span_id text COLLATE "C" NOT NULL,
		parent_span_id text COLLATE "C",
		name text COLLATE "C" NOT NULL,
		kind text COLLATE "C" NOT NULL,
		path text COLLATE "C" NOT NULL,
		start_ms double precision NOT NULL,
		end_ms double precision,
		status text COLLATE "C" NOT NULL,
		body text COLLATE "C" NOT NULL,
		error_message text COLLATE "C" GENERATED ALWAYS AS (body::jsonb -> 'error' ->> 'message') STORED,
		PRIMARY KEY (trace_id, span_id)
	);
	CREATE INDEX spans_by_path ON spans (path, kind);

	CREATE TABLE runs (
		trace_id text COLLATE "C" PRIMARY KEY,
		run_id text COLLATE "C" NOT NULL UNIQUE,
		env text COLLATE "C",
		target text COLLATE "C",
		plan_hash text COLLATE "C",
		status text COLLATE "C" NOT NULL,
		started_ms double precision NOT NULL,
		ended_ms double precision,
		last_event_ms double precision NOT NULL,
		steps_seen integer NOT NULL DEFAULT 0,
		failed_step text COLLATE "C",
		"user" text COLLATE "C",
		body text COLLATE "C" NOT NULL,
		parent_trace_id text COLLATE "C" GENERATED ALWAYS AS (body::jsonb ->> 'parent_trace_id') STORED,
		correlation_id text COLLATE "C" GENERATED ALWAYS AS (body::jsonb ->> 'correlation_id') STORED
	);
	CREATE INDEX runs_by_start ON runs (started_ms DESC);
	CREATE INDEX runs_by_env_target ON runs (env, target, started_ms DESC);
	CREATE INDEX runs_by_env ON runs (env, started_ms DESC);
	CREATE INDEX runs_by_target ON runs (target, started_ms DESC);
	CREATE INDEX runs_by_status ON runs (status, started_ms DESC);
	CREATE INDEX runs_by_plan ON runs (plan_hash, started_ms DESC);
	CREATE INDEX runs_by_user ON runs ("user", started_ms DESC);
	CREATE INDEX runs_by_parent_trace ON runs (parent_trace_id, started_ms DESC) WHERE parent_trace_id IS NOT NULL;
	CREATE INDEX runs_by_correlation ON runs (correlation_id, started_ms DESC) WHERE correlation_id IS NOT NULL;

	CREATE TABLE service_logs (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		service text COLLATE "C" NOT NULL,
		env text COLLATE "C",
		time_ms double precision NOT NULL,
		severity_number integer NOT NULL,
		severity_text text COLLATE "C" NOT NULL,
		body text COLLATE "C" NOT NULL,
		attributes_json text COLLATE "C" NOT NULL,
		resource_json text COLLATE "C" NOT NULL,
		scope_json text COLLATE "C",
		event_name text COLLATE "C",
		observed_ms double precision,
		identity text COLLATE "C" NOT NULL UNIQUE
	);
	CREATE INDEX service_logs_by_time ON service_logs (time_ms);
	CREATE INDEX service_logs_by_service ON service_logs (service, time_ms);

	-- The deployment figures (SQLite's migration 3): kept at write time, so they survive purge.
	CREATE TABLE metric_counters (
		name text COLLATE "C" NOT NULL,
		labels text COLLATE "C" NOT NULL,
		value bigint NOT NULL,
		PRIMARY KEY (name, labels)
	);
	CREATE TABLE metric_bounds (
		name text COLLATE "C" NOT NULL,
		le double precision NOT NULL,
		PRIMARY KEY (name, le)
	);
	CREATE TABLE metric_histograms (
		name text COLLATE "C" NOT NULL,
		labels text COLLATE "C" NOT NULL,
		sum double precision NOT NULL,
		count bigint NOT NULL,
		PRIMARY KEY (name, labels)
	);
	CREATE TABLE metric_buckets (
		name text COLLATE "C" NOT NULL,
		labels text COLLATE "C" NOT NULL,
		le double precision NOT NULL,
		n bigint NOT NULL,
		PRIMARY KEY (name, labels, le)
	);
	`,
];
