import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import {maxEventIdProgram, runOfTrace} from './run-reads.js';
import {kept, one, rows, type SqlProgram} from './sql-program.js';

/*
 * A big trace read in pieces, for the console (tui/hooks/use-trace.ts): the
 * spans a first screen of the tree shows, then every span in pages of the
 * primary key, then the spans that changed while the pages were read. Each
 * piece is its own short read, so the event loop (keys, frames) runs between
 * them; the head's cursor and the changes read make the pieces add up to one
 * consistent snapshot. Written once for both engines, like run-reads.ts.
 */

/** The top of a trace's tree and what it will take to read the rest. */
export interface TraceHead {
	/**
	 * Its roots (spans declaring no parent), their children and grandchildren,
	 * at most `rows` per level in tree order, and one child of each
	 * grandchild (so the tree knows which of them open): the rows a tree
	 * opened two levels deep shows first.
	 */
	spans: Span[];
	/** Spans stored for the trace. */
	total: number;
	run: Run | null;
	/** The event cursor the head is as of (see traceChangesProgram). */
	cursor: number;
}

/** The spans that changed since a head's cursor, re-read with the cursor they are now as of. */
export interface TraceChanges {
	spans: Span[];
	run: Run | null;
	cursor: number;
}

type Body = {body: string};

const SQL = {
	// The tree's shape without the bodies: one pass over the trace's rows.
	shape: 'SELECT span_id AS id, parent_span_id AS parent, start_ms AS start FROM spans WHERE trace_id = ?',
	count: kept('SELECT count(*) AS n FROM spans WHERE trace_id = ?'),
	// The first children of a span, and the declared roots, in the tree's order: spans_by_parent_start
	// (trace_id, parent_span_id, start_ms; span_id rides along as the key) answers each from the index alone.
	// Kept prepared on PostgreSQL: the walk runs the children read once per row of the screen.
	children: kept('SELECT span_id AS id, start_ms AS start FROM spans WHERE trace_id = ? AND parent_span_id = ? ORDER BY start_ms, span_id LIMIT ?'),
	roots: kept('SELECT span_id AS id, start_ms AS start FROM spans WHERE trace_id = ? AND parent_span_id IS NULL ORDER BY start_ms, span_id LIMIT ?'),
	page: 'SELECT body FROM spans WHERE trace_id = ? AND span_id > ? ORDER BY span_id LIMIT ?',
	changed: `SELECT body FROM spans WHERE trace_id = ? AND span_id IN (SELECT DISTINCT span_id FROM events WHERE trace_id = ? AND id > ? AND id <= ?) ORDER BY span_id`,
} as const;

/** Ids per IN list: well under both engines' limits on parameters. */
const IDS_PER_READ = 500;

type Shape = {id: string; parent: string | null; start: number};

function parse(list: readonly Body[]): Span[] {
	return list.map(row => JSON.parse(row.body) as Span);
}

