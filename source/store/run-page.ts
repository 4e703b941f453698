import type {Run} from '../core/run.js';
import {currentStepSql} from './current-step.js';
import {damagedStoreError, type Db} from './open-database.js';
import {daySummary, type DaySummary} from './run-day-summary.js';
import {isEmptyQuery, runQueryWhere, type RunClock, type RunQuery, type SqlPart} from './run-query-sql.js';
import type {SqlValue} from './sql-where.js';

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
function segmentsOf(order: RunOrder, clock: RunClock): Segment[] {
	switch (order) {
		case 'started': {
			return [
				{where: RUNNING, order: BY_START},
				{where: NOT_RUNNING, order: BY_START, remainder: true},
			];
		}

		case 'duration': {
			// runDurationMs (core/run-duration.ts): a run without an end is timed up to now, never below 0.
			const duration: OrderTerm = {sql: 'max(0, coalesce(runs.ended_ms, ?) - runs.started_ms)', params: [clock.nowMs], desc: true};
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

interface Compiled {
	filter: SqlPart | null;
	segments: Segment[];
}

function compile(db: Db, listing: RunListing): Compiled {
	const where = runQueryWhere(db, listing.query, listing.clock);
	const filter = where.clauses.length === 0 ? null : {sql: where.clauses.join(' AND '), params: where.params};
	return {filter, segments: segmentsOf(listing.order, listing.clock)};
}

/** The WHERE of one segment of a listing (and any extra clauses), with its parameters in order. */
function segmentWhere(compiled: Compiled, segment: Segment, extra: readonly SqlPart[] = []): SqlPart {
	const parts = [segment.where, ...(compiled.filter ? [compiled.filter] : []), ...extra];
	return {sql: parts.map(part => part.sql).join(' AND '), params: parts.flatMap(part => part.params)};
}

function count(db: Db, where: SqlPart): number {
	return db
		.prepare(`SELECT count(*) FROM runs WHERE ${where.sql}`)
		.pluck()
		.get(...where.params) as number;
}

/** Every run in the index, whatever the filter: the "of N" beside a filtered count. */
export function countAllRuns(db: Db): number {
	return guard(db, () => db.prepare('SELECT count(*) FROM runs').pluck().get() as number);
}

/** How many runs the listing holds, in total and per segment. */
export function countRuns(db: Db, listing: RunListing): RunCounts {
	return guard(db, () => {
		const compiled = compile(db, listing);
		const total = compiled.filter ? count(db, compiled.filter) : countAllRuns(db);
		const counts = compiled.segments.map(segment => (segment.remainder ? 0 : count(db, segmentWhere(compiled, segment))));
		const remainder = compiled.segments.findIndex(segment => segment.remainder);
		counts[remainder] = total - counts.reduce((sum, n) => sum + n, 0);
		return {total, segments: counts};
	});
}

/** Running runs in the listing that went quiet for longer than the stuck threshold. */
export function countStuck(db: Db, listing: RunListing): number {
	const stuck: SqlPart = {sql: '? - runs.last_event_ms > ?', params: [listing.clock.nowMs, listing.clock.stuckAfterMs]};
	return guard(db, () => count(db, segmentWhere(compile(db, listing), {where: RUNNING, order: BY_START}, [stuck])));
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

const RUN_COLUMNS = `runs.body, CASE WHEN runs.status = 'running' THEN (${currentStepSql('runs.trace_id')}) END AS current_step`;

function toRun(row: RunRow): Run {
	const run = JSON.parse(row.body) as Run;
	if (run.status === 'running') {
		run.current_step = row.current_step ?? null;
	}

	return run;
}

const RUNS_BY_ROWID = `SELECT runs.rowid AS id, ${RUN_COLUMNS} FROM runs WHERE runs.rowid IN (SELECT value FROM json_each(?))`;

/**
 * Rows [from, to) of one segment that holds `size` rows, read from whichever
 * end is nearer (G must not walk the whole index). The ordered part picks
 * row ids only: ties on started_ms make SQLite sort each run of equal
 * starts, and rows it sorts it carries whole, body and all, through every
 * row it skips.
 */
function segmentRows(db: Db, compiled: Compiled, segment: Segment, size: number, from: number, to: number): Run[] {
	const reverse = from > size - to;
	const where = segmentWhere(compiled, segment);
	const order = orderSql(segment.order, reverse);
	const ids = db
		.prepare(`SELECT runs.rowid FROM runs WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`)
		.pluck()
		.all(...where.params, ...order.params, to - from, reverse ? size - to : from) as number[];
	if (reverse) {
		ids.reverse();
	}

	const rows = new Map((db.prepare(RUNS_BY_ROWID).all(JSON.stringify(ids)) as Array<RunRow & {id: number}>).map(row => [row.id, row]));
	return ids.flatMap(id => {
		const row = rows.get(id);
		return row ? [toRun(row)] : [];
	});
}

/** The first `limit` runs of the listing, without counting anything first: what the first frame shows. */
export function firstRuns(db: Db, listing: RunListing, limit: number): Run[] {
	return guard(db, () => {
		const runs: Run[] = [];
		const compiled = compile(db, listing);
		for (const segment of compiled.segments) {
			if (runs.length >= limit) {
				break;
			}

			const where = segmentWhere(compiled, segment);
			const order = orderSql(segment.order, false);
			const rows = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ?`).all(...where.params, ...order.params, limit - runs.length) as RunRow[];
			runs.push(...rows.map(row => toRun(row)));
		}

		return runs;
	});
}

/** Runs at positions [from, to) of the listing, as counted by `counts`. */
export function runsBetween(db: Db, listing: RunListing, counts: RunCounts, from: number, to: number): Run[] {
	return guard(db, () => {
		const runs: Run[] = [];
		const compiled = compile(db, listing);
		let start = 0;
		compiled.segments.forEach((segment, i) => {
			const size = counts.segments[i] ?? 0;
			const lo = Math.max(from, start) - start;
			const hi = Math.min(to, start + size) - start;
			if (lo < hi) {
				runs.push(...segmentRows(db, compiled, segment, size, lo, hi));
			}

			start += size;
		});
		return runs;
	});
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
export function positionOf(db: Db, listing: RunListing, counts: RunCounts, traceId: string): number | undefined {
	return guard(db, () => {
		const compiled = compile(db, listing);
		let start = 0;
		for (const [i, segment] of compiled.segments.entries()) {
			if ((counts.segments[i] ?? 0) === 0) {
				continue;
			}

			const where = segmentWhere(compiled, segment, [{sql: 'runs.trace_id = ?', params: [traceId]}]);
			const terms = segment.order.map((term, j) => `${term.sql} AS t${j}`).join(', ');
			const values = db
				.prepare(`SELECT ${terms} FROM runs WHERE ${where.sql}`)
				.raw()
				.get(...segment.order.flatMap(term => term.params), ...where.params) as SqlValue[] | undefined;
			if (values !== undefined) {
				return start + beforeParts(segment.order, values).reduce((sum, part) => sum + countBefore(db, compiled, counts, segment, part), 0);
			}

			start += counts.segments[i] ?? 0;
		}

		return undefined;
	});
}

/**
 * Runs of a segment that sort before a point. For the remainder segment
 * (most of the index) that is every run before the point less those of the
 * other segments: counting without the segment's own clause lets SQLite
 * answer from the index alone instead of reading every row.
 */
function countBefore(db: Db, compiled: Compiled, counts: RunCounts, segment: Segment, before: SqlPart): number {
	if (!segment.remainder) {
		return count(db, segmentWhere(compiled, segment, [before]));
	}

	const all = count(db, {sql: [before, ...(compiled.filter ? [compiled.filter] : [])].map(part => part.sql).join(' AND '), params: [...before.params, ...(compiled.filter?.params ?? [])]});
	// An empty segment has nothing before the point (and the "other statuses" one would make SQLite scan).
	const others = compiled.segments.filter((other, i) => other !== segment && (counts.segments[i] ?? 0) > 0).reduce((sum, other) => sum + count(db, segmentWhere(compiled, other, [before])), 0);
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

export function readRunFigures(db: Db, listing: RunListing): RunFigures {
	return {stuck: countStuck(db, listing), day: daySummary(db, listing.query, listing.clock)};
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
export function readRunPage(db: Db, listing: RunListing, selection: {traceId: string | null; index: number}, size: number): RunPage {
	return guard(db, () =>
		db.transaction(() => {
			const counts = countRuns(db, listing);
			const found = selection.traceId === null ? undefined : positionOf(db, listing, counts, selection.traceId);
			const selected = counts.total === 0 ? 0 : Math.max(0, Math.min(counts.total - 1, found ?? selection.index));
			const {from, to} = windowAround(selected, counts.total, size);
			return {
				listing,
				counts,
				indexTotal: isEmptyQuery(listing.query) ? counts.total : countAllRuns(db),
				offset: from,
				runs: runsBetween(db, listing, counts, from, to),
				selected,
				...readRunFigures(db, listing),
			};
		})(),
	);
}
