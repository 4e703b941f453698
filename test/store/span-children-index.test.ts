import assert from 'node:assert/strict';
import {test} from 'node:test';
import pg from 'pg';
import {bigTrace} from '../../fixtures/big-trace.js';
import type {Db} from '../../source/store/open-database.js';
import {PG_MIGRATIONS} from '../../source/store/postgres/migrations.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {RunIndex} from '../../source/store/run-index.js';
import {SCHEMA_VERSION} from '../../source/store/schema-version.js';
import type {SqlProgram} from '../../source/store/sql-program.js';
import {traceHeadProgram} from '../../source/store/trace-pages.js';
import {createPostgresDb, postgresUnavailable} from '../helpers/postgres-db.js';
import {tempHome} from '../helpers/temp-home.js';

const unavailable = await postgresUnavailable();

/** What migration 11 left: its children index, not migration 12's. */
const SCHEMA_11 = `
	DROP INDEX spans_by_parent_start;
	CREATE INDEX spans_by_parent ON spans (trace_id, parent_span_id);
`;

function sqliteSpanIndexes(db: Db): string[] {
	return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans' AND sql IS NOT NULL ORDER BY name").all() as Array<{name: string}>).map(row => row.name);
}

test('opening an index of schema 11 replaces its children index with the one ordered by start (migration 12)', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	index.db.exec(SCHEMA_11);
	index.db.pragma('user_version = 11');
	index.close();

	const reopened = RunIndex.open(home);
	try {
		assert.equal(reopened.db.pragma('user_version', {simple: true}), SCHEMA_VERSION);
		assert.deepEqual(sqliteSpanIndexes(reopened.db), ['spans_by_parent_start', 'spans_by_path']);
	} finally {
		reopened.close();
	}
});

/** Run a program on SQLite as runSqlite does, with the query plan of each statement it reads. */
function withPlans<T>(db: Db, program: () => SqlProgram<T>): {result: T; plans: Map<string, string>} {
	const plans = new Map<string, string>();
	const steps = program();
	let next = steps.next();
	while (!next.done) {
		const step = next.value;
		const params = step.params as unknown[];
		if (!plans.has(step.sql)) {
			plans.set(step.sql, (db.prepare(`EXPLAIN QUERY PLAN ${step.sql}`).all(...params) as Array<{detail: string}>).map(row => row.detail).join('; '));
		}

		const statement = db.prepare(step.sql);
		next = steps.next(step.reads ? statement.all(...params) : statement.run(...params).changes);
	}

	return {result: next.value, plans};
}

test("SQLite reads a big trace's head and a span's children from the index, without a pass over the trace", () => {
	const home = tempHome();
	const events = bigTrace(3000, 5);
	const traceId = events[0]!.trace_id;
	const index = RunIndex.open(home);
	try {
		index.appendEvents(events);
		// 40 rows: this tree's first two levels under its root hold 57.
		const {result, plans} = withPlans(index.db, () => traceHeadProgram(traceId, 40));
		assert.equal(result.total, 3000);
		const walk = [...plans].filter(([sql]) => /ORDER BY start_ms|count\(\*\)/.test(sql));
		assert.equal(walk.length, 3, `roots, children, count: ${[...plans.keys()].join('\n')}`);
		for (const [sql, plan] of walk) {
			assert.match(plan, /^SEARCH spans USING (COVERING )?INDEX spans_by_parent_start \(trace_id=\?/, sql);
			assert.doesNotMatch(plan, /TEMP B-TREE/, `${sql}: the index gives the order`);
		}

		assert.ok(![...plans.keys()].some(sql => sql.includes('parent_span_id AS parent')), 'the tree fills the screen: no shape pass');
		// 100 rows it does not fill: the shape pass, which the index covers too (no body read).
		const shape = [...withPlans(index.db, () => traceHeadProgram(traceId, 100)).plans].filter(([sql]) => sql.includes('parent_span_id AS parent'));
		assert.deepEqual(
			shape.map(([, plan]) => plan),
			['SEARCH spans USING COVERING INDEX spans_by_parent_start (trace_id=?)'],
		);
		// fold-program.ts childIds: ids only, which the index covers (see the comment there).
		const childIds = index.db.prepare('EXPLAIN QUERY PLAN SELECT span_id FROM spans WHERE trace_id = ? AND parent_span_id = ?').all(traceId, 'x') as Array<{detail: string}>;
		assert.deepEqual(
			childIds.map(row => row.detail),
			['SEARCH spans USING COVERING INDEX spans_by_parent_start (trace_id=? AND parent_span_id=?)'],
		);
	} finally {
		index.close();
	}
});

test('opening a PostgreSQL index from before its migration 4 (version 4) replaces its children index the same way', {skip: unavailable}, async () => {
	const db = await createPostgresDb();
	const client = new pg.Client({connectionString: db.url});
	try {
		await (await PostgresStore.open(db.url)).close();
		await client.connect();
		const indexes = async (): Promise<string[]> => (await client.query<{indexname: string}>("SELECT indexname FROM pg_indexes WHERE tablename = 'spans' ORDER BY indexname")).rows.map(row => row.indexname);
		assert.deepEqual(await indexes(), ['spans_by_parent_start', 'spans_by_path', 'spans_by_search_seq', 'spans_pkey']);
		await client.query(SCHEMA_11);
		await client.query('UPDATE tracedeck_schema SET version = 4');
		await (await PostgresStore.open(db.url)).close();
		assert.deepEqual(await indexes(), ['spans_by_parent_start', 'spans_by_path', 'spans_by_search_seq', 'spans_pkey']);
		assert.deepEqual((await client.query('SELECT version FROM tracedeck_schema')).rows, [{version: PG_MIGRATIONS.length}]);
	} finally {
		await client.end();
		await db.drop();
	}
});