function byStart(a: Shape, b: Shape): number {
	return a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The first of spans in tree order (byStart), without sorting them. */
function firstOf(spans: readonly Shape[]): Shape {
	let first = spans[0]!;
	for (const span of spans) {
		if (byStart(span, first) < 0) {
			first = span;
		}
	}

	return first;
}

/**
 * The ids of the first `limit` rows of the tree opened `depth` levels deep
 * (core/tree.ts's order: roots declared first then by start, then the spans
 * standing in for roots, whose parent never arrived or is themselves;
 * children by start then id), plus one child of each row shown closed, so
 * its twisty is right. Children are sorted only for the spans the walk
 * enters. A span on a parent cycle is left for the full read: a tree of the
 * head's spans alone could not show where core/tree.ts cuts the cycle.
 */
export function headIds(shape: readonly Shape[], limit: number, depth: number): string[] {
	const children = new Map<string, Shape[]>();
	const declared: Shape[] = [];
	for (const span of shape) {
		if (span.parent === null) {
			declared.push(span);
			continue;
		}

		if (span.parent === span.id) {
			continue;
		}

		const list = children.get(span.parent);
		if (list === undefined) {
			children.set(span.parent, [span]);
		} else {
			list.push(span);
		}
	}

	const ids: string[] = [];
	let shown = 0;
	const walk = (roots: Shape[]): void => {
		roots.sort(byStart);
		const stack = roots
			.slice(0, limit)
			.reverse()
			.map(span => ({span, level: 0}));
		while (stack.length > 0 && shown < limit) {
			const {span, level} = stack.pop()!;
			ids.push(span.id);
			shown++;
			const kids = children.get(span.id);
			if (kids === undefined) {
				continue;
			}

			if (level < depth && shown < limit) {
				kids.sort(byStart);
				for (let i = Math.min(kids.length, limit) - 1; i >= 0; i--) {
					stack.push({span: kids[i]!, level: level + 1});
				}
			} else {
				// Shown closed, or the last row: one child is enough for its twisty. The first in tree order, as
				// the walk down the index reads it, not whichever the shape's read order put first.
				ids.push(firstOf(kids).id);
			}
		}
	};

	walk(declared);
	if (shown < limit) {
		const known = new Set(shape.map(span => span.id));
		walk(shape.filter(span => span.parent !== null && (span.parent === span.id || !known.has(span.parent))));
	}

	return ids;
}

type Placed = {id: string; start: number};

/**
 * The same rows as headIds, read down the tree from the declared roots
 * through the index, a screen's worth of lookups whatever the trace's size;
 * undefined when those roots' rows do not fill `limit`, since then the
 * stand-in roots (known only from the whole shape) come next.
 */
function* headIdsDownTheIndex(traceId: string, limit: number, depth: number): SqlProgram<string[] | undefined> {
	// Ties in start are put in JavaScript's order of ids, as core/tree.ts puts them.
	const sorted = (list: Placed[]): Placed[] => list.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const firstChildren = function* (parent: string, n: number): SqlProgram<Placed[]> {
		return sorted(yield* rows<Placed>(SQL.children, [traceId, parent, n]));
	};

	const roots = sorted(yield* rows<Placed>(SQL.roots, [traceId, limit]));
	const ids: string[] = [];
	let shown = 0;
	const stack = roots.reverse().map(span => ({span, level: 0}));
	while (stack.length > 0 && shown < limit) {
		const {span, level} = stack.pop()!;
		ids.push(span.id);
		shown++;
		if (level < depth && shown < limit) {
			// Rows past limit - shown would never be reached: the walk stops first.
			const kids = yield* firstChildren(span.id, limit - shown);
			for (let i = kids.length - 1; i >= 0; i--) {
				stack.push({span: kids[i]!, level: level + 1});
			}
		} else {
			// Shown closed, or the last row: one child is enough for its twisty.
			const [kid] = yield* firstChildren(span.id, 1);
			if (kid !== undefined) {
				ids.push(kid.id);
			}
		}
	}

	return shown < limit ? undefined : ids;
}

/**
 * The head of a trace (TraceHead): the ids of the rows a first screen shows,
 * down the index where it can (else from the tree's shape, one pass
 * without the bodies), then their bodies.
 */
export function* traceHeadProgram(traceId: string, limit: number, depth = 2): SqlProgram<TraceHead> {
	// PostgreSQL's count is a bigint, which node-postgres gives as text.
	const total = Number((yield* one<{n: number | string}>(SQL.count, [traceId]))?.n ?? 0);
	let ids = total === 0 ? [] : yield* headIdsDownTheIndex(traceId, limit, depth);
	if (ids === undefined) {
		ids = headIds(yield* rows<Shape>(SQL.shape, [traceId]), limit, depth);
	}

	const spans: Span[] = [];
	for (let i = 0; i < ids.length; i += IDS_PER_READ) {
		const chunk = ids.slice(i, i + IDS_PER_READ);
		spans.push(...parse(yield* rows<Body>(`SELECT body FROM spans WHERE trace_id = ? AND span_id IN (${chunk.map(() => '?').join(', ')})`, [traceId, ...chunk])));
	}

	const cursor = yield* maxEventIdProgram();
	return {spans, total, run: yield* runOfTrace(traceId), cursor};
}

/** Up to `limit` spans of a trace whose ids sort after `after`, in id order: '' starts. */
export function* traceSpansPageProgram(traceId: string, after: string, limit: number): SqlProgram<Span[]> {
	return parse(yield* rows<Body>(SQL.page, [traceId, after, limit]));
}

/** The spans with events stored after `cursor`, the run and the cursor now: one read transaction. */
export function* traceChangesProgram(traceId: string, cursor: number): SqlProgram<TraceChanges> {
	const now = yield* maxEventIdProgram();
	const spans = now > cursor ? parse(yield* rows<Body>(SQL.changed, [traceId, traceId, cursor, now])) : [];
	return {spans, run: yield* runOfTrace(traceId), cursor: now};
}
