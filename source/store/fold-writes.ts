import type {Run} from '../core/run.js';
import {kept, rows, type SqlParam, type SqlProgram, write} from './sql-program.js';

/*
 * The statements of the fold's writes, for many rows at once (fold-program.ts
 * folds; this file says how its rows reach the tables). On PostgreSQL every
 * statement is a round trip: a batch of fresh traces goes in as a few
 * multi-row upserts and two lookups, not several statements a span.
 */

/**
 * A few fixed statement sizes, so that each engine prepares a handful of
 * statements, not one per batch length; 13 parameters a row at 500 rows
 * stays far below either engine's limit (SQLite 32,766, PostgreSQL 65,535).
 */
export const INSERT_SIZES = [500, 100, 20, 5, 1] as const;

/** `count` rows as statement sizes, largest first. */
export function* insertSizes(count: number): Generator<number> {
	let left = count;
	for (const size of INSERT_SIZES) {
		for (; left >= size; left -= size) {
			yield size;
		}
	}
}

const LIST_SIZES = [1, 5, 20, 100, 500] as const;
const LARGEST_LIST = 500;

/**
 * Values for `IN (...)` lists in pieces of a fixed size, the last piece
 * padded with repeats of its last value (a repeat changes no answer): one
 * statement for up to 500 values, still a handful of statement texts.
 */
function* listPieces(values: readonly string[]): Generator<string[]> {
	for (let from = 0; from < values.length; from += LARGEST_LIST) {
		const piece = values.slice(from, from + LARGEST_LIST);
		const size = LIST_SIZES.find(candidate => candidate >= piece.length) ?? LARGEST_LIST;
		while (piece.length < size) {
			piece.push(piece.at(-1)!);
		}

		yield piece;
	}
}

const texts = new Map<string, string>();

/** A statement's text for `size` rows or values, made once. */
function sized(key: string, size: number, make: (size: number) => string): string {
	const id = `${key}:${size}`;
	let text = texts.get(id);
	if (text === undefined) {
		text = kept(make(size));
		texts.set(id, text);
	}

	return text;
}

const tuples = (size: number, width: number): string => Array.from({length: size}, () => `(${Array.from({length: width}, () => '?').join(', ')})`).join(', ');

const SPAN_COLUMNS = 'trace_id, span_id, parent_span_id, name, kind, path, start_ms, end_ms, status, body';
const SPAN_WIDTH = 10;
const upsertSpansSql = (size: number): string =>
	sized(
		'spans',
		size,
		() => `INSERT INTO spans (${SPAN_COLUMNS})
		VALUES ${tuples(size, SPAN_WIDTH)}
		ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id, name = excluded.name,
		kind = excluded.kind, path = excluded.path, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
		status = excluded.status, body = excluded.body`,
	);

const RUN_COLUMNS = 'trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, "user", body';
const RUN_WIDTH = 13;
const upsertRunsSql = (size: number): string =>
	sized(
		'runs',
		size,
		() => `INSERT INTO runs (${RUN_COLUMNS})
		VALUES ${tuples(size, RUN_WIDTH)}
		ON CONFLICT (trace_id) DO UPDATE SET run_id = excluded.run_id, env = excluded.env, target = excluded.target,
		plan_hash = excluded.plan_hash, status = excluded.status, started_ms = excluded.started_ms, ended_ms = excluded.ended_ms,
		last_event_ms = excluded.last_event_ms, steps_seen = excluded.steps_seen, failed_step = excluded.failed_step,
		"user" = excluded."user", body = excluded.body`,
	);

// VALUES names its column column1 on both engines; NOT EXISTS stops at the first earlier event of each trace.
const freshTracesSql = (size: number): string => sized('fresh', size, () => `SELECT t.column1 AS trace_id FROM (VALUES ${tuples(size, 1)}) AS t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.trace_id = t.column1 AND e.id < ?)`);

const runIdOwnersSql = (size: number): string => sized('owners', size, () => `SELECT run_id, trace_id FROM runs WHERE run_id IN (${Array.from({length: size}, () => '?').join(', ')})`);

/** A span's row as upsertSpans writes it. */
export interface SpanRow {
	traceId: string;
	spanId: string;
	parentSpanId: string | null;
	params: SqlParam[];
}

/**
 * Upsert span rows, each parent in the batch before its children. The
 * metric triggers that look at a span's parent (a rollback or smoke test
 * counted once, at its outermost span) must find the parent already there:
 * a child written first would count as outermost, and a counter cannot
 * take it back when its parent comes. A child can start before its parent
 * (clock skew, or a producer that reports inner work first), so the rows'
 * own order is not enough. With parents first, PostgreSQL (whose row
 * triggers run after the whole statement and see every row of it) and
 * SQLite (after each row) see the same thing. Across batches a child
 * stored before its parent arrives still counts: the counter is monotonic.
 */
