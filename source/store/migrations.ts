import type {Db} from './open-database.js';
import {refoldRuns} from './refold-runs.js';
import {repairSpanPaths} from './repair-span-paths.js';
import {addRunLinkColumns} from './run-link-columns.js';
import {metricBoundsValues} from './metric-bounds.js';
import {SCHEMA_VERSION} from './schema-version.js';

/*
 * SQLite has no trigger for "insert or update", so each metrics rule below has
 * two triggers; the rule itself is written once here and used by both.
 */
const isRollback = (row: string): string => `(${row}.kind = 'rollback' OR instr(lower(${row}.name), 'rollback') > 0 OR instr(lower(${row}.name), 'roll back') > 0)`;
const isSmoke = (row: string): string => `(${row}.kind = 'smoke' OR instr(lower(${row}.name), 'smoke') > 0)`;
const DEPLOYMENT_FINISHED = `	BEGIN
		INSERT INTO metric_increments (name, labels, value) VALUES ('deployment_total', json_object('env', new.env, 'status', new.status), 1);
		INSERT INTO metric_observations (name, labels, value)
			SELECT 'time_to_deploy_seconds', json_object('env', new.env, 'status', new.status), max(0, new.ended_ms - new.started_ms) / 1000.0
			WHERE new.ended_ms IS NOT NULL;
	END;`;
const STAGE_FINISHED = `	BEGIN
		INSERT INTO metric_observations (name, labels, value) VALUES ('deployment_stage_duration_seconds',
			CASE WHEN EXISTS (SELECT 1 FROM metric_histograms WHERE name = 'deployment_stage_duration_seconds' AND labels = json_object('stage', new.name))
				OR (SELECT count(*) FROM metric_histograms WHERE name = 'deployment_stage_duration_seconds') < 100
			THEN json_object('stage', new.name) ELSE json_object('stage', '_other') END,
			max(0, new.end_ms - new.start_ms) / 1000.0);
	END;`;
const ROLLBACK_SEEN = `	BEGIN
		INSERT INTO metric_increments (name, labels, value) VALUES ('deployment_rollback_total', '{}', 1);
	END;`;
const SMOKE_SETTLED = `	BEGIN
		INSERT INTO metric_increments (name, labels, value) VALUES ('smoke_test_total', json_object('status', new.status), 1);
	END;`;

/**
 * What log_search (FTS5, external content) indexes of events, and the
 * triggers that keep it: made by migration 0, and again by 13, which
 * rebuilds the events table.
 */
