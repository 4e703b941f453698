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

import {SEARCH_MIGRATION} from './search-migrations.js';
import {metricBoundsValues} from '../metric-bounds.js';

/** The channel writers notify (migration 1's trigger on events) and live readers LISTEN on. */
export const EVENTS_CHANNEL = 'tracedeck_events';

/*
 * Migration 1 keeps SQLite's migration 3 rules (store/migrations.ts), each as
 * a trigger function named for it. Two spellings must match SQLite's to the
 * byte, since /metrics serves the labels as stored and the backends must
 * agree: labels are json_object's text (`{"env":"prod"}`, no spaces, which
 * json_build_object would add), and SQLite's lower() folds ASCII letters
 * only, so the rollback and smoke names are folded by translate(), not by
 * PostgreSQL's locale-aware lower().
 */
const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

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
	`
	-- Text compares and sorts byte by byte, as SQLite's BINARY collation does, whatever the
	-- server's locale: the runs list's order (run_id breaks ties), the step paths' and
	-- labels' order, LIKE prefixes (and ILIKE folding ASCII letters only, as SQLite's LIKE
	-- does). "C" also lets a btree index serve a LIKE prefix. (events.event_type stays: a
	-- generated column reads it, and it is only ever compared for equality.)
	ALTER TABLE events ALTER COLUMN trace_id TYPE text COLLATE "C", ALTER COLUMN span_id TYPE text COLLATE "C",
		ALTER COLUMN digest TYPE text COLLATE "C";
	ALTER TABLE spans ALTER COLUMN trace_id TYPE text COLLATE "C", ALTER COLUMN span_id TYPE text COLLATE "C",
		ALTER COLUMN parent_span_id TYPE text COLLATE "C", ALTER COLUMN name TYPE text COLLATE "C",
		ALTER COLUMN kind TYPE text COLLATE "C", ALTER COLUMN path TYPE text COLLATE "C", ALTER COLUMN status TYPE text COLLATE "C";
	ALTER TABLE runs ALTER COLUMN trace_id TYPE text COLLATE "C", ALTER COLUMN run_id TYPE text COLLATE "C",
		ALTER COLUMN env TYPE text COLLATE "C", ALTER COLUMN target TYPE text COLLATE "C", ALTER COLUMN plan_hash TYPE text COLLATE "C",
		ALTER COLUMN status TYPE text COLLATE "C", ALTER COLUMN failed_step TYPE text COLLATE "C", ALTER COLUMN "user" TYPE text COLLATE "C";
	ALTER TABLE service_logs ALTER COLUMN service TYPE text COLLATE "C", ALTER COLUMN env TYPE text COLLATE "C",
		ALTER COLUMN identity TYPE text COLLATE "C";
	ALTER TABLE metric_counters ALTER COLUMN name TYPE text COLLATE "C", ALTER COLUMN labels TYPE text COLLATE "C";
	ALTER TABLE metric_bounds ALTER COLUMN name TYPE text COLLATE "C";
	ALTER TABLE metric_histograms ALTER COLUMN name TYPE text COLLATE "C", ALTER COLUMN labels TYPE text COLLATE "C";
	ALTER TABLE metric_buckets ALTER COLUMN name TYPE text COLLATE "C", ALTER COLUMN labels TYPE text COLLATE "C";

	CREATE FUNCTION tracedeck_labels(VARIADIC kv text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
		SELECT '{' || coalesce(string_agg(to_json(kv[i])::text || ':' || coalesce(to_json(kv[i + 1])::text, 'null'), ',' ORDER BY i), '') || '}'
		FROM generate_series(1, coalesce(array_length(kv, 1), 0), 2) AS i
	$$;
	CREATE FUNCTION tracedeck_ascii_lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
		SELECT translate($1, '${ASCII_UPPER}', '${ASCII_UPPER.toLowerCase()}')
	$$;
	CREATE FUNCTION tracedeck_is_rollback(kind text, name text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
		SELECT $1 = 'rollback' OR strpos(tracedeck_ascii_lower($2), 'rollback') > 0 OR strpos(tracedeck_ascii_lower($2), 'roll back') > 0
	$$;
	CREATE FUNCTION tracedeck_is_smoke(kind text, name text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
		SELECT $1 = 'smoke' OR strpos(tracedeck_ascii_lower($2), 'smoke') > 0
	$$;

	-- SQLite's metric_increments and metric_observations views: the counting rules in one place.
	CREATE FUNCTION tracedeck_count(p_name text, p_labels text, p_value bigint) RETURNS void LANGUAGE sql AS $$
		INSERT INTO metric_counters (name, labels, value) VALUES (p_name, p_labels, p_value)
			ON CONFLICT (name, labels) DO UPDATE SET value = metric_counters.value + excluded.value;
	$$;
	CREATE FUNCTION tracedeck_observe(p_name text, p_labels text, p_value double precision) RETURNS void LANGUAGE sql AS $$
		INSERT INTO metric_histograms (name, labels, sum, count) VALUES (p_name, p_labels, p_value, 1)
			ON CONFLICT (name, labels) DO UPDATE SET sum = metric_histograms.sum + excluded.sum, count = metric_histograms.count + 1;
		INSERT INTO metric_buckets (name, labels, le, n)
			SELECT p_name, p_labels, le, 1 FROM metric_bounds WHERE name = p_name AND p_value <= le
			ON CONFLICT (name, labels, le) DO UPDATE SET n = metric_buckets.n + 1;
	$$;

	INSERT INTO metric_bounds (name, le) VALUES
		${metricBoundsValues()};

	-- A deployment is a run with an environment.
	CREATE FUNCTION tracedeck_deployment_finished() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM tracedeck_count('deployment_total', tracedeck_labels('env', NEW.env, 'status', NEW.status), 1);
		IF NEW.ended_ms IS NOT NULL THEN
			PERFORM tracedeck_observe('time_to_deploy_seconds', tracedeck_labels('env', NEW.env, 'status', NEW.status), greatest(0, NEW.ended_ms - NEW.started_ms) / 1000.0);
		END IF;
		RETURN NULL;
	END $$;
	CREATE TRIGGER deployment_finished_insert AFTER INSERT ON runs FOR EACH ROW
		WHEN (NEW.env IS NOT NULL AND NEW.status <> 'running') EXECUTE FUNCTION tracedeck_deployment_finished();
	CREATE TRIGGER deployment_finished_update AFTER UPDATE OF status ON runs FOR EACH ROW
		WHEN (NEW.env IS NOT NULL AND OLD.status = 'running' AND NEW.status <> 'running') EXECUTE FUNCTION tracedeck_deployment_finished();

	-- Stage names come from producers: past 100 series, new names share stage="_other",
	-- chosen at write time so that every series stays monotonic.
	CREATE FUNCTION tracedeck_stage_finished() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE
		series text := tracedeck_labels('stage', NEW.name);
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM metric_histograms h WHERE h.name = 'deployment_stage_duration_seconds' AND h.labels = series)
			AND (SELECT count(*) FROM metric_histograms h WHERE h.name = 'deployment_stage_duration_seconds') >= 100 THEN
			series := tracedeck_labels('stage', '_other');
		END IF;
		PERFORM tracedeck_observe('deployment_stage_duration_seconds', series, greatest(0, NEW.end_ms - NEW.start_ms) / 1000.0);
		RETURN NULL;
	END $$;
	CREATE TRIGGER stage_finished_insert AFTER INSERT ON spans FOR EACH ROW
		WHEN (NEW.kind = 'stage' AND NEW.end_ms IS NOT NULL) EXECUTE FUNCTION tracedeck_stage_finished();
	CREATE TRIGGER stage_finished_update AFTER UPDATE OF end_ms ON spans FOR EACH ROW
		WHEN (NEW.kind = 'stage' AND OLD.end_ms IS NULL AND NEW.end_ms IS NOT NULL) EXECUTE FUNCTION tracedeck_stage_finished();

	-- A rollback: a span of kind "rollback" or named so. Counted once, at its
	-- outermost span ("rollback" > "rollback db" counts one), when it appears.
	CREATE FUNCTION tracedeck_rollback_seen() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = NEW.trace_id AND p.span_id = NEW.parent_span_id AND tracedeck_is_rollback(p.kind, p.name)) THEN
			PERFORM tracedeck_count('deployment_rollback_total', '{}', 1);
		END IF;
		RETURN NULL;
	END $$;
	CREATE TRIGGER rollback_seen_insert AFTER INSERT ON spans FOR EACH ROW
		WHEN (tracedeck_is_rollback(NEW.kind, NEW.name)) EXECUTE FUNCTION tracedeck_rollback_seen();
	CREATE TRIGGER rollback_seen_update AFTER UPDATE OF name, kind ON spans FOR EACH ROW
		WHEN (tracedeck_is_rollback(NEW.kind, NEW.name) AND NOT tracedeck_is_rollback(OLD.kind, OLD.name)) EXECUTE FUNCTION tracedeck_rollback_seen();

	-- A smoke test: a span of kind "smoke" or named so, counted at its outermost span when it settles.
	CREATE FUNCTION tracedeck_smoke_settled() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = NEW.trace_id AND p.span_id = NEW.parent_span_id AND tracedeck_is_smoke(p.kind, p.name)) THEN
			PERFORM tracedeck_count('smoke_test_total', tracedeck_labels('status', NEW.status), 1);
		END IF;
		RETURN NULL;
	END $$;
	CREATE TRIGGER smoke_settled_insert AFTER INSERT ON spans FOR EACH ROW
		WHEN (tracedeck_is_smoke(NEW.kind, NEW.name) AND NEW.status <> 'pending') EXECUTE FUNCTION tracedeck_smoke_settled();
	CREATE TRIGGER smoke_settled_update AFTER UPDATE OF name, kind, status ON spans FOR EACH ROW
		WHEN (tracedeck_is_smoke(NEW.kind, NEW.name) AND NEW.status <> 'pending' AND (OLD.status = 'pending' OR NOT tracedeck_is_smoke(OLD.kind, OLD.name)))
		EXECUTE FUNCTION tracedeck_smoke_settled();

	-- Live readers without Redis (PostgresStore.subscribe): told at commit that events were
	-- stored. PostgreSQL folds a transaction's identical notifications into one, so a batch
	-- of any size is one notification; a duplicate, stored by no one, tells no one.
	CREATE FUNCTION tracedeck_events_stored() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM pg_notify('${EVENTS_CHANNEL}', '');
		RETURN NULL;
	END $$;
	CREATE TRIGGER events_stored AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION tracedeck_events_stored();
	`,
	// 2: what runs grep needs (search-migrations.ts).
	SEARCH_MIGRATION,
	// 3: a span's children, as SQLite's migration 11.
	`
	CREATE INDEX IF NOT EXISTS spans_by_parent ON spans (trace_id, parent_span_id);
	`,
	// 4: the same in start order, replacing it, as SQLite's migration 12.
	`
	CREATE INDEX IF NOT EXISTS spans_by_parent_start ON spans (trace_id, parent_span_id, start_ms, span_id);
	DROP INDEX IF EXISTS spans_by_parent;
	`,
];
