import {currentStepSql} from './current-step.js';
import type {Db} from './open-database.js';
import {hasBeyondAscii, jsonText} from './sql-dialect.js';
import {escapeLike, LIKE_ESCAPE} from './sql-like.js';
import type {SqlDialect} from './sql-program.js';
import {SqlWhere, type SqlValue} from './sql-where.js';

/**
 * The console's run filter once parsed ("status:failed env:prod api"): any
 * value of a field may match, and every field and every free-text word must.
 * Field values and words are lower case; they match a case-insensitive
 * substring, except status, which matches exactly ("stuck" meaning a running
 * run quiet for longer than the threshold).
 */
export interface RunQuery {
	status: string[];
	env: string[];
	target: string[];
	user: string[];
	branch: string[];
	text: string[];
}

/** What a query compares with the clock: `status:stuck` (and the duration sort) need now. */
export interface RunClock {
	nowMs: number;
	stuckAfterMs: number;
}

export const EMPTY_RUN_QUERY: RunQuery = {status: [], env: [], target: [], user: [], branch: [], text: []};

export interface SqlPart {
	sql: string;
	params: SqlValue[];
}

const LOWER_CONTAINS = 'tracedeck_lower_contains';
const withFunctions = new WeakSet<Db>();

/**
 * JavaScript's toLowerCase() for the rare value SQLite's ASCII-only case
 * folding cannot decide: the function the filter's SQL calls on SQLite
 * (PostgreSQL folds in SQL, see containsSql). Register it on a connection
 * before running a program that filters runs (readSqlite does).
 */
export function registerQueryFunctions(db: Db): void {
	if (withFunctions.has(db)) {
		return;
	}

	db.function(LOWER_CONTAINS, {deterministic: true}, (value: unknown, needle: unknown) => (value === null || value === undefined || typeof needle !== 'string' ? 0 : String(value).toLowerCase().includes(needle) ? 1 : 0));
	withFunctions.add(db);
}

const ASCII = /^[\u0000-\u007f]*$/;

/**
 * `needle` (ASCII) as a LIKE pattern that also lets through the two
 * characters beyond ASCII that lower-case into ASCII: K (Kelvin) into "k",
 * and İ into "i" plus a combining dot, so İ can only end a match. Every
 * other character beyond ASCII lower-cases to something beyond ASCII and
 * cannot take part in an ASCII match, so a value whose lower case contains
 * `needle` always matches this pattern (LIKE folds ASCII letters as
 * toLowerCase does, and `_` is any one character).
 */
function loosePattern(needle: string): string {
	const escaped = escapeLike(needle).replace(/k/g, '_');
	return `%${escaped.endsWith('i') ? `${escaped.slice(0, -1)}_` : escaped}%`;
}

// What toLowerCase() turns into ASCII beyond ASCII's own letters (see loosePattern): K (Kelvin) into k, İ into i plus a combining dot.
const FOLD_FROM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212a';
const FOLD_TO = 'abcdefghijklmnopqrstuvwxyzk';

/**
 * PostgreSQL cannot call JavaScript, so it folds in SQL. An ASCII needle is
 * decided exactly: only ASCII letters, K and İ lower-case into anything that
 * holds ASCII, and those are written out. A needle beyond ASCII is compared
 * with lower(), which folds by the database's character type: it agrees with
 * toLowerCase() on the letters people type, and may differ where Unicode's
 * full mapping and the C library's simple one part (a final Σ, which
 * toLowerCase() makes ς; İ; a database whose LC_CTYPE is C, which folds
 * ASCII only).
 */
function postgresContainsSql(expr: string, needle: string): SqlPart {
	if (!ASCII.test(needle)) {
		return {sql: `(${hasBeyondAscii(expr)} AND strpos(lower(${expr}), ?) > 0)`, params: [needle]};
	}

	return {sql: `(strpos(translate(replace(${expr}, '\u0130', 'i\u0307'), '${FOLD_FROM}', '${FOLD_TO}'), ?) > 0)`, params: [needle]};
}

/**
 * `expr` contains `needle` (lower case) once lower-cased as matchesRun does
 * it (String.prototype.toLowerCase), without calling into JavaScript for
 * every row: LIKE decides what it can, the function only the rows LIKE
 * cannot rule out.
 */
function containsSql(dialect: SqlDialect, expr: string, needle: string): SqlPart {
	if (dialect === 'postgres') {
		return postgresContainsSql(expr, needle);
	}

	if (!ASCII.test(needle)) {
		// A needle beyond ASCII only matches a value beyond ASCII.
		return {sql: `(${hasBeyondAscii(expr)} AND ${LOWER_CONTAINS}(${expr}, ?))`, params: [needle]};
	}

	const exact = `%${escapeLike(needle)}%`;
	const loose = loosePattern(needle);
	if (loose === exact) {
		return {sql: `(${expr} LIKE ? ${LIKE_ESCAPE})`, params: [exact]};
	}

	return {sql: `(${expr} LIKE ? ${LIKE_ESCAPE} OR (${expr} LIKE ? ${LIKE_ESCAPE} AND ${LOWER_CONTAINS}(${expr}, ?)))`, params: [exact, loose, needle]};
}

