import type {Run} from '../core/run.js';
import {currentStepSql} from './current-step.js';
import {damagedStoreError, type Db} from './open-database.js';
import {daySummaryProgram, type DaySummary} from './run-day-summary.js';
import {isEmptyQuery, runQueryWhere, type RunClock, type RunQuery, type SqlPart} from './run-query-sql.js';
import {greatest, inJsonList, numberParam, runKey} from './sql-dialect.js';
import {one, rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import type {SqlValue} from './sql-where.js';
import {runSqliteQuery} from './sqlite-query.js';

/** The console's sort keys; running runs come first under each (question 4: what is running right now). */
export type RunOrder = 'started' | 'duration' | 'status';

/** One list over the whole index: which runs, in which order, as of which clock. */
export interface RunListing {
	query: RunQuery;
	order: RunOrder;
	clock: RunClock;
}

/** How many runs a listing holds, segment by segment (the first segment is the running runs). */
export interface RunCounts {
	total: number;
	segments: readonly number[];
}

interface OrderTerm {
	sql: string;
	params: SqlValue[];
	desc: boolean;
}

/**
 * A stretch of the list that an index can walk in order. The list is its
 * segments one after the other, so no query has to sort the whole index to
 * put running runs first: each segment is a WHERE clause that an index
 * (runs_by_status, runs_by_start) narrows, in an order it already holds.
 */
interface Segment {
	where: SqlPart;
	order: OrderTerm[];
	/** Counted as what the others leave of the total: SQLite counts a whole table from its page counts, not row by row. */
	remainder?: boolean;
}

const KNOWN_STATUSES = ['cancelled', 'failed', 'running', 'success'] as const;

function statusIs(status: string): SqlPart {
	return {sql: 'runs.status = ?', params: [status]};
}

/** Any status but these, written as ranges so the status index answers it (NOT IN would scan it). */
function statusOther(known: readonly string[]): SqlPart {
	const sorted = [...known].sort();
	const ranges = ['runs.status < ?', ...sorted.slice(1).map(() => '(runs.status > ? AND runs.status < ?)'), 'runs.status > ?'];
	const params = [sorted[0]!, ...sorted.slice(1).flatMap((status, i) => [sorted[i]!, status]), sorted.at(-1)!];
	return {sql: `(${ranges.join(' OR ')})`, params};
}

const BY_START: OrderTerm[] = [
	{sql: 'runs.started_ms', params: [], desc: true},
	{sql: 'runs.run_id', params: [], desc: false},
];
const RUNNING = statusIs('running');
const NOT_RUNNING: SqlPart = {sql: "runs.status <> 'running'", params: []};

/**
 * orderRuns (source/tui/state/run-filter.ts) as segments: running first, then
 * by the key, then newest first, then by run id. (run_id compares as UTF-8
 * bytes here and as UTF-16 units there: the two differ only between
 * characters above U+FFFF and U+E000..U+FFFF, which run ids do not mix.)
 */
function segmentsOf(dialect: SqlDialect, order: RunOrder, clock: RunClock): Segment[] {
	switch (order) {
		case 'started': {
			return [
				{where: RUNNING, order: BY_START},
				{where: NOT_RUNNING, order: BY_START, remainder: true},
			];
		}

		case 'duration': {
			// runDurationMs (core/run-duration.ts): a run without an end is timed up to now, never below 0.
			const duration: OrderTerm = {sql: greatest(dialect, '0', `coalesce(runs.ended_ms, ${numberParam(dialect)}) - runs.started_ms`), params: [clock.nowMs], desc: true};
			return [
				{where: RUNNING, order: [duration, ...BY_START]},
				{where: NOT_RUNNING, order: [duration, ...BY_START], remainder: true},
			];
		}

		case 'status': {
			// STATUS_ORDER: failed, (running,) cancelled, success, then anything else.
			return [
				{where: RUNNING, order: BY_START},
				{where: statusIs('failed'), order: BY_START},
				{where: statusIs('cancelled'), order: BY_START},
				{where: statusIs('success'), order: BY_START, remainder: true},
				{where: statusOther(KNOWN_STATUSES), order: BY_START},
			];
		}
	}
}

function guard<T>(db: Db, query: () => T): T {
	try {
		return query();
	} catch (error) {
		throw damagedStoreError(db.name, error);
	}
}

/** A program run on SQLite in one read transaction, its errors told as the store's. */
function onSqlite<T>(db: Db, program: () => SqlProgram<T>): T {
	return guard(db, () => runSqliteQuery(db, program));
}

interface Compiled {
	dialect: SqlDialect;
	filter: SqlPart | null;
	segments: Segment[];
}

function compile(dialect: SqlDialect, listing: RunListing): Compiled {
	const where = runQueryWhere(dialect, listing.query, listing.clock);
	const filter = where.clauses.length === 0 ? null : {sql: where.clauses.join(' AND '), params: where.params};
	return {dialect, filter, segments: segmentsOf(dialect, listing.order, listing.clock)};
}

/** The WHERE of one segment of a listing (and any extra clauses), with its parameters in order. */
function segmentWhere(compiled: Compiled, segment: Segment, extra: readonly SqlPart[] = []): SqlPart {
	const parts = [segment.where, ...(compiled.filter ? [compiled.filter] : []), ...extra];
	return {sql: parts.map(part => part.sql).join(' AND '), params: parts.flatMap(part => part.params)};
}

function* count(where: SqlPart): SqlProgram<number> {
	const row = yield* one<{n: number}>(`SELECT count(*) AS n FROM runs WHERE ${where.sql}`, where.params);
	return row?.n ?? 0;
}

/** Every run in the index, whatever the filter: the "of N" beside a filtered count. */
export function* countAllRunsProgram(): SqlProgram<number> {
	const row = yield* one<{n: number}>('SELECT count(*) AS n FROM runs');
	return row?.n ?? 0;
}

export function countAllRuns(db: Db): number {
	return onSqlite(db, () => countAllRunsProgram());
}

/** How many runs the listing holds, in total and per segment. */
export function* countRunsProgram(dialect: SqlDialect, listing: RunListing): SqlProgram<RunCounts> {
	const compiled = compile(dialect, listing);
	const total = compiled.filter ? yield* count(compiled.filter) : yield* countAllRunsProgram();
	const counts: number[] = [];
	for (const segment of compiled.segments) {
		counts.push(segment.remainder ? 0 : yield* count(segmentWhere(compiled, segment)));
	}

	const remainder = compiled.segments.findIndex(segment => segment.remainder);
	counts[remainder] = total - counts.reduce((sum, n) => sum + n, 0);
	return {total, segments: counts};
}

export function countRuns(db: Db, listing: RunListing): RunCounts {
	return onSqlite(db, () => countRunsProgram('sqlite', listing));
}

/** Running runs in the listing that went quiet for longer than the stuck threshold. */
export function* countStuckProgram(dialect: SqlDialect, listing: RunListing): SqlProgram<number> {
	const stuck: SqlPart = {sql: `${numberParam(dialect)} - runs.last_event_ms > ?`, params: [listing.clock.nowMs, listing.clock.stuckAfterMs]};
	return yield* count(segmentWhere(compile(dialect, listing), {where: RUNNING, order: BY_START}, [stuck]));
}

export function countStuck(db: Db, listing: RunListing): number {
	return onSqlite(db, () => countStuckProgram('sqlite', listing));
}

function orderSql(terms: readonly OrderTerm[], reverse: boolean): SqlPart {
	return {
		sql: terms.map(term => `${term.sql} ${term.desc !== reverse ? 'DESC' : 'ASC'}`).join(', '),
		params: terms.flatMap(term => term.params),
	};
}

interface RunRow {
	body: string;
	current_step: string | null;
}

/** The columns a listed run is read from: its body, and while it runs, its current step. */
export const RUN_COLUMNS = `runs.body, CASE WHEN runs.status = 'running' THEN (${currentStepSql('runs.trace_id')}) END AS current_step`;

/** A run as RUN_COLUMNS read it. */
export function toRun(row: RunRow): Run {
	const run = JSON.parse(row.body) as Run;
	if (run.status === 'running') {
		run.current_step = row.current_step ?? null;
	}

	return run;
}

/**
 * Rows [from, to) of one segment that holds `size` rows, read from whichever
 * end is nearer (G must not walk the whole index). The ordered part picks
 * row keys only: ties on started_ms make SQLite sort each run of equal
 * starts, and rows it sorts it carries whole, body and all, through every
 * row it skips.
 */
function* segmentRows(compiled: Compiled, segment: Segment, size: number, from: number, to: number): SqlProgram<Run[]> {
	const key = runKey(compiled.dialect);
	const reverse = from > size - to;
	const where = segmentWhere(compiled, segment);
	const order = orderSql(segment.order, reverse);
	const picked = yield* rows<{id: number | string}>(`SELECT ${key} AS id FROM runs WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`, [...where.params, ...order.params, to - from, reverse ? size - to : from]);
	const ids = picked.map(row => row.id);
	if (reverse) {
		ids.reverse();
	}

	const found = yield* rows<RunRow & {id: number | string}>(`SELECT ${key} AS id, ${RUN_COLUMNS} FROM runs WHERE ${inJsonList(compiled.dialect, key)}`, [JSON.stringify(ids)]);
	const byId = new Map(found.map(row => [row.id, row]));
	return ids.flatMap(id => {
		const row = byId.get(id);
		return row ? [toRun(row)] : [];
	});
}

/** The first `limit` runs of the listing, without counting anything first: what the first frame shows. */
export function* firstRunsProgram(dialect: SqlDialect, listing: RunListing, limit: number): SqlProgram<Run[]> {
	const runs: Run[] = [];
	const compiled = compile(dialect, listing);
	for (const segment of compiled.segments) {
		if (runs.length >= limit) {
			break;
		}

		const where = segmentWhere(compiled, segment);
		const order = orderSql(segment.order, false);
		const found = yield* rows<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ?`, [...where.params, ...order.params, limit - runs.length]);
		runs.push(...found.map(row => toRun(row)));
	}

	return runs;
}

export function firstRuns(db: Db, listing: RunListing, limit: number): Run[] {
	return onSqlite(db, () => firstRunsProgram('sqlite', listing, limit));
}

/** Runs at positions [from, to) of the listing, as counted by `counts`. */
export function* runsBetweenProgram(dialect: SqlDialect, listing: RunListing, counts: RunCounts, from: number, to: number): SqlProgram<Run[]> {
	const runs: Run[] = [];
	const compiled = compile(dialect, listing);
	let start = 0;
	for (const [i, segment] of compiled.segments.entries()) {
		const size = counts.segments[i] ?? 0;
		const lo = Math.max(from, start) - start;
		const hi = Math.min(to, start + size) - start;
		if (lo < hi) {
			runs.push(...(yield* segmentRows(compiled, segment, size, lo, hi)));
		}

		start += size;
	}

	return runs;
}

export function runsBetween(db: Db, listing: RunListing, counts: RunCounts, from: number, to: number): Run[] {
	return onSqlite(db, () => runsBetweenProgram('sqlite', listing, counts, from, to));
}

/**
 * "Sorts before the run whose terms have these values", (t1, t2, ...) <
 * (v1, v2, ...) with each term in its direction, as disjoint parts: t1
 * before v1; t1 = v1 and t2 before v2; and so on. Counted part by part,
 * each is a range of one index (started_ms, then its ties) instead of an
 * OR that makes SQLite read every row.
 */
function beforeParts(terms: readonly OrderTerm[], values: readonly SqlValue[]): SqlPart[] {
	return terms.map((term, i) => {
		const equal = terms.slice(0, i);
		return {
			sql: [...equal.map(t => `${t.sql} = ?`), `${term.sql} ${term.desc ? '>' : '<'} ?`].join(' AND '),
			params: [...equal.flatMap((t, j) => [...t.params, values[j]!]), ...term.params, values[i]!],
		};
	});
}

/** Where the run with this trace id is in the listing, or undefined when the listing does not hold it. */
export function* positionOfProgram(dialect: SqlDialect, listing: RunListing, counts: RunCounts, traceId: string): SqlProgram<number | undefined> {
	const compiled = compile(dialect, listing);
	let start = 0;
	for (const [i, segment] of compiled.segments.entries()) {
		if ((counts.segments[i] ?? 0) === 0) {
			continue;
		}

		const where = segmentWhere(compiled, segment, [{sql: 'runs.trace_id = ?', params: [traceId]}]);
		const terms = segment.order.map((term, j) => `${term.sql} AS t${j}`).join(', ');
		const row = yield* one<Record<string, SqlValue>>(`SELECT ${terms} FROM runs WHERE ${where.sql}`, [...segment.order.flatMap(term => term.params), ...where.params]);
		if (row !== undefined) {
			const values = segment.order.map((_, j) => row[`t${j}`]!);
			let before = 0;
			for (const part of beforeParts(segment.order, values)) {
				before += yield* countBefore(compiled, counts, segment, part);
			}

			return start + before;
		}

		start += counts.segments[i] ?? 0;
	}

	return undefined;
}

export function positionOf(db: Db, listing: RunListing, counts: RunCounts, traceId: string): number | undefined {
	return onSqlite(db, () => positionOfProgram('sqlite', listing, counts, traceId));
}

/**
 * Runs of a segment that sort before a point. For the remainder segment
 * (most of the index) that is every run before the point less those of the
 * other segments: counting without the segment's own clause lets SQLite
 * answer from the index alone instead of reading every row.
 */
function* countBefore(compiled: Compiled, counts: RunCounts, segment: Segment, before: SqlPart): SqlProgram<number> {
	if (!segment.remainder) {
		return yield* count(segmentWhere(compiled, segment, [before]));
	}

	const all = yield* count({sql: [before, ...(compiled.filter ? [compiled.filter] : [])].map(part => part.sql).join(' AND '), params: [...before.params, ...(compiled.filter?.params ?? [])]});
	// An empty segment has nothing before the point (and the "other statuses" one would make SQLite scan).
	let others = 0;
	for (const [i, other] of compiled.segments.entries()) {
		if (other !== segment && (counts.segments[i] ?? 0) > 0) {
			others += yield* count(segmentWhere(compiled, other, [before]));
		}
	}

	return all - others;
}

/** The rows [from, to) of a window of `size` rows around `index` in a list of `total`. */
export function windowAround(index: number, total: number, size: number): {from: number; to: number} {
	const from = Math.max(0, Math.min(index - Math.floor(size / 2), total - size));
	return {from, to: Math.min(total, from + size)};
}

/** The figures above the list, which move with the clock as well as with the index. */
export interface RunFigures {
	stuck: number;
	day: DaySummary;
}

export function* runFiguresProgram(dialect: SqlDialect, listing: RunListing): SqlProgram<RunFigures> {
	return {stuck: yield* countStuckProgram(dialect, listing), day: yield* daySummaryProgram(dialect, listing.query, listing.clock)};
}

export function readRunFigures(db: Db, listing: RunListing): RunFigures {
	return onSqlite(db, () => runFiguresProgram('sqlite', listing));
}

/** A window of a listing with everything the runs screen says about it, read from one snapshot of the index. */
export interface RunPage extends RunFigures {
	listing: RunListing;
	counts: RunCounts;
	/** Every run in the index, filter or not. */
	indexTotal: number;
	/** Position of runs[0] in the listing. */
	offset: number;
	runs: Run[];
	/** Where the selection is now: its run's new position when the listing still holds it, else its old position within bounds. */
	selected: number;
}

/**
 * Read a page around the selection. The selection is a run (by trace id)
 * where it has one: a reload finds that run wherever new runs, a finished
 * run or a new sort have moved it, and centres the window on it.
 */
export function* runPageProgram(dialect: SqlDialect, listing: RunListing, selection: {traceId: string | null; index: number}, size: number): SqlProgram<RunPage> {
	const counts = yield* countRunsProgram(dialect, listing);
	const found = selection.traceId === null ? undefined : yield* positionOfProgram(dialect, listing, counts, selection.traceId);
	const selected = counts.total === 0 ? 0 : Math.max(0, Math.min(counts.total - 1, found ?? selection.index));
	const {from, to} = windowAround(selected, counts.total, size);
	return {
		listing,
		counts,
		indexTotal: isEmptyQuery(listing.query) ? counts.total : yield* countAllRunsProgram(),
		offset: from,
		runs: yield* runsBetweenProgram(dialect, listing, counts, from, to),
		selected,
		...(yield* runFiguresProgram(dialect, listing)),
	};
}

export function readRunPage(db: Db, listing: RunListing, selection: {traceId: string | null; index: number}, size: number): RunPage {
	return onSqlite(db, () => runPageProgram('sqlite', listing, selection, size));
}
