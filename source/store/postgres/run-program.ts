import type pg from 'pg';
import {isKept, type SqlProgram, type SqlStep, type TransactionMode} from '../sql-program.js';

/**
 * `?` placeholders as PostgreSQL's `$1, $2, ...`. Quoted text and
 * identifiers are copied as they are: a `?` inside them is not a parameter.
 */
export function numberPlaceholders(sql: string): string {
	let out = '';
	let n = 0;
	let quote: string | null = null;
	for (const char of sql) {
		if (quote !== null) {
			if (char === quote) {
				quote = null;
			}
		} else if (char === "'" || char === '"') {
			quote = char;
		} else if (char === '?') {
			out += `$${++n}`;
			continue;
		}

		out += char;
	}

	return out;
}

const numbered = new Map<string, string>();

function textOf(step: SqlStep): string {
	let text = numbered.get(step.sql);
	if (text === undefined) {
		text = numberPlaceholders(step.sql);
		numbered.set(step.sql, text);
	}

	return text;
}

const names = new Map<string, string>();

/** A kept statement's name (sql-program.ts kept): node-postgres prepares a named statement once per connection. */
function nameOf(step: SqlStep): string | undefined {
	if (!isKept(step.sql)) {
		return undefined;
	}

	let name = names.get(step.sql);
	if (name === undefined) {
		name = `tracedeck_${names.size + 1}`;
		names.set(step.sql, name);
	}

	return name;
}

/** One statement on a client: its rows, or how many rows it changed. */
export async function executeStep(client: pg.ClientBase, step: SqlStep): Promise<unknown> {
	const name = nameOf(step);
	const result = await client.query(name === undefined ? {text: textOf(step), values: [...step.params]} : {name, text: textOf(step), values: [...step.params]});
	return step.reads ? result.rows : (result.rowCount ?? 0);
}

/** Run a program's statements on a client, in whatever transaction it is in. */
export async function runSteps<T>(client: pg.ClientBase, program: () => SqlProgram<T>): Promise<T> {
	const steps = program();
	let next = steps.next();
	while (!next.done) {
		next = steps.next(await executeStep(client, next.value));
	}

	return next.value;
}

/**
 * Run a program (sql-program.ts) on one client in one transaction: a read
 * sees one snapshot (REPEATABLE READ, read only), a write commits whole or
 * not at all. The client must not be in a transaction already.
 */
export async function runPostgres<T>(client: pg.ClientBase, program: () => SqlProgram<T>, mode: TransactionMode): Promise<T> {
	await client.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
	try {
		const result = await runSteps(client, program);
		await client.query('COMMIT');
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		throw error;
	}
}