function anyOf(parts: readonly SqlPart[]): SqlPart {
	return {sql: `(${parts.map(part => part.sql).join(' OR ')})`, params: parts.flatMap(part => part.params)};
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Printable ASCII that JSON.stringify writes as it is: no quote, no backslash, no control character. */
const VERBATIM_IN_JSON = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]+$/;

/**
 * A cheap test on the raw body text that every run with a stored field
 * (body or column) holding `needle` passes, or null when there is none. JSON.stringify writes a
 * string's characters as they are except quotes, backslashes, control
 * characters and lone surrogates, so an ASCII needle without those appears in
 * the body as it does in the field (the loose pattern covers K and İ), and a
 * well-formed needle beyond ASCII needs a body with a character beyond ASCII.
 */
function bodyTest(dialect: SqlDialect, needle: string): SqlPart | null {
	// On PostgreSQL the fields are compared at once: its LIKE on the body would be no cheaper than the comparisons it spares.
	if (dialect === 'postgres') {
		return null;
	}

	if (VERBATIM_IN_JSON.test(needle)) {
		return {sql: `runs.body LIKE ? ${LIKE_ESCAPE}`, params: [loosePattern(needle)]};
	}

	return !ASCII.test(needle) && !LONE_SURROGATE.test(needle) ? {sql: hasBeyondAscii('runs.body'), params: []} : null;
}

/** `first` AND `then`, or `then` alone when there is no first test. */
function guarded(first: SqlPart | null, then: SqlPart): SqlPart {
	return first === null ? then : {sql: `(${first.sql} AND ${then.sql})`, params: [...first.params, ...then.params]};
}

function bodyFieldSql(dialect: SqlDialect, path: readonly string[], needle: string): SqlPart {
	return containsSql(dialect, jsonText(dialect, 'runs.body', path), needle);
}

const CURRENT_STEP = `(${currentStepSql('runs.trace_id')})`;

/**
 * A free-text word: in any of the fields matchesRun reads. Every stored
 * field is in the body too (its columns mirror it), so the cheap body test
 * rules out most runs before a column is compared or a body parsed; only
 * a running run's current step lives elsewhere (the spans).
 */
function wordSql(dialect: SqlDialect, word: string): SqlPart {
	const columns = ['runs.run_id', 'runs.trace_id', 'runs.env', 'runs.target', 'runs."user"', 'runs.failed_step', 'runs.status'];
	const paths = [['name'], ['git', 'branch'], ['git', 'sha']];
	const stored = anyOf([...columns.map(column => containsSql(dialect, column, word)), ...paths.map(path => bodyFieldSql(dialect, path, word))]);
	const step = containsSql(dialect, CURRENT_STEP, word);
	return anyOf([guarded(bodyTest(dialect, word), stored), {sql: `(runs.status = 'running' AND ${step.sql})`, params: step.params}]);
}

function statusSql(values: readonly string[], clock: RunClock): SqlPart {
	const exact = values.filter(value => value !== 'stuck');
	const parts: SqlPart[] = [];
	if (exact.length > 0) {
		parts.push({sql: `runs.status IN (${exact.map(() => '?').join(', ')})`, params: [...exact]});
	}

	if (exact.length < values.length) {
		// isStuck: now - last event > threshold, written the same way so the arithmetic is the same.
		parts.push({sql: "(runs.status = 'running' AND ? - runs.last_event_ms > ?)", params: [clock.nowMs, clock.stuckAfterMs]});
	}

	return anyOf(parts);
}

/**
 * The runs a query keeps, as WHERE clauses over the `runs` table (by that
 * name, unaliased): the same runs matchesRun keeps, so that a filter works
 * over the whole index and not over a page of it.
 */
export function runQueryWhere(dialect: SqlDialect, query: RunQuery, clock: RunClock): SqlWhere {
	const where = new SqlWhere();
	if (query.status.length > 0) {
		const status = statusSql(query.status, clock);
		where.addAll(status.sql, status.params);
	}

	const fields: Array<[readonly string[], (value: string) => SqlPart]> = [
		[query.env, value => containsSql(dialect, 'runs.env', value)],
		[query.target, value => containsSql(dialect, 'runs.target', value)],
		[query.user, value => containsSql(dialect, 'runs."user"', value)],
		[query.branch, value => guarded(bodyTest(dialect, value), bodyFieldSql(dialect, ['git', 'branch'], value))],
	];
	for (const [values, match] of fields) {
		if (values.length > 0) {
			const part = anyOf(values.map(match));
			where.addAll(part.sql, part.params);
		}
	}

	for (const word of query.text) {
		const part = wordSql(dialect, word);
		where.addAll(part.sql, part.params);
	}

	return where;
}

/** True when the query keeps every run. */
export function isEmptyQuery(query: RunQuery): boolean {
	return Object.values(query).every((values: readonly string[]) => values.length === 0);
}