export const LOG_LINES_VIEW = `
	CREATE VIEW log_lines AS
		SELECT id, json_extract(body, '$.data.line') AS line FROM events
		WHERE (event_type = 'log' OR substr(event_type, 1, 4) = 'log:') AND json_type(body, '$.data.line') = 'text';
`;
export const LOG_SEARCH_TRIGGERS = `
	CREATE TRIGGER log_search_insert AFTER INSERT ON events
	WHEN (new.event_type = 'log' OR substr(new.event_type, 1, 4) = 'log:') AND json_type(new.body, '$.data.line') = 'text'
	BEGIN
		INSERT INTO log_search (rowid, line) VALUES (new.id, json_extract(new.body, '$.data.line'));
	END;
	-- External content: FTS5 must be told the exact text it indexed to forget it.
	CREATE TRIGGER log_search_delete AFTER DELETE ON events
	WHEN (old.event_type = 'log' OR substr(old.event_type, 1, 4) = 'log:') AND json_type(old.body, '$.data.line') = 'text'
	BEGIN
		INSERT INTO log_search (log_search, rowid, line) VALUES ('delete', old.id, json_extract(old.body, '$.data.line'));
	END;
`;

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
	// 2: full-text search for `runs grep`. Triggers keep the index in step with
	// every write, so RunIndex needs no code for it. Step names and error
	// messages: spans is WITHOUT ROWID, so span_search_keys gives each span the
	// integer rowid FTS5 needs (and lets a span's row be replaced by rowid, not
	// by a scan). Log lines: indexed from the events table, which already holds
	// them, through an external-content view, so no line is stored twice and
	// every line is searchable, not only a span's capped stderr tail.
	`
	CREATE TABLE span_search_keys (
		id INTEGER PRIMARY KEY,
		trace_id TEXT NOT NULL,
		span_id TEXT NOT NULL,
		UNIQUE (trace_id, span_id)
	);
	CREATE VIRTUAL TABLE span_search USING fts5(name, error, tokenize = 'unicode61 remove_diacritics 2');

	-- No INSERT OR IGNORE in these triggers: the outer statement's conflict policy (RunIndex
	-- upserts spans) would replace it, so a key that exists is skipped by NOT EXISTS instead.
	CREATE TRIGGER span_search_insert AFTER INSERT ON spans BEGIN
		INSERT INTO span_search_keys (trace_id, span_id) SELECT new.trace_id, new.span_id
			WHERE NOT EXISTS (SELECT 1 FROM span_search_keys WHERE trace_id = new.trace_id AND span_id = new.span_id);
		DELETE FROM span_search WHERE rowid = (SELECT id FROM span_search_keys WHERE trace_id = new.trace_id AND span_id = new.span_id);
		INSERT INTO span_search (rowid, name, error)
			SELECT id, new.name, coalesce(json_extract(new.body, '$.error.message'), '')
			FROM span_search_keys WHERE trace_id = new.trace_id AND span_id = new.span_id;
	END;
	-- Most span updates are a stderr line or a status change: only a new name or error reindexes.
	-- The instr() tests skip parsing bodies without an error key (escaped text cannot
	-- contain the bare "error": key), which is most of them.
	CREATE TRIGGER span_search_update AFTER UPDATE OF name, body ON spans
	WHEN old.name IS NOT new.name
		OR ((instr(old.body, '"error":') > 0 OR instr(new.body, '"error":') > 0)
			AND json_extract(old.body, '$.error.message') IS NOT json_extract(new.body, '$.error.message'))
	BEGIN
		DELETE FROM span_search WHERE rowid = (SELECT id FROM span_search_keys WHERE trace_id = old.trace_id AND span_id = old.span_id);
		INSERT INTO span_search_keys (trace_id, span_id) SELECT new.trace_id, new.span_id
			WHERE NOT EXISTS (SELECT 1 FROM span_search_keys WHERE trace_id = new.trace_id AND span_id = new.span_id);
		INSERT INTO span_search (rowid, name, error)
			SELECT id, new.name, coalesce(json_extract(new.body, '$.error.message'), '')
			FROM span_search_keys WHERE trace_id = new.trace_id AND span_id = new.span_id;
	END;
	CREATE TRIGGER span_search_delete AFTER DELETE ON spans BEGIN
		DELETE FROM span_search WHERE rowid = (SELECT id FROM span_search_keys WHERE trace_id = old.trace_id AND span_id = old.span_id);
		DELETE FROM span_search_keys WHERE trace_id = old.trace_id AND span_id = old.span_id;
	END;

${LOG_LINES_VIEW}	CREATE VIRTUAL TABLE log_search USING fts5(line, content = 'log_lines', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
${LOG_SEARCH_TRIGGERS}
	INSERT INTO span_search_keys (trace_id, span_id) SELECT trace_id, span_id FROM spans;
	INSERT INTO span_search (rowid, name, error)
		SELECT k.id, s.name, coalesce(json_extract(s.body, '$.error.message'), '')
		FROM spans s JOIN span_search_keys k ON k.trace_id = s.trace_id AND k.span_id = s.span_id;
	INSERT INTO log_search (log_search) VALUES ('rebuild');
	`,
	// 3: deployment figures for /metrics. Counters and histograms are kept by
	// triggers in small tables rather than counted from runs at scrape time:
	// counted from runs they would fall whenever `runs purge` deletes old runs,
	// and Prometheus would read each fall as a counter reset (a false spike in
	// increase()). Here they only grow, and a scrape reads a few hundred rows at most.
	// A run or span is counted once, when it first finishes.
	`
	CREATE TABLE metric_counters (
		name TEXT NOT NULL,
		labels TEXT NOT NULL,
		value INTEGER NOT NULL,
		PRIMARY KEY (name, labels)
	) WITHOUT ROWID;
	CREATE TABLE metric_bounds (
		name TEXT NOT NULL,
		le REAL NOT NULL,
		PRIMARY KEY (name, le)
	) WITHOUT ROWID;
	CREATE TABLE metric_histograms (
		name TEXT NOT NULL,
		labels TEXT NOT NULL,
		sum REAL NOT NULL,
		count INTEGER NOT NULL,
		PRIMARY KEY (name, labels)
	) WITHOUT ROWID;
	-- Cumulative: a bucket counts the observations at or below its bound.
	CREATE TABLE metric_buckets (
		name TEXT NOT NULL,
		labels TEXT NOT NULL,
		le REAL NOT NULL,
		n INTEGER NOT NULL,
		PRIMARY KEY (name, labels, le)
	) WITHOUT ROWID;

	INSERT INTO metric_bounds (name, le) VALUES
		${metricBoundsValues()};

	-- Write-only views whose INSTEAD OF triggers hold the counting rules in one place.
	CREATE VIEW metric_increments AS SELECT name, labels, value FROM metric_counters WHERE 0;
	CREATE TRIGGER metric_increment INSTEAD OF INSERT ON metric_increments BEGIN
		INSERT INTO metric_counters (name, labels, value) VALUES (new.name, new.labels, new.value)
			ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value;
	END;
	CREATE VIEW metric_observations AS SELECT name, labels, sum AS value FROM metric_histograms WHERE 0;
	CREATE TRIGGER metric_observe INSTEAD OF INSERT ON metric_observations BEGIN
		INSERT INTO metric_histograms (name, labels, sum, count) VALUES (new.name, new.labels, new.value, 1)
			ON CONFLICT (name, labels) DO UPDATE SET sum = sum + excluded.sum, count = count + 1;
		INSERT INTO metric_buckets (name, labels, le, n)
			SELECT new.name, new.labels, le, 1 FROM metric_bounds WHERE name = new.name AND new.value <= le
			ON CONFLICT (name, labels, le) DO UPDATE SET n = n + 1;
	END;

	-- A deployment is a run with an environment.
	CREATE TRIGGER deployment_finished_insert AFTER INSERT ON runs
	WHEN new.env IS NOT NULL AND new.status <> 'running'
${DEPLOYMENT_FINISHED}
	CREATE TRIGGER deployment_finished_update AFTER UPDATE OF status ON runs
	WHEN new.env IS NOT NULL AND old.status = 'running' AND new.status <> 'running'
${DEPLOYMENT_FINISHED}

	-- Stage names come from producers: past 100 series, new names share stage="_other",
	-- chosen at write time so that every series stays monotonic.
	CREATE TRIGGER stage_finished_insert AFTER INSERT ON spans
	WHEN new.kind = 'stage' AND new.end_ms IS NOT NULL
${STAGE_FINISHED}
	CREATE TRIGGER stage_finished_update AFTER UPDATE OF end_ms ON spans
	WHEN new.kind = 'stage' AND old.end_ms IS NULL AND new.end_ms IS NOT NULL
${STAGE_FINISHED}

	-- A rollback: a span of kind "rollback" or named so. Counted once, at its
	-- outermost span ("rollback" > "rollback db" counts one), when it appears.
	CREATE TRIGGER rollback_seen_insert AFTER INSERT ON spans
	WHEN ${isRollback('new')}
		AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = new.trace_id AND p.span_id = new.parent_span_id
			AND ${isRollback('p')})
${ROLLBACK_SEEN}
	CREATE TRIGGER rollback_seen_update AFTER UPDATE OF name, kind ON spans
	WHEN ${isRollback('new')}
		AND NOT ${isRollback('old')}
		AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = new.trace_id AND p.span_id = new.parent_span_id
			AND ${isRollback('p')})
${ROLLBACK_SEEN}

	-- A smoke test: a span of kind "smoke" or named so, counted at its outermost span when it settles.
	CREATE TRIGGER smoke_settled_insert AFTER INSERT ON spans
	WHEN ${isSmoke('new')} AND new.status <> 'pending'
		AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = new.trace_id AND p.span_id = new.parent_span_id
			AND ${isSmoke('p')})
${SMOKE_SETTLED}
	CREATE TRIGGER smoke_settled_update AFTER UPDATE OF name, kind, status ON spans
	WHEN ${isSmoke('new')} AND new.status <> 'pending'
		AND (old.status = 'pending' OR NOT ${isSmoke('old')})
		AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = new.trace_id AND p.span_id = new.parent_span_id
			AND ${isSmoke('p')})
${SMOKE_SETTLED}

	-- Backfill from what the index already holds, by the same rules.
	INSERT INTO metric_increments (name, labels, value)
		SELECT 'deployment_total', json_object('env', env, 'status', status), count(*)
		FROM runs WHERE env IS NOT NULL AND status <> 'running' GROUP BY env, status;
	INSERT INTO metric_observations (name, labels, value)
		SELECT 'time_to_deploy_seconds', json_object('env', env, 'status', status), max(0, ended_ms - started_ms) / 1000.0
		FROM runs WHERE env IS NOT NULL AND status <> 'running' AND ended_ms IS NOT NULL;
	INSERT INTO metric_observations (name, labels, value)
		SELECT 'deployment_stage_duration_seconds',
			json_object('stage', CASE WHEN s.name IN (
				SELECT name FROM spans WHERE kind = 'stage' AND end_ms IS NOT NULL GROUP BY name ORDER BY count(*) DESC, name LIMIT 100
			) THEN s.name ELSE '_other' END),
			max(0, s.end_ms - s.start_ms) / 1000.0
		FROM spans s WHERE s.kind = 'stage' AND s.end_ms IS NOT NULL;
	INSERT INTO metric_increments (name, labels, value)
		SELECT 'deployment_rollback_total', '{}', count(*) FROM spans s
		WHERE (s.kind = 'rollback' OR instr(lower(s.name), 'rollback') > 0 OR instr(lower(s.name), 'roll back') > 0)
			AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id
				AND ${isRollback('p')})
		HAVING count(*) > 0;
	INSERT INTO metric_increments (name, labels, value)
		SELECT 'smoke_test_total', json_object('status', s.status), count(*) FROM spans s
		WHERE (s.kind = 'smoke' OR instr(lower(s.name), 'smoke') > 0) AND s.status <> 'pending'
			AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id
				AND ${isSmoke('p')})
		GROUP BY s.status;
	`,
	// Filters on env or target alone would otherwise sort every matching run (1M runs: ~1 s).
	`
	CREATE INDEX runs_by_env ON runs (env, started_ms DESC);
	CREATE INDEX runs_by_target ON runs (target, started_ms DESC);
	`,
	// 5: event identity (store/event-digest.ts). The events table's unique
	// `digest` held the content digest, so a line printed twice was stored
	// once. It now holds the event's identity: the producer's event id, else
	// the content digest and the event's occurrence among identical events of
	// its input. The old store kept the first copy of each content, which is
	// occurrence 0: a re-ingest of the same input after the upgrade recognises
	// every stored row and adds only the copies the old store dropped. The
	// column keeps its name, so row ids (the arrival order pollers and the
	// fold rely on), the unique index and the log search keyed by id all stay
	// as they are. Old bodies never carried an event_id (the old edges dropped
	// unknown keys), so every old row takes the content form; an old digest
	// is base64url, without ":", which also leaves alone any row already in the new form.
	`
	UPDATE events SET digest = digest || ':0' WHERE instr(digest, ':') = 0;
	`,
	// 6: the exact-answers rules (a recovered failure is not the root cause,
	// every root in the run's window). Nothing in the schema changes: the
	// follow-up in FOLLOW_UPS (after migration 7) summarizes every stored run again.
	`
	SELECT 1;
	`,
	// 7: spans carry what producers sent (DESIGN, "Spans carry what producers
	// sent"). Spans stored before have none of it (the old edges dropped it),
	// so they get the empty values: no span kind, no service, no events or
	// links. json_insert leaves a body that already has a field alone.
	`
	UPDATE spans SET body = json_insert(body,
		'$.service', NULL, '$.span_kind', NULL, '$.resource', NULL, '$.scope', NULL,
		'$.events', json('[]'), '$.links', json('[]'), '$.status_message', NULL);
	`,
	// 8: order-independent folding (core/fold.ts compareFoldOrder). An event
	// that arrives before one already folded into its span (a shuffled file, a
	// late batch) refolds that span from its stored events: this index finds
	// them, and the latest stored time that decides it, without a scan of the trace.
	`
	CREATE INDEX IF NOT EXISTS events_by_span ON events (trace_id, span_id, ts_ms);
	`,
	// 9: OpenTelemetry logs. A log record within a trace is an event
	// (log:record, data.line its body), already searched by log_search; its
	// span keeps it under `logs`, which spans stored before get empty. A span
	// that arrives after its log records (logs and spans are exported apart)
	// gathers them through events_log_records. A record without a trace has no
	// run to belong to: it is kept under its service in service_logs, with its
	// identity (store/event-digest.ts) unique as events have it, and searched
	// through service_log_search, filled by triggers as log_search is.
	// IF NOT EXISTS: a store rolled back to an older user_version (the
	// migration tests do) takes it again unharmed.
	`
	CREATE INDEX IF NOT EXISTS events_log_records ON events (trace_id, span_id, id) WHERE event_type = 'log:record';
	UPDATE spans SET body = json_insert(body, '$.logs', json('[]'));

	CREATE TABLE IF NOT EXISTS service_logs (
		id INTEGER PRIMARY KEY,
		service TEXT NOT NULL,
		env TEXT,
		time_ms REAL NOT NULL,
		severity_number INTEGER NOT NULL,
		severity_text TEXT NOT NULL,
		body TEXT NOT NULL,
		attributes_json TEXT NOT NULL,
		resource_json TEXT NOT NULL,
		scope_json TEXT,
		event_name TEXT,
		observed_ms REAL,
		identity TEXT NOT NULL UNIQUE
	);
	CREATE INDEX IF NOT EXISTS service_logs_by_time ON service_logs (time_ms);
	CREATE INDEX IF NOT EXISTS service_logs_by_service ON service_logs (service, time_ms);
	CREATE VIRTUAL TABLE IF NOT EXISTS service_log_search USING fts5(body, content = 'service_logs', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
	CREATE TRIGGER IF NOT EXISTS service_log_search_insert AFTER INSERT ON service_logs BEGIN
		INSERT INTO service_log_search (rowid, body) VALUES (new.id, new.body);
	END;
	CREATE TRIGGER IF NOT EXISTS service_log_search_delete AFTER DELETE ON service_logs BEGIN
		INSERT INTO service_log_search (service_log_search, rowid, body) VALUES ('delete', old.id, old.body);
	END;
	`,
	// 10: linked workflows (DESIGN, TraceEvent's parent_trace_id and
	// correlation_id). Spans and runs now keep both; those stored before get
	// null (the fold used to drop them). The runs columns that
	// `runs list --parent/--correlation` and the console's linked runs look
	// up come in its follow-up (run-link-columns.ts).
	`
	UPDATE spans SET body = json_insert(body, '$.parent_trace_id', NULL, '$.correlation_id', NULL);
	UPDATE runs SET body = json_insert(body, '$.parent_trace_id', NULL, '$.correlation_id', NULL);
	`,
	// 11: a span's children, for the fold: a parent stored after its children
	// (OTLP exports a span when it ends) changes their paths (fold-program.ts
	// repathStoredDescendants), and the console reads the top of a big tree.
	`
	CREATE INDEX IF NOT EXISTS spans_by_parent ON spans (trace_id, parent_span_id);
	`,
	// 12: the children of a span in start order, so the console reads the first
	// screen of a big trace down the index (trace-pages.ts) instead of its whole
	// shape. It answers the fold's lookups by parent as well, so it replaces 11's
	// index: one index more would cost every span written. span_id is named
	// though SQLite carries the primary key in every index anyway, so that
	// PostgreSQL's (its migration 4), which would not, is the same index.
	`
	CREATE INDEX IF NOT EXISTS spans_by_parent_start ON spans (trace_id, parent_span_id, start_ms, span_id);
	DROP INDEX IF EXISTS spans_by_parent;
	`,
	// 13: an event's identity is unique within its trace, (trace_id, digest),
	// instead of alone. The same rule: an identity is a digest of a body that
	// holds the trace id, or of the trace id and the producer's event id, so
	// two traces never share one. But a digest alone is random, and each event
	// written touched a page of its own of that index: a commit of 100 OTLP
	// spans (300 events) wrote ~300 pages of it; keyed under the trace, a
	// trace's events share a few. ~20-30% off every write, most for the small
	// commits serve makes. SQLite changes a table's constraints only by
	// rebuilding it: row ids are kept (arrival order, and log_search's keys),
	// and the view and triggers on events are made again as migration 0 made them.
	`
	DROP TRIGGER IF EXISTS log_search_insert;
	DROP TRIGGER IF EXISTS log_search_delete;
	DROP VIEW IF EXISTS log_lines;
	CREATE TABLE events_by_identity (
		id INTEGER PRIMARY KEY,
		trace_id TEXT NOT NULL,
		span_id TEXT NOT NULL,
		event_type TEXT NOT NULL,
		ts_ms INTEGER NOT NULL,
		digest TEXT NOT NULL,
		body TEXT NOT NULL,
		UNIQUE (trace_id, digest)
	);
	INSERT INTO events_by_identity (id, trace_id, span_id, event_type, ts_ms, digest, body)
		SELECT id, trace_id, span_id, event_type, ts_ms, digest, body FROM events ORDER BY id;
	DROP TABLE events;
	ALTER TABLE events_by_identity RENAME TO events;
	CREATE INDEX events_by_trace ON events (trace_id, id);
	CREATE INDEX events_by_span ON events (trace_id, span_id, ts_ms);
	CREATE INDEX events_log_records ON events (trace_id, span_id, id) WHERE event_type = 'log:record';
${LOG_LINES_VIEW}${LOG_SEARCH_TRIGGERS}	`,
];

/**
 * Work a migration needs beyond SQL, by migration number (0-based), run right
 * after it in the same transaction. Migration 6's refold runs after 7, so it
 * folds spans in the shape they have now (and a store already at 6 is
 * refolded once more, which changes nothing); migration 10's columns come
 * after it; migration 11 (index 10) repairs the paths of children stored
 * before their parent.
 */
export const FOLLOW_UPS: ReadonlyMap<number, (db: Db) => void> = new Map([
	[6, refoldRuns],
	[9, addRunLinkColumns],
	[10, repairSpanPaths],
]);

export {APPLICATION_ID} from './schema-version.js';

if (MIGRATIONS.length !== SCHEMA_VERSION) {
	// A migration added without its schema-version.ts bump: opens would take a current file for a newer one's.
	throw new Error(`schema-version.ts says ${SCHEMA_VERSION}, migrations.ts has ${MIGRATIONS.length} migrations`);
}
