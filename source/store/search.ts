import {InputError} from '../core/errors.js';
import {sanitize, sanitizeMessage} from '../core/sanitize.js';
import type {Db} from './open-database.js';
import {escapeLike, LIKE_ESCAPE} from './sql-like.js';

/** Where a hit was found: a step's name, its error message, or one of its log lines. */
export type SearchField = 'name' | 'error' | 'stderr' | 'log';

/**
 * Where a hit was found: a run (a span of it, named by `path` and `span_id`);
 * a trace the index has only log records of (its spans never arrived, so no
 * run: `run_id` is null); or a service's log records that named no trace
 * (`service`; no run, trace or span).
 */
export type SearchSource = 'run' | 'trace' | 'service';

export interface SearchHit {
	source: SearchSource;
	run_id: string | null;
	trace_id: string | null;
	env: string | null;
	target: string | null;
	/** The run's start; for a hit outside any run, the log record's time. */
	started_at: string;
	span_id: string | null;
	/** Step path below the root ("deploy/migrate"); the root's own name for the root; "" outside any run. */
	path: string;
	/** The service whose log record matched, for source "service"; else null. */
	service: string | null;
	field: SearchField;
	/** The matching text around the match, sanitized to one line, matches wrapped in « ». */
	snippet: string;
}

export interface SearchQuery {
	pattern: string;
	/** Substring matching (LIKE) instead of full-text words. */
	like?: boolean;
	env?: string;
	/** Runs started at or after this epoch ms. */
	sinceMs?: number;
	/** Default 50. */
	limit?: number;
}

// Control characters no producer text keeps after sanitize(): safe to mark matches with.
const OPEN = '\u0002';
const CLOSE = '\u0003';
const SNIPPET_TOKENS = 16;

/**
 * The user's text as one FTS5 phrase, so that quotes, operators (AND, NEAR,
 * -, :) and parentheses in it are searched for, not obeyed. A trailing `*`
 * keeps its meaning: a prefix search.
 */
export function ftsPhrase(text: string): string {
	const trimmed = text.trim();
	const prefix = trimmed.endsWith('*');
	const body = prefix ? trimmed.slice(0, -1) : trimmed;
	if (!/[\p{L}\p{N}]/u.test(body)) {
		throw new InputError(`"${sanitizeMessage(text)}" has no word to search for; use --like to match punctuation`);
	}

	return `"${body.replace(/"/g, '""')}"${prefix ? ' *' : ''}`;
}

/** Sanitize marked text piece by piece, then show the marks as « ». */
function showMarks(marked: string): string {
	let out = '';
	let inside = false;
	for (const piece of marked.split(/([\u0002\u0003])/)) {
		if (piece === OPEN) {
			out += inside ? '' : '«';
			inside = true;
		} else if (piece === CLOSE) {
			out += inside ? '»' : '';
			inside = false;
		} else {
			out += sanitize(piece, true);
		}
	}

	return inside ? `${out}»` : out;
}

/** A snippet for substring hits: the first match with some context, marked like FTS snippets. */
export function likeSnippet(text: string, needle: string, context = 40): string {
	const at = text.toLowerCase().indexOf(needle.toLowerCase());
	if (at === -1) {
		return showMarks(text.length > 2 * context ? `${text.slice(0, 2 * context)}…` : text);
	}

	const start = Math.max(0, at - context);
	const end = Math.min(text.length, at + needle.length + context);
	return showMarks(`${start > 0 ? '…' : ''}${text.slice(start, at)}${OPEN}${text.slice(at, at + needle.length)}${CLOSE}${text.slice(at + needle.length, end)}${end < text.length ? '…' : ''}`);
}

interface HitRow {
	run_id: string | null;
	trace_id: string | null;
	env: string | null;
	target: string | null;
	started_ms: number;
	span_id: string | null;
	service?: string | null;
	path: string | null;
	name: string | null;
	event_type?: string;
	text: string;
	/** The row's own order, newest last: FTS rowid, events id. */
	seq: number;
}

