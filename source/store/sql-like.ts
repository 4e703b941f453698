import type {SqlDialect} from './sql-program.js';

/**
 * Matching text literally with SQL LIKE: escapeLike escapes the pattern's own
 * `%`, `_` and backslash, and every LIKE using such a pattern carries
 * LIKE_ESCAPE, which names the backslash as the escape. The two go together.
 */
export const LIKE_ESCAPE = "ESCAPE '\\'";

export function escapeLike(text: string): string {
	return text.replace(/[\\%_]/g, match => `\\${match}`);
}

/** LIKE as SQLite means it, ignoring ASCII case: PostgreSQL's LIKE does not, its ILIKE does. */
export function likeOperator(dialect: SqlDialect): string {
	return dialect === 'postgres' ? 'ILIKE' : 'LIKE';
}
