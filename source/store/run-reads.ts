import {InputError, NotFoundError} from '../core/errors.js';
import {insertLog, LOG_RECORD_EVENT_TYPE, spanLogOf, type RunLog} from '../core/log-record.js';
import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import type {TraceEvent} from '../core/trace-event.js';
import {currentStepSql} from './current-step.js';
import type {LinkedRuns, RunFilter, StoredEvent} from './run-index.js';
import {escapeLike, LIKE_ESCAPE, likeOperator} from './sql-like.js';
import {one, rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {SqlWhere} from './sql-where.js';
import type {TraceSnapshot} from './store.js';

/*
 * The run index's reads, written once for both engines (sql-program.ts):
 * RunIndex runs them on SQLite, PostgresStore on PostgreSQL, so a run is
 * named, listed and linked by the same rules and the same messages on both.
 */

/** How many children or correlated runs linkedRuns lists at most. */
const LINKED_RUNS_LIMIT = 100;

/** How many candidates an ambiguous name lists. */
const CANDIDATES_SHOWN = 5;

type Body = {body: string};

const SQL = {
	currentStep: currentStepSql('?'),
	runOfTrace: 'SELECT body FROM runs WHERE trace_id = ?',
	runByExactId: 'SELECT body FROM runs WHERE run_id = ? OR trace_id = ?',
	// In key order on both engines (SQLite's table order; PostgreSQL's heap has none of its own).
	spanBodies: 'SELECT body FROM spans WHERE trace_id = ? ORDER BY span_id',
	eventsOfTrace: 'SELECT id, body FROM events WHERE trace_id = ? ORDER BY id',
	eventsAfter: 'SELECT id, body FROM events WHERE id > ? ORDER BY id LIMIT ?',
	eventsOfTraceAfter: 'SELECT id, body FROM events WHERE trace_id = ? AND id > ? ORDER BY id LIMIT ?',
	maxEventId: 'SELECT coalesce(max(id), 0) AS id FROM events',
	strayLogs: `SELECT e.span_id, e.body FROM events e WHERE e.trace_id = ? AND e.event_type = '${LOG_RECORD_EVENT_TYPE}'
		AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = e.trace_id AND s.span_id = e.span_id) ORDER BY e.id`,
} as const;

/** Prefix and trailing-part matches: SQLite's LIKE ignores ASCII case, so PostgreSQL's ILIKE keeps the same answers. */
function matchSql(dialect: SqlDialect): {byPrefix: string; bySuffix: string} {
	const like = likeOperator(dialect);
	return {
		byPrefix: `SELECT body FROM runs WHERE run_id ${like} ? ${LIKE_ESCAPE} OR trace_id ${like} ? ${LIKE_ESCAPE} LIMIT ${CANDIDATES_SHOWN + 1}`,
		// A trailing part can use no index: this reads run_id's own index (not the rows) and only when no prefix matched.
		bySuffix: `SELECT body FROM runs WHERE run_id IN (SELECT run_id FROM runs WHERE run_id ${like} ? ${LIKE_ESCAPE} LIMIT ${CANDIDATES_SHOWN + 1})`,
	};
}

const MATCH_SQL = {sqlite: matchSql('sqlite'), postgres: matchSql('postgres')} as const;

/** A stored run, with its current step filled in while it runs. */
export function* hydrate(body: string): SqlProgram<Run> {
	const run = JSON.parse(body) as Run;
	if (run.status === 'running') {
		run.current_step = (yield* one<{path: string}>(SQL.currentStep, [run.trace_id]))?.path ?? null;
	}

	return run;
}

function* hydrateAll(list: readonly Body[]): SqlProgram<Run[]> {
	const runs: Run[] = [];
	for (const row of list) {
		runs.push(yield* hydrate(row.body));
	}

	return runs;
}

export function* listRunsProgram(filter: RunFilter = {}): SqlProgram<Run[]> {
	const where = new SqlWhere()
		.add('env = ?', filter.env)
		.add('target = ?', filter.target)
		.add('status = ?', filter.status)
		.add('started_ms >= ?', filter.sinceMs)
		.add('plan_hash = ?', filter.planHash)
		.add('"user" = ?', filter.user)
		.add('parent_trace_id = ?', filter.parentTraceId)
		.add('correlation_id = ?', filter.correlationId);
	// No limit is no LIMIT clause: the engines spell "all" differently (SQLite -1, PostgreSQL ALL).
	const limited = filter.limit !== undefined;
	const sql = `SELECT body FROM runs ${where.toSql()} ORDER BY started_ms DESC, run_id DESC${limited ? ' LIMIT ?' : ''}`;
	return yield* hydrateAll(yield* rows<Body>(sql, limited ? [...where.params, filter.limit!] : where.params));
}

/** The run of a trace, or null when none is stored. */
export function* runOfTrace(traceId: string): SqlProgram<Run | null> {
	const row = yield* one<Body>(SQL.runOfTrace, [traceId]);
	return row === undefined ? null : yield* hydrate(row.body);
}

/**
 * The runs linked to the run of `traceId`: its parent run, the runs it
 * started, and the other runs sharing its correlation id. Each list is
 * capped (LINKED_RUNS_LIMIT), newest first.
 */
export function* linkedRunsProgram(traceId: string): SqlProgram<LinkedRuns> {
	const run = yield* runOfTrace(traceId);
	if (run === null) {
		throw new NotFoundError(`no run has trace ${traceId}`);
	}

	const parent = run.parent_trace_id === null ? null : yield* runOfTrace(run.parent_trace_id);
	const children = yield* listRunsProgram({parentTraceId: traceId, limit: LINKED_RUNS_LIMIT});
	const correlated = run.correlation_id === null ? [] : (yield* listRunsProgram({correlationId: run.correlation_id, limit: LINKED_RUNS_LIMIT + 1})).filter(other => other.trace_id !== traceId).slice(0, LINKED_RUNS_LIMIT);
	return {run, parent, children, correlated};
}

/**
 * Name a run by its id, its trace id, a unique prefix of either, or a
 * unique trailing part of its id (the short sha people quote: "3f2a9c1"
 * names run-20260301-101500-3f2a9c1), in that order: a prefix that
 * matches wins over a trailing part.
 */
export function* resolveRunProgram(dialect: SqlDialect, ref: string): SqlProgram<Run> {
	const exact = yield* one<Body>(SQL.runByExactId, [ref, ref]);
	if (exact !== undefined) {
		return yield* hydrate(exact.body);
	}

	const pattern = `${escapeLike(ref)}%`;
	let matches = yield* rows<Body>(MATCH_SQL[dialect].byPrefix, [pattern, pattern]);
	if (matches.length === 0 && ref !== '') {
		matches = yield* rows<Body>(MATCH_SQL[dialect].bySuffix, [`%${escapeLike(ref)}`]);
	}

	if (matches.length === 0) {
		throw new NotFoundError(`no run matches "${ref}"; list runs with: tracedeck runs list`);
	}

	if (matches.length > 1) {
		const ids = matches.slice(0, CANDIDATES_SHOWN).map(row => (JSON.parse(row.body) as Run).run_id);
		throw new InputError(`"${ref}" matches several runs (${ids.join(', ')}${matches.length > CANDIDATES_SHOWN ? ', ...' : ''}); give more of the id`);
	}

	return yield* hydrate(matches[0]!.body);
}

export function* spansProgram(traceId: string): SqlProgram<Span[]> {
	return (yield* rows<Body>(SQL.spanBodies, [traceId])).map(row => JSON.parse(row.body) as Span);
}

/**
 * Log records of a trace whose span is not stored (it never arrived, or
 * the record named none), in time order: the run shows them itself.
 */
export function* strayLogsProgram(traceId: string): SqlProgram<RunLog[]> {
	const logs: RunLog[] = [];
	for (const row of yield* rows<{span_id: string; body: string}>(SQL.strayLogs, [traceId])) {
		insertLog(logs, {span_id: row.span_id, ...spanLogOf(JSON.parse(row.body) as TraceEvent)});
	}

	return logs;
}

function parseEvents(list: ReadonlyArray<{id: number; body: string}>): StoredEvent[] {
	return list.map(row => ({id: row.id, event: JSON.parse(row.body) as TraceEvent}));
}

export function* eventsProgram(traceId: string): SqlProgram<StoredEvent[]> {
	return parseEvents(yield* rows<{id: number; body: string}>(SQL.eventsOfTrace, [traceId]));
}

/** Events that arrived after `cursor` (an event id), oldest first: the polling and NOTIFY feeds' read. */
export function* eventsAfterProgram(cursor: number, traceId: string | undefined, limit: number): SqlProgram<StoredEvent[]> {
	const list = traceId === undefined ? yield* rows<{id: number; body: string}>(SQL.eventsAfter, [cursor, limit]) : yield* rows<{id: number; body: string}>(SQL.eventsOfTraceAfter, [traceId, cursor, limit]);
	return parseEvents(list);
}

export function* maxEventIdProgram(): SqlProgram<number> {
	return (yield* one<{id: number}>(SQL.maxEventId))?.id ?? 0;
}

/** A trace's spans, its run and the event cursor they are as of: run in one read transaction, they describe one moment. */
export function* traceSnapshotProgram(traceId: string): SqlProgram<TraceSnapshot> {
	const spans = yield* spansProgram(traceId);
	const cursor = yield* maxEventIdProgram();
	const run = yield* runOfTrace(traceId);
	return {spans, run, cursor};
}