/** The --env and --since filters, on the given columns (a run's by default; a hit outside any run has its own). */
function runFilter(query: SearchQuery, envColumn = 'r.env', timeColumn = 'r.started_ms'): {sql: string; params: Array<string | number>} {
	const clauses: string[] = [];
	const params: Array<string | number> = [];
	if (query.env !== undefined) {
		clauses.push(`${envColumn} = ?`);
		params.push(query.env);
	}

	if (query.sinceMs !== undefined) {
		clauses.push(`${timeColumn} >= ?`);
		params.push(query.sinceMs);
	}

	return {sql: clauses.map(clause => ` AND ${clause}`).join(''), params};
}

const RUN_COLUMNS = 'r.run_id, r.trace_id, r.env, r.target, r.started_ms';
// Log lines are events, and an OpenTelemetry log record's trace may have no run (its spans never came): LEFT JOIN, and the record's own time.
const LOG_TIME = 'coalesce(r.started_ms, e.ts_ms)';
const LOG_COLUMNS = `r.run_id, e.trace_id, r.env, r.target, ${LOG_TIME} AS started_ms`;
const SERVICE_COLUMNS = 'NULL AS run_id, NULL AS trace_id, l.env, NULL AS target, l.time_ms AS started_ms, NULL AS span_id, NULL AS path, NULL AS name, l.service';

function ftsRows(db: Db, query: SearchQuery, limit: number): Array<HitRow & {field: SearchField}> {
	const phrase = ftsPhrase(query.pattern);
	const filter = runFilter(query);
	const rows: Array<HitRow & {field: SearchField}> = [];
	// Newest rows first (rowid DESC) lets FTS5 stop at the limit instead of ranking every match.
	for (const [field, column] of [
		['name', 0],
		['error', 1],
	] as const) {
		const found = db
			.prepare(`SELECT ${RUN_COLUMNS}, s.span_id, s.path, s.name, f.rowid AS seq,
				snippet(span_search, ${column}, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
			FROM span_search f
			JOIN span_search_keys k ON k.id = f.rowid
			JOIN spans s ON s.trace_id = k.trace_id AND s.span_id = k.span_id
			JOIN runs r ON r.trace_id = s.trace_id
			WHERE span_search MATCH ?${filter.sql}
			ORDER BY f.rowid DESC LIMIT ?`)
			.all(`${field} : ${phrase}`, ...filter.params, limit) as HitRow[];
		rows.push(...found.map(row => ({...row, field})));
	}

	const logFilter = runFilter(query, 'r.env', LOG_TIME);
	const logs = db
		.prepare(`SELECT ${LOG_COLUMNS}, e.span_id, s.path, s.name, e.event_type, f.rowid AS seq,
			snippet(log_search, 0, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
		FROM log_search f
		JOIN events e ON e.id = f.rowid
		LEFT JOIN runs r ON r.trace_id = e.trace_id
		LEFT JOIN spans s ON s.trace_id = e.trace_id AND s.span_id = e.span_id
		WHERE log_search MATCH ?${logFilter.sql}
		ORDER BY f.rowid DESC LIMIT ?`)
		.all(phrase, ...logFilter.params, limit) as HitRow[];
	rows.push(...logs.map(row => ({...row, field: row.event_type === 'log:stderr' ? ('stderr' as const) : ('log' as const), text: showMarks(row.text)})));
	const serviceFilter = runFilter(query, 'l.env', 'l.time_ms');
	const serviceLogs = db
		.prepare(`SELECT ${SERVICE_COLUMNS}, f.rowid AS seq,
			snippet(service_log_search, 0, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
		FROM service_log_search f
		JOIN service_logs l ON l.id = f.rowid
		WHERE service_log_search MATCH ?${serviceFilter.sql}
		ORDER BY f.rowid DESC LIMIT ?`)
		.all(phrase, ...serviceFilter.params, limit) as HitRow[];
	rows.push(...serviceLogs.map(row => ({...row, field: 'log' as const, text: showMarks(row.text)})));
	for (const row of rows) {
		if (row.field === 'name' || row.field === 'error') {
			row.text = showMarks(row.text);
		}
	}

	return rows;
}

