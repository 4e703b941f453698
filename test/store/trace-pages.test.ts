import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {bigTrace} from '../../fixtures/big-trace.js';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {buildTree} from '../../source/core/tree.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {Store} from '../../source/store/store.js';
import {visibleRows} from '../../source/tui/components/tree-rows.js';
import {createPostgresDb, postgresUnavailable} from '../helpers/postgres-db.js';
import {tempHome} from '../helpers/temp-home.js';

const unavailable = await postgresUnavailable();

/** The rows a tree opened `depth` levels deep shows first, with their twisties. */
function firstRows(spans: readonly Span[], limit: number, depth = 2): string[] {
	return visibleRows(buildTree(spans), {expanded: new Set(), collapsed: new Set(), defaultDepth: depth})
		.slice(0, limit)
		.map(row => `${'  '.repeat(row.depth)}${row.hasChildren ? '+' : '-'} ${row.span.span_id}`);
}

const events = bigTrace(3000, 5);
const traceId = events[0]!.trace_id;
// A second trace in the same index: its spans are never the first one's.
const other = bigTrace(200, 6).map(event => ({...event, trace_id: `${event.trace_id}-other`}));
// A span whose parent never arrived, and a root the trace declares later: both roots, in the tree's order.
const extra: TraceEvent[] = [
	{trace_id: traceId, span_id: 'orphan', parent_span_id: 'never-came', event_type: 'step:started', timestamp: events[0]!.timestamp, data: {name: 'orphan'}},
	{trace_id: traceId, span_id: 'second-root', event_type: 'workflow:started', timestamp: events.at(-1)!.timestamp, data: {name: 'late root'}},
];

async function cases(store: Store): Promise<void> {
	await store.appendEvents([...events, ...other, ...extra]);
	const whole = await store.traceSnapshot(traceId);
	for (const limit of [1, 12, 40, 400]) {
		const head = await store.traceHead(traceId, limit);
		assert.equal(head.total, whole.spans.length);
		assert.equal(head.cursor, whole.cursor);
		assert.deepEqual(head.run, whole.run);
		assert.ok(head.spans.length <= 2 * limit, `at most a row and one child of it per row: ${head.spans.length}`);
		assert.deepEqual(firstRows(head.spans, limit), firstRows(whole.spans, limit), `the first ${limit} rows, twisties included`);
	}

	const paged: Span[] = [];
	let after = '';
	for (;;) {
		// eslint-disable-next-line no-await-in-loop
		const page = await store.traceSpansPage(traceId, after, 700);
		paged.push(...page);
		if (page.length < 700) {
			break;
		}

		after = page.at(-1)!.span_id;
	}

	assert.deepEqual(paged, whole.spans, 'the pages add up to the whole read, in its order');
	assert.deepEqual(await store.traceChanges(traceId, whole.cursor), {spans: [], run: whole.run, cursor: whole.cursor});
	const some = whole.spans[17]!;
	await store.appendEvents([{trace_id: traceId, span_id: some.span_id, parent_span_id: some.parent_span_id ?? undefined, event_type: 'log:stderr', timestamp: new Date(some.start_ms + 1).toISOString(), data: {line: 'later'}}]);
	const changes = await store.traceChanges(traceId, whole.cursor);
	const now = await store.traceSnapshot(traceId);
	assert.equal(changes.cursor, now.cursor);
	assert.deepEqual(changes.spans, [now.spans.find(span => span.span_id === some.span_id)]);
	assert.deepEqual(await store.traceHead('no-such-trace', 10), {spans: [], total: 0, run: null, cursor: now.cursor});
}

test('trace pieces on SQLite: the head is the first rows of the tree, the pages the whole trace, the changes what came after', async () => {
	const store = SqliteStore.open(tempHome());
	try {
		await cases(store);
	} finally {
		await store.close();
	}
});

test('trace pieces on PostgreSQL: the same', {skip: unavailable}, async () => {
	const db = await createPostgresDb();
	const store = await PostgresStore.open(db.url);
	try {
		await cases(store);
	} finally {
		await store.close();
		await db.drop();
	}
});

test('property: the head read down the index gives the first rows of the tree, whatever the shape (ties, orphans, spans that name themselves)', async () => {
	const home = tempHome();
	const store = SqliteStore.open(home);
	let n = 0;
	try {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fc.integer({min: 0, max: 40}), fc.integer({min: -3, max: 40}), fc.integer({min: 0, max: 4})), {minLength: 1, maxLength: 40}), fc.integer({min: 1, max: 30}), async (list, limit) => {
				const traceId = `prop-${n++}`;
				// Span i's parent: -1 none, -2 itself, -3 one that never came, else an earlier span (p mod i). No cycles: a
				// tree of the head's spans alone cannot show where the whole tree cuts one (trace-pages.ts headIds).
				const events: TraceEvent[] = list.map(([, parent, start], i) => ({
					trace_id: traceId,
					span_id: `s${String(i).padStart(2, '0')}`,
					...(parent === -1 ? {} : {parent_span_id: parent === -2 ? `s${String(i).padStart(2, '0')}` : parent === -3 || i === 0 ? 'gone' : `s${String(parent % i).padStart(2, '0')}`}),
					event_type: 'step:started',
					timestamp: new Date(Date.UTC(2026, 0, 1) + start).toISOString(),
					data: {name: `n${i}`},
				}));
				await store.appendEvents(events);
				const whole = await store.traceSnapshot(traceId);
				const head = await store.traceHead(traceId, limit);
				assert.equal(head.total, whole.spans.length);
				assert.deepEqual(firstRows(head.spans, limit), firstRows(whole.spans, limit));
			}),
			{numRuns: 300},
		);
	} finally {
		await store.close();
	}
});

test('the head and the fold look spans up by parent through the index, not the whole trace', () => {
	const store = SqliteStore.open(tempHome());
	try {
		const plan = (sql: string): string => (store.index.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('t', 'p', 5) as Array<{detail: string}>).map(row => row.detail).join('; ');
		assert.match(plan('SELECT span_id AS id, start_ms AS start FROM spans WHERE trace_id = ? AND parent_span_id = ? ORDER BY start_ms, span_id LIMIT ?'), /USING COVERING INDEX spans_by_parent_start/);
		assert.doesNotMatch(plan('SELECT span_id AS id, start_ms AS start FROM spans WHERE trace_id = ? AND parent_span_id = ? ORDER BY start_ms, span_id LIMIT ?'), /TEMP B-TREE/);
		assert.match(plan('SELECT span_id FROM spans WHERE trace_id = ? AND parent_span_id = ? AND 5 = ?'), /USING COVERING INDEX spans_by_parent_start/);
	} finally {
		void store.close();
	}
});