export function* upsertSpans(spanRows: readonly SpanRow[]): SqlProgram<void> {
	yield* upsertPieces(parentsFirst(spanRows), SPAN_WIDTH, upsertSpansSql);
}

/** The rows in their order, except that a row whose parent comes later in the list is preceded by it (and its ancestors). */
export function parentsFirst(spanRows: readonly SpanRow[]): SpanRow[] {
	const key = (traceId: string, spanId: string): string => `${traceId}\u0000${spanId}`;
	const byKey = new Map<string, number>();
	for (let i = 0; i < spanRows.length; i++) {
		const row = spanRows[i]!;
		byKey.set(key(row.traceId, row.spanId), i);
	}

	const placed = new Uint8Array(spanRows.length);
	const ordered: SpanRow[] = [];
	const chain: number[] = [];
	for (let i = 0; i < spanRows.length; i++) {
		// Walk up to the first ancestor already placed (or not in the batch), then place the chain top down.
		// `placed` marks a row as soon as it joins a chain, so a cycle of parent ids ends the walk.
		let at: number | undefined = i;
		while (at !== undefined && placed[at] === 0) {
			placed[at] = 1;
			chain.push(at);
			const row: SpanRow = spanRows[at]!;
			at = row.parentSpanId === null ? undefined : byKey.get(key(row.traceId, row.parentSpanId));
		}

		while (chain.length > 0) {
			ordered.push(spanRows[chain.pop()!]!);
		}
	}

	return ordered;
}

function* upsertPieces(list: ReadonlyArray<{params: readonly SqlParam[]}>, width: number, sql: (size: number) => string): SqlProgram<void> {
	let from = 0;
	for (const size of insertSizes(list.length)) {
		const params: SqlParam[] = new Array<SqlParam>(size * width);
		for (let i = 0; i < size; i++) {
			const row = list[from + i]!.params;
			for (let c = 0; c < width; c++) {
				params[i * width + c] = row[c]!;
			}
		}

		yield* write(sql(size), params);
		from += size;
	}
}

/** A run as its row holds it; `current_step` is left out, as it moves with every line. */
export function runRow(run: Run, stepsSeen: number): {params: SqlParam[]} {
	const stored: Run = {...run, current_step: null};
	return {
		params: [run.trace_id, run.run_id, run.env, run.target, run.plan_hash, run.status, Date.parse(run.started_at), run.ended_at === null ? null : Date.parse(run.ended_at), run.last_event_ms, stepsSeen, run.failed_step, run.user, JSON.stringify(stored)],
	};
}

/** Upsert run rows in their order (a trace once each). */
export function* upsertRuns(runRows: ReadonlyArray<{params: readonly SqlParam[]}>): SqlProgram<void> {
	yield* upsertPieces(runRows, RUN_WIDTH, upsertRunsSql);
}

/** Of these traces, those with no event stored before `firstNewId`: nothing of them is stored but this batch. */
export function* freshTraces(traceIds: readonly string[], firstNewId: number): SqlProgram<Set<string>> {
	const fresh = new Set<string>();
	for (const piece of listPieces(traceIds)) {
		for (const row of yield* rows<{trace_id: string}>(freshTracesSql(piece.length), [...piece, firstNewId])) {
			fresh.add(row.trace_id);
		}
	}

	return fresh;
}

/**
 * Two traces claiming one run id (a re-run under the same id) both stay
 * visible: the later one gets a suffix from its trace id. The short suffix
 * comes first (ids already stored keep it); padded 64-bit ids share their
 * first eight characters, so the whole trace id follows when it is taken.
 * Claims are settled in their order, as if each run were written before
 * the next claim is looked at (the first claim keeps a contested id).
 */
export function* uniqueRunIds(claims: ReadonlyArray<{runId: string; traceId: string}>): SqlProgram<string[]> {
	const shortCandidates = (runId: string, traceId: string): string[] => [runId, `${runId}~${traceId.slice(0, 8)}`];
	const owners = new Map<string, string>();
	const wanted = [...new Set(claims.flatMap(claim => shortCandidates(claim.runId, claim.traceId)))];
	for (const piece of listPieces(wanted)) {
		for (const row of yield* rows<{run_id: string; trace_id: string}>(runIdOwnersSql(piece.length), piece)) {
			owners.set(row.run_id, row.trace_id);
		}
	}

	return claims.map(({runId, traceId}) => {
		const chosen =
			shortCandidates(runId, traceId).find(candidate => {
				const owner = owners.get(candidate);
				return owner === undefined || owner === traceId;
			}) ?? `${runId}~${traceId}`;
		owners.set(chosen, traceId);
		return chosen;
	});
}