function likeRows(db: Db, query: SearchQuery, limit: number): Array<HitRow & {field: SearchField}> {
	if (query.pattern === '') {
		throw new InputError('the pattern is empty');
	}

	const like = `%${escapeLike(query.pattern)}%`;
	const filter = runFilter(query);
	const rows: Array<HitRow & {field: SearchField}> = [];
	const spans = db.prepare(`SELECT ${RUN_COLUMNS}, s.span_id, s.path, s.name, 0 AS seq,
			s.name LIKE ? ${LIKE_ESCAPE} AS in_name, json_extract(s.body, '$.error.message') AS error
		FROM runs r JOIN spans s ON s.trace_id = r.trace_id
		WHERE (s.name LIKE ? ${LIKE_ESCAPE} OR json_extract(s.body, '$.error.message') LIKE ? ${LIKE_ESCAPE})${filter.sql}
		ORDER BY r.started_ms DESC LIMIT ?`);
	for (const row of spans.all(like, like, like, ...filter.params, limit) as Array<HitRow & {in_name: number; error: string | null}>) {
		if (row.in_name) {
			rows.push({...row, field: 'name', text: likeSnippet(row.name ?? '', query.pattern)});
		}

		if (row.error?.toLowerCase().includes(query.pattern.toLowerCase())) {
			rows.push({...row, field: 'error', text: likeSnippet(row.error, query.pattern)});
		}
	}

	const logFilter = runFilter(query, 'r.env', LOG_TIME);
	const logs = db
		.prepare(`SELECT ${LOG_COLUMNS}, e.span_id, s.path, s.name, e.event_type, e.id AS seq, l.line AS text
		FROM log_lines l
		JOIN events e ON e.id = l.id
		LEFT JOIN runs r ON r.trace_id = e.trace_id
		LEFT JOIN spans s ON s.trace_id = e.trace_id AND s.span_id = e.span_id
		WHERE l.line LIKE ? ${LIKE_ESCAPE}${logFilter.sql}
		ORDER BY e.id DESC LIMIT ?`)
		.all(like, ...logFilter.params, limit) as HitRow[];
	rows.push(...logs.map(row => ({...row, field: row.event_type === 'log:stderr' ? ('stderr' as const) : ('log' as const), text: likeSnippet(row.text, query.pattern)})));
	const serviceFilter = runFilter(query, 'l.env', 'l.time_ms');
	const serviceLogs = db
		.prepare(`SELECT ${SERVICE_COLUMNS}, l.id AS seq, l.body AS text
		FROM service_logs l
		WHERE l.body LIKE ? ${LIKE_ESCAPE}${serviceFilter.sql}
		ORDER BY l.id DESC LIMIT ?`)
		.all(like, ...serviceFilter.params, limit) as HitRow[];
	rows.push(...serviceLogs.map(row => ({...row, field: 'log' as const, text: likeSnippet(row.text, query.pattern)})));
	return rows;
}

const FIELD_ORDER: Record<SearchField, number> = {error: 0, name: 1, stderr: 2, log: 3};

/**
 * Search step names, error messages and log lines of stored runs, and the
 * log records services sent without a trace. Hits come newest run first
 * (a service's record by its own time); within a run, errors, then names,
 * then log lines in order.
 */
export function searchRuns(db: Db, query: SearchQuery): SearchHit[] {
	const limit = query.limit ?? 50;
	const rows = query.like === true ? likeRows(db, query, limit) : ftsRows(db, query, limit);
	// Hits of one run (or trace, or service) stay together: the key after the time says whose they are.
	const owner = (row: HitRow): string => row.run_id ?? row.trace_id ?? `\u0000${row.service ?? ''}`;
	rows.sort((a, b) => b.started_ms - a.started_ms || (owner(a) < owner(b) ? -1 : owner(a) > owner(b) ? 1 : 0) || FIELD_ORDER[a.field] - FIELD_ORDER[b.field] || a.seq - b.seq);
	return rows.slice(0, limit).map(row => ({
		source: row.run_id !== null ? ('run' as const) : row.trace_id !== null ? ('trace' as const) : ('service' as const),
		run_id: row.run_id,
		trace_id: row.trace_id,
		env: row.env,
		target: row.target,
		started_at: new Date(row.started_ms).toISOString(),
		span_id: row.span_id,
		path: row.trace_id === null ? '' : sanitize(row.path === null || row.path === '' ? (row.name ?? row.span_id ?? '') : row.path, true),
		service: row.service === undefined || row.service === null ? null : sanitize(row.service, true),
		field: row.field,
		snippet: row.text,
	}));
}
