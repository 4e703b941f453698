import type {SqlParam, SqlDialect} from './sql-program.js';
import {escapeLike, LIKE_ESCAPE} from './sql-like.js';

/*
 * The few places where the store's SQL differs between SQLite and
 * PostgreSQL, each as one named helper, so that a program (sql-program.ts)
 * reads the same on both engines and says where they part.
 */

export interface SqlFragment {
	sql: string;
	params: SqlParam[];
}

/** A JSON path as SQLite writes it: $.a."b.c" (keys with a dot or a quote are quoted). */
function sqlitePath(path: readonly string[]): string {
	return `$${path.map(key => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `."${key.replaceAll('"', '""')}"`)).join('')}`;
}

/** A JSON path as a PostgreSQL text[] literal: '{a,"b.c"}'. */
function postgresPath(path: readonly string[]): string {
	return `'{${path.map(key => `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll("'", "''")}"`).join(',')}}'`;
}

/**
 * A JSON body's member as text: a string as it is, a number as its digits
 * (SQLite gives the number itself; compared with text the two agree), null
 * for JSON null or a missing member. The paths are tracedeck's own words.
 */
export function jsonText(dialect: SqlDialect, expr: string, path: readonly string[]): string {
	return dialect === 'sqlite' ? `json_extract(${expr}, '${sqlitePath(path)}')` : `(${expr}::json #>> ${postgresPath(path)})`;
}

/**
 * A JSON body's member as a value, to read in JavaScript through
 * sqliteJsonValue: SQLite's json_extract gives SQL values (objects as JSON
 * text, true as 1), PostgreSQL's json gives the parsed value. `json`, not
 * `jsonb`: jsonb would reorder an object's keys.
 */
export function jsonValue(dialect: SqlDialect, expr: string, path: readonly string[]): string {
	return dialect === 'sqlite' ? `json_extract(${expr}, '${sqlitePath(path)}')` : `(${expr}::json #> ${postgresPath(path)})`;
}

/** A value read with jsonValue, as SQLite's json_extract gives it on either engine. */
export function sqliteJsonValue(value: unknown): string | number | null {
	if (value === null || value === undefined) {
		return null;
	}

	if (typeof value === 'boolean') {
		return value ? 1 : 0;
	}

	if (typeof value === 'string' || typeof value === 'number') {
		return value;
	}

	return JSON.stringify(value);
}

/** True when the body's member is a JSON string. */
export function jsonIsString(dialect: SqlDialect, expr: string, path: readonly string[]): string {
	return dialect === 'sqlite' ? `json_type(${expr}, '${sqlitePath(path)}') = 'text'` : `json_typeof(${expr}::json #> ${postgresPath(path)}) = 'string'`;
}

/** `a` equals `b`, NULL equal to NULL (SQLite's IS; PostgreSQL spells it IS NOT DISTINCT FROM). */
export function sameValue(dialect: SqlDialect, a: string, b: string): string {
	return dialect === 'sqlite' ? `${a} IS ${b}` : `${a} IS NOT DISTINCT FROM ${b}`;
}

/** The larger of two values that are never NULL (SQLite's max(a, b) is NULL when either is; GREATEST skips NULLs). */
export function greatest(dialect: SqlDialect, a: string, b: string): string {
	return dialect === 'sqlite' ? `max(${a}, ${b})` : `GREATEST(${a}, ${b})`;
}

/** A number parameter where PostgreSQL cannot infer its type (a CASE's branches, a bare comparison with another parameter). */
export function numberParam(dialect: SqlDialect): string {
	return dialect === 'sqlite' ? '?' : '?::float8';
}

/**
 * A runs row's own key, to pick rows in one statement and read them in the
 * next: SQLite's rowid (the cheapest lookup it has), PostgreSQL's primary
 * key (it has no rowid).
 */
export function runKey(dialect: SqlDialect): string {
	return dialect === 'sqlite' ? 'runs.rowid' : 'runs.trace_id';
}

/** `expr` is one of a JSON array's elements, given as one parameter (a list of any length, one statement text). */
export function inJsonList(dialect: SqlDialect, expr: string): string {
	return dialect === 'sqlite' ? `${expr} IN (SELECT value FROM json_each(?))` : `${expr} IN (SELECT jsonb_array_elements_text(?::jsonb))`;
}

/** A value holding any character beyond ASCII: it has more bytes than characters (same on both engines). */
export function hasBeyondAscii(expr: string): string {
	return `length(${expr}) <> octet_length(${expr})`;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Lower-case ASCII letters only, as SQLite's LIKE folds them. */
export function asciiLower(text: string): string {
	return text.replace(/[A-Z]/g, char => char.toLowerCase());
}

/**
 * `expr` contains `needle` as SQLite's LIKE '%needle%' decides it: ASCII
 * letters match either case, every other character only itself. On
 * PostgreSQL, LIKE is case-sensitive and ILIKE folds by the database's
 * locale, so the ASCII folding is written out (translate) to give SQLite's
 * answer exactly.
 */
export function asciiContains(dialect: SqlDialect, expr: string, needle: string): SqlFragment {
	if (dialect === 'sqlite') {
		return {sql: `${expr} LIKE ? ${LIKE_ESCAPE}`, params: [`%${escapeLike(needle)}%`]};
	}

	return {sql: `strpos(translate(${expr}, '${UPPER}', '${UPPER.toLowerCase()}'), ?) > 0`, params: [asciiLower(needle)]};
}

/** `CASE WHEN cond THEN 1 ELSE 0 END`: a truth as 0/1 on both engines (PostgreSQL would give a boolean). */
export function asFlag(condition: string): string {
	return `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
}
