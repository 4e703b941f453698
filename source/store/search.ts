import {InputError} from '../core/errors.js';
import {sanitize, sanitizeMessage} from '../core/sanitize.js';
import {ftsSnippet, tokenize, type Phrase} from './fts-snippet.js';
import type {Db} from './open-database.js';
import {asciiContains, asFlag, hasBeyondAscii, jsonText} from './sql-dialect.js';
import {rows, type SqlDialect, type SqlParam, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

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

type FieldRow = HitRow & {field: SearchField};

const MARKS = {open: OPEN, close: CLOSE, ellipsis: '…'};

/** The words of a phrase (ftsPhrase) as the tokenizer folds them, for the engine without FTS5. */
function phraseOf(pattern: string): Phrase {
	const trimmed = pattern.trim();
	const prefix = trimmed.endsWith('*');
	return {tokens: tokenize(prefix ? trimmed.slice(0, -1) : trimmed).map(token => token.folded), prefix};
}

/**
 * PostgreSQL's part of a full-text search: rows that may hold the phrase,
 * narrowed in SQL (every word of it is in the text's lower case, or the
 * text has characters beyond ASCII, where folding is left to JavaScript),
 * then decided and marked in JavaScript exactly as FTS5 does on SQLite
 * (fts5-snippet.ts), in the same order (newest first), taking rows a batch
 * at a time until `limit` are found.
 */
function* postgresFts(sql: string, params: readonly SqlParam[], column: string, phrase: Phrase, limit: number): SqlProgram<HitRow[]> {
	const words = phrase.tokens.map(token => (ASCII_TEXT.test(token) ? `(strpos(lower(${column}), ?) > 0 OR ${hasBeyondAscii(column)})` : hasBeyondAscii(column)));
	const wordParams = phrase.tokens.filter(token => ASCII_TEXT.test(token));
	const where = words.map(word => ` AND ${word}`).join('');
	const found: HitRow[] = [];
	const batch = Math.max(limit, 200);
	for (let offset = 0; ; offset += batch) {
		const page = yield* rows<HitRow>(sql.replace('/*words*/', where), [...wordParams, ...params, batch, offset]);
		for (const row of page) {
			const text = ftsSnippet(row.text, phrase, MARKS, SNIPPET_TOKENS);
			if (text !== null) {
				found.push({...row, text});
				if (found.length >= limit) {
					return found;
				}
			}
		}

		if (page.length < batch) {
			return found;
		}
	}
}

const ASCII_TEXT = /^[\u0000-\u007f]*$/;

/** A span's error message: SQLite reads the body, PostgreSQL keeps it in a generated column. */
function errorMessage(dialect: SqlDialect): string {
	return dialect === 'sqlite' ? jsonText(dialect, 's.body', ['error', 'message']) : 's.error_message';
}

function* ftsRows(dialect: SqlDialect, query: SearchQuery, limit: number): SqlProgram<FieldRow[]> {
	const phrase = ftsPhrase(query.pattern);
	const filter = runFilter(query);
	const logFilter = runFilter(query, 'r.env', LOG_TIME);
	const serviceFilter = runFilter(query, 'l.env', 'l.time_ms');
	const found: FieldRow[] = [];
	if (dialect === 'postgres') {
		const words = phraseOf(query.pattern);
		for (const [field, column] of [
			['name', 's.name'],
			['error', 's.error_message'],
		] as const) {
			const spans = yield* postgresFts(
				`SELECT ${RUN_COLUMNS}, s.span_id, s.path, s.name, s.search_seq AS seq, ${column} AS text
				FROM spans s JOIN runs r ON r.trace_id = s.trace_id
				WHERE ${column} IS NOT NULL/*words*/${filter.sql}
				ORDER BY s.search_seq DESC LIMIT ? OFFSET ?`,
				filter.params,
				column,
				words,
				limit,
			);
			found.push(...spans.map(row => ({...row, field})));
		}

		const logs = yield* postgresFts(
			`SELECT ${LOG_COLUMNS}, e.span_id, s.path, s.name, e.event_type, e.id AS seq, e.log_line AS text
			FROM events e
			LEFT JOIN runs r ON r.trace_id = e.trace_id
			LEFT JOIN spans s ON s.trace_id = e.trace_id AND s.span_id = e.span_id
			WHERE e.log_line IS NOT NULL/*words*/${logFilter.sql}
			ORDER BY e.id DESC LIMIT ? OFFSET ?`,
			logFilter.params,
			'e.log_line',
			words,
			limit,
		);
		found.push(...logs.map(row => ({...row, field: logField(row)})));
		const serviceLogs = yield* postgresFts(
			`SELECT ${SERVICE_COLUMNS}, l.id AS seq, l.body AS text
			FROM service_logs l
			WHERE true/*words*/${serviceFilter.sql}
			ORDER BY l.id DESC LIMIT ? OFFSET ?`,
			serviceFilter.params,
			'l.body',
			words,
			limit,
		);
		found.push(...serviceLogs.map(row => ({...row, field: 'log' as const})));
	} else {
		// Newest rows first (rowid DESC) lets FTS5 stop at the limit instead of ranking every match.
		for (const [field, column] of [
			['name', 0],
			['error', 1],
		] as const) {
			const spans = yield* rows<HitRow>(
				`SELECT ${RUN_COLUMNS}, s.span_id, s.path, s.name, f.rowid AS seq,
					snippet(span_search, ${column}, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
				FROM span_search f
				JOIN span_search_keys k ON k.id = f.rowid
				JOIN spans s ON s.trace_id = k.trace_id AND s.span_id = k.span_id
				JOIN runs r ON r.trace_id = s.trace_id
				WHERE span_search MATCH ?${filter.sql}
				ORDER BY f.rowid DESC LIMIT ?`,
				[`${field} : ${phrase}`, ...filter.params, limit],
			);
			found.push(...spans.map(row => ({...row, field})));
		}

		const logs = yield* rows<HitRow>(
			`SELECT ${LOG_COLUMNS}, e.span_id, s.path, s.name, e.event_type, f.rowid AS seq,
				snippet(log_search, 0, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
			FROM log_search f
			JOIN events e ON e.id = f.rowid
			LEFT JOIN runs r ON r.trace_id = e.trace_id
			LEFT JOIN spans s ON s.trace_id = e.trace_id AND s.span_id = e.span_id
			WHERE log_search MATCH ?${logFilter.sql}
			ORDER BY f.rowid DESC LIMIT ?`,
			[phrase, ...logFilter.params, limit],
		);
		found.push(...logs.map(row => ({...row, field: logField(row)})));
		const serviceLogs = yield* rows<HitRow>(
			`SELECT ${SERVICE_COLUMNS}, f.rowid AS seq,
				snippet(service_log_search, 0, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS text
			FROM service_log_search f
			JOIN service_logs l ON l.id = f.rowid
			WHERE service_log_search MATCH ?${serviceFilter.sql}
			ORDER BY f.rowid DESC LIMIT ?`,
			[phrase, ...serviceFilter.params, limit],
		);
		found.push(...serviceLogs.map(row => ({...row, field: 'log' as const})));
	}

	return found.map(row => ({...row, text: showMarks(row.text)}));
}

function logField(row: HitRow): SearchField {
	return row.event_type === 'log:stderr' ? 'stderr' : 'log';
}

function* likeRows(dialect: SqlDialect, query: SearchQuery, limit: number): SqlProgram<FieldRow[]> {
	if (query.pattern === '') {
		throw new InputError('the pattern is empty');
	}

	const filter = runFilter(query);
	const found: FieldRow[] = [];
	const error = errorMessage(dialect);
	const inName = asciiContains(dialect, 's.name', query.pattern);
	const inError = asciiContains(dialect, error, query.pattern);
	// Several spans of one run: by span id, so both engines list them (and cut them at the limit) alike.
	const spans = yield* rows<HitRow & {in_name: number; error: string | null}>(
		`SELECT ${RUN_COLUMNS}, s.span_id, s.path, s.name, 0 AS seq,
			${asFlag(inName.sql)} AS in_name, ${error} AS error
		FROM runs r JOIN spans s ON s.trace_id = r.trace_id
		WHERE (${inName.sql} OR ${inError.sql})${filter.sql}
		ORDER BY r.started_ms DESC, r.trace_id, s.span_id LIMIT ?`,
		[...inName.params, ...inName.params, ...inError.params, ...filter.params, limit],
	);
	for (const row of spans) {
		if (row.in_name === 1) {
			found.push({...row, field: 'name', text: likeSnippet(row.name ?? '', query.pattern)});
		}

		if (row.error?.toLowerCase().includes(query.pattern.toLowerCase())) {
			found.push({...row, field: 'error', text: likeSnippet(row.error, query.pattern)});
		}
	}

	const logFilter = runFilter(query, 'r.env', LOG_TIME);
	const line = dialect === 'sqlite' ? 'l.line' : 'e.log_line';
	const inLine = asciiContains(dialect, line, query.pattern);
	const logs = yield* rows<HitRow>(
		`SELECT ${LOG_COLUMNS}, e.span_id, s.path, s.name, e.event_type, e.id AS seq, ${line} AS text
		FROM ${dialect === 'sqlite' ? 'log_lines l JOIN events e ON e.id = l.id' : 'events e'}
		LEFT JOIN runs r ON r.trace_id = e.trace_id
		LEFT JOIN spans s ON s.trace_id = e.trace_id AND s.span_id = e.span_id
		WHERE ${line} IS NOT NULL AND ${inLine.sql}${logFilter.sql}
		ORDER BY e.id DESC LIMIT ?`,
		[...inLine.params, ...logFilter.params, limit],
	);
	found.push(...logs.map(row => ({...row, field: logField(row), text: likeSnippet(row.text, query.pattern)})));
	const serviceFilter = runFilter(query, 'l.env', 'l.time_ms');
	const inBody = asciiContains(dialect, 'l.body', query.pattern);
	const serviceLogs = yield* rows<HitRow>(
		`SELECT ${SERVICE_COLUMNS}, l.id AS seq, l.body AS text
		FROM service_logs l
		WHERE ${inBody.sql}${serviceFilter.sql}
		ORDER BY l.id DESC LIMIT ?`,
		[...inBody.params, ...serviceFilter.params, limit],
	);
	found.push(...serviceLogs.map(row => ({...row, field: 'log' as const, text: likeSnippet(row.text, query.pattern)})));
	return found;
}

const FIELD_ORDER: Record<SearchField, number> = {error: 0, name: 1, stderr: 2, log: 3};

/**
 * Search step names, error messages and log lines of stored runs, and the
 * log records services sent without a trace. Hits come newest run first
 * (a service's record by its own time); within a run, errors, then names,
 * then log lines in order.
 */
export function* searchProgram(dialect: SqlDialect, query: SearchQuery): SqlProgram<SearchHit[]> {
	const limit = query.limit ?? 50;
	const found = query.like === true ? yield* likeRows(dialect, query, limit) : yield* ftsRows(dialect, query, limit);
	// Hits of one run (or trace, or service) stay together: the key after the time says whose they are.
	const owner = (row: HitRow): string => row.run_id ?? row.trace_id ?? `\u0000${row.service ?? ''}`;
	found.sort((a, b) => b.started_ms - a.started_ms || (owner(a) < owner(b) ? -1 : owner(a) > owner(b) ? 1 : 0) || FIELD_ORDER[a.field] - FIELD_ORDER[b.field] || a.seq - b.seq);
	return found.slice(0, limit).map(row => ({
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

export function searchRuns(db: Db, query: SearchQuery): SearchHit[] {
	return runSqliteQuery(db, () => searchProgram('sqlite', query));
}
