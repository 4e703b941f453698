import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {InputError, NotFoundError, StoreError} from '../../source/core/errors.js';
import {LOG_RECORD_EVENT_TYPE} from '../../source/core/log-record.js';
import type {ServiceLog} from '../../source/core/service-log.js';
import type {Run} from '../../source/core/run.js';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {generateDataset} from '../../source/demo/generate.js';
import {AppendParts} from '../../source/store/append-parts.js';
import {PostgresStore} from '../../source/store/postgres-store.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import type {Store} from '../../source/store/store.js';
import {at, failedDeploy} from '../helpers/events.js';
import {createPostgresDb, type PostgresDb, postgresUnavailable, queryRows} from '../helpers/postgres-db.js';
import {PG_MIGRATIONS} from '../../source/store/postgres/migrations.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * The Store contract: one set of cases, run against the embedded SQLite
 * store and the shared PostgreSQL one. Each case gets an empty index; on
 * PostgreSQL that is one database for the file, emptied between cases.
 */

const unavailable = await postgresUnavailable();
if (unavailable !== undefined) {
	console.log(`# store contract on PostgreSQL skipped: ${unavailable}`);
}

const METRIC_TABLES = ['metric_counters', 'metric_histograms', 'metric_buckets'] as const;
const METRIC_ORDER: Record<(typeof METRIC_TABLES)[number], string> = {
	metric_counters: 'SELECT name, labels, value FROM metric_counters ORDER BY name, labels',
	metric_histograms: 'SELECT name, labels, sum, count FROM metric_histograms ORDER BY name, labels',
	metric_buckets: 'SELECT name, labels, le, n FROM metric_buckets ORDER BY name, labels, le',
};

interface Backend {
	name: 'sqlite' | 'postgres';
	skip: string | undefined;
	setUp(): Promise<void>;
	tearDown(): Promise<void>;
	/** An empty index. */
	fresh(): Promise<Store>;
	/** Another handle on the index `fresh` gave last (another process, as far as the store can tell). */
	another(): Promise<Store>;
	/** Rows of a query on the index, outside the store. */
	query(sql: string): Promise<Array<Record<string, unknown>>>;
}

function sqliteBackend(): Backend {
	let home = '';
	const open: SqliteStore[] = [];
	return {
		name: 'sqlite',
		skip: undefined,
		setUp: async () => undefined,
		tearDown: async () => undefined,
		async fresh() {
			home = tempHome();
			return this.another();
		},
		async another() {
			const store = SqliteStore.open(home);
			open.push(store);
			return store;
		},
		async query(sql) {
			const store = open.at(-1)!;
			return store.index.db.prepare(sql).all() as Array<Record<string, unknown>>;
		},
	};
}

function postgresBackend(): Backend {
	let db: PostgresDb | undefined;
	return {
		name: 'postgres',
		skip: unavailable,
		async setUp() {
			db = await createPostgresDb();
		},
		async tearDown() {
			await db?.drop();
		},
		async fresh() {
			const store = await this.another();
			// The schema stays (migrated by the first open); the rows go, ids start again at 1.
			await queryRows(db!.url, 'TRUNCATE events, spans, runs, service_logs, metric_counters, metric_histograms, metric_buckets RESTART IDENTITY');
			return store;
		},
		async another() {
			return PostgresStore.open(db!.url);
		},
		async query(sql) {
			return queryRows(db!.url, sql);
		},
	};
}

const BACKENDS = [sqliteBackend(), postgresBackend()];

/**
 * The nested case below, counted by hand: each of the 3 traces has two rollbacks (a step named
 * "Rollback" holding "rollback db", and a "rollback" span holding another) and one smoke test (a
 * step named "smoke tests" holding a failed "health" smoke span), each counted once at its outer
 * span, whichever of the two starts first: 6 rollbacks, 3 smoke tests that passed, none failed.
 */
const EXPECTED_NESTED_COUNTS = {rollbacks: ['{}=6'], smoke: ['{"status":"success"}=3']};

/** A finished one-span run starting at `startS`; `extras` go on its start event's data. */
function oneSpanRun(traceId: string, startS: number, data: Record<string, unknown> = {}, status: 'success' | 'failed' = 'success'): TraceEvent[] {
	return [
		{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(startS), data: {name: traceId, run_id: `run-${traceId}`, ...data}},
		{trace_id: traceId, span_id: 'r', event_type: `workflow:${status === 'success' ? 'completed' : 'failed'}`, status, timestamp: at(startS + 1)},
	];
}

const bySpanId = (spans: readonly Span[]): Span[] => [...spans].sort((a, b) => a.span_id.localeCompare(b.span_id));

async function withStore<T>(backend: Backend, work: (store: Store) => Promise<T>): Promise<T> {
	const store = await backend.fresh();
	try {
		return await work(store);
	} finally {
		await store.close();
	}
}

/** Deployments with stages, rollbacks and smoke tests, deterministic: what the metric triggers count. */
const DATASET: TraceEvent[] = uniqueEvents(generateDataset({seed: 11, runs: 40, now: new Date('2026-01-15T12:00:00.000Z')}).flat());

/** The dataset without repeated identical events: batches stored apart number their copies apart, and this file's cases are about order, not copies. */
function uniqueEvents(events: readonly TraceEvent[]): TraceEvent[] {
	const seen = new Set<string>();
	return events.filter(event => {
		const key = JSON.stringify(event);
		return !seen.has(key) && seen.add(key) !== undefined;
	});
}

function batches<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) {
		out.push(list.slice(i, i + size));
	}

	return out;
}

for (const backend of BACKENDS) {
	describe(`store contract on ${backend.name}`, {skip: backend.skip}, () => {
		before(() => backend.setUp());
		after(() => backend.tearDown());

		test('append folds into spans and a run; the same events again are duplicates, nothing doubled', () =>
			withStore(backend, async store => {
				const first = await store.appendEvents(failedDeploy());
				assert.equal(first.inserted.length, 7);
				assert.equal(first.duplicates, 0);
				assert.deepEqual(first.traces, ['t1']);
				const again = await store.appendEvents(failedDeploy());
				assert.deepEqual({inserted: again.inserted.length, duplicates: again.duplicates, traces: again.traces}, {inserted: 0, duplicates: 7, traces: []});
				assert.equal((await store.events('t1')).length, 7);
				assert.equal((await store.spans('t1')).length, 3);
				const run = await store.resolveRun('run-20261124-030000-abc1234');
				assert.equal(run.status, 'failed');
				assert.equal(run.failed_step, 'Deploy');
				assert.deepEqual(run.progress, {completed: 2, total: 3});
				assert.equal((await store.listRuns()).length, 1);
				assert.equal(store.backend, backend.name);
			}));

		test('two identical lines in one input are two events; the input again adds nothing', () =>
			withStore(backend, async store => {
				const line: TraceEvent = {trace_id: 't1', span_id: 'd', event_type: 'log:stderr', timestamp: at(7), data: {line: 'retrying'}};
				const events = [...failedDeploy(), line, line];
				assert.equal((await store.appendEvents(events)).inserted.length, 9);
				assert.equal((await store.appendEvents(events)).duplicates, 9);
				const deploy = (await store.spans('t1')).find(span => span.span_id === 'd')!;
				assert.deepEqual(deploy.stderr, ['health check timeout', 'retrying', 'retrying']);
			}));

		test('events out of order, in several batches, fold as they would in one', async () => {
			const events = failedDeploy('t2', 'run-20261124-030000-fff0000');
			const whole = await withStore(backend, async store => {
				await store.appendEvents(events);
				return {spans: bySpanId(await store.spans('t2')), run: await store.resolveRun('t2')};
			});
			await withStore(backend, async store => {
				const reversed = [...events].reverse();
				await store.appendEvents(reversed.slice(0, 3));
				await store.appendEvents(reversed.slice(3));
				assert.deepEqual(bySpanId(await store.spans('t2')), whole.spans);
				assert.deepEqual(await store.resolveRun('t2'), whole.run);
			});
		});

		test('run ids in one batch: the first trace in the batch keeps a contested id, a stored id keeps its owner, suffixes as one trace at a time gave them', () =>
			withStore(backend, async store => {
				await store.appendEvents(oneSpanRun('stored-trace', 0, {run_id: 'shared'}));
				const line: TraceEvent = {trace_id: 'stored-trace', span_id: 'r', event_type: 'log:stderr', timestamp: at(0.5), data: {line: 'late'}};
				// Fresh traces before and after a stored one (read from the store) in the same batch.
				await store.appendEvents([...oneSpanRun('abcdefgh01', 10, {run_id: 'shared'}), ...oneSpanRun('other-1', 20, {run_id: 'other'}), line, ...oneSpanRun('abcdefgh02', 30, {run_id: 'shared'}), ...oneSpanRun('other-2', 40, {run_id: 'other'})]);
				const ids = Object.fromEntries((await store.listRuns()).map(run => [run.trace_id, run.run_id]));
				assert.deepEqual(ids, {'stored-trace': 'shared', abcdefgh01: 'shared~abcdefgh', 'other-1': 'other', abcdefgh02: 'shared~abcdefgh02', 'other-2': 'other~other-2'});
			}));

		test('an input stored in parts, then finishParts, ends as the input stored whole', async () => {
			const events = [...failedDeploy('tp', 'run-parts'), ...oneSpanRun('tq', 20)];
			const whole = await withStore(backend, async store => {
				await store.appendEvents(events);
				return store.listRuns();
			});
			await withStore(backend, async store => {
				const parts = new AppendParts();
				for (const part of batches(events, 3)) {
					await store.appendEvents(part, {parts});
				}

				assert.deepEqual((await store.finishParts(parts)).sort(), ['tp', 'tq']);
				assert.deepEqual(await store.finishParts(parts), []);
				assert.deepEqual(await store.listRuns(), whole);
			});
		});

		test('listRuns: newest first, each filter, and a limit', () =>
			withStore(backend, async store => {
				await store.appendEvents([...oneSpanRun('a', 0, {env: 'prod', target: 'api', user: 'ana'}), ...oneSpanRun('b', 10, {env: 'prod', target: 'web'}, 'failed'), ...oneSpanRun('c', 20, {env: 'dev', target: 'api', plan_hash: 'p1'})]);
				const ids = async (filter: Parameters<Store['listRuns']>[0]): Promise<string[]> => (await store.listRuns(filter)).map(run => run.trace_id);
				assert.deepEqual(await ids({}), ['c', 'b', 'a']);
				assert.deepEqual(await ids({env: 'prod'}), ['b', 'a']);
				assert.deepEqual(await ids({target: 'api'}), ['c', 'a']);
				assert.deepEqual(await ids({status: 'failed'}), ['b']);
				assert.deepEqual(await ids({sinceMs: Date.parse(at(10))}), ['c', 'b']);
				assert.deepEqual(await ids({planHash: 'p1'}), ['c']);
				assert.deepEqual(await ids({user: 'ana'}), ['a']);
				assert.deepEqual(await ids({limit: 2}), ['c', 'b']);
				assert.deepEqual(await ids({env: 'prod', limit: 1}), ['b']);
			}));

		test('resolveRun: exact id, trace id, prefix, trailing part; ambiguous and unknown names say so the same way', () =>
			withStore(backend, async store => {
				await store.appendEvents([...failedDeploy('t1', 'run-20261124-030000-abc1234'), ...failedDeploy('t2', 'run-20261124-030000-def5678'), ...failedDeploy('x9', 'other-3f2a9c1')]);
				const id = async (ref: string): Promise<string> => (await store.resolveRun(ref)).run_id;
				assert.equal(await id('run-20261124-030000-abc1234'), 'run-20261124-030000-abc1234');
				assert.equal(await id('t2'), 'run-20261124-030000-def5678');
				assert.equal(await id('oth'), 'other-3f2a9c1');
				assert.equal(await id('OTH'), 'other-3f2a9c1', 'prefixes ignore ASCII case, as SQLite LIKE does');
				assert.equal(await id('def5678'), 'run-20261124-030000-def5678');
				assert.equal(await id('3f2a9c1'), 'other-3f2a9c1');
				await assert.rejects(store.resolveRun('run-2026'), (error: unknown) => {
					assert.ok(error instanceof InputError);
					assert.equal(error.message, '"run-2026" matches several runs (run-20261124-030000-abc1234, run-20261124-030000-def5678); give more of the id');
					return true;
				});
				await assert.rejects(store.resolveRun('nope'), (error: unknown) => {
					assert.ok(error instanceof NotFoundError);
					assert.equal(error.message, 'no run matches "nope"; list runs with: tracedeck runs list');
					return true;
				});
				await assert.rejects(store.resolveRun('50%'), NotFoundError, 'LIKE wildcards in a name are literal');
			}));

		test('linkedRuns: the parent run, the runs it started, the runs sharing its correlation id', () =>
			withStore(backend, async store => {
				await store.appendEvents([...oneSpanRun('parent', 0, {}), ...oneSpanRun('child1', 10, {}), ...oneSpanRun('child2', 20, {}), ...oneSpanRun('peer', 30, {})]);
				await store.appendEvents([
					{trace_id: 'child1', span_id: 'r', event_type: 'workflow:progress', timestamp: at(10.5), parent_trace_id: 'parent', correlation_id: 'loan-7'},
					{trace_id: 'child2', span_id: 'r', event_type: 'workflow:progress', timestamp: at(20.5), parent_trace_id: 'parent'},
					{trace_id: 'peer', span_id: 'r', event_type: 'workflow:progress', timestamp: at(30.5), correlation_id: 'loan-7'},
				]);
				const links = await store.linkedRuns('child1');
				assert.equal(links.run.trace_id, 'child1');
				assert.equal(links.parent?.trace_id, 'parent');
				assert.deepEqual(links.children, []);
				assert.deepEqual(
					links.correlated.map(run => run.trace_id),
					['peer'],
				);
				assert.deepEqual(
					(await store.linkedRuns('parent')).children.map(run => run.trace_id),
					['child2', 'child1'],
				);
				await assert.rejects(store.linkedRuns('missing'), NotFoundError);
			}));

		test('log records: a stray one stays with the run; service logs are redacted, repeated records kept, a re-send adds nothing', () =>
			withStore(backend, async store => {
				const log = (span: string, s: number, line: string): TraceEvent => ({
					trace_id: 't1',
					span_id: span,
					event_type: LOG_RECORD_EVENT_TYPE,
					timestamp: at(s),
					data: {line, severity_number: 9, severity_text: '', attributes: {}},
				});
				await store.appendEvents([log('d', 6, 'deploying'), log('ghost', 3, 'from a span never sent'), ...failedDeploy()]);
				assert.deepEqual(
					(await store.strayLogs('t1')).map(entry => [entry.span_id, entry.body]),
					[['ghost', 'from a span never sent']],
				);
				const deploy = (await store.spans('t1')).find(span => span.span_id === 'd')!;
				assert.deepEqual(
					deploy.logs.map(entry => entry.body),
					['deploying'],
				);

				const record: ServiceLog = {
					service: 'billing',
					env: 'prod',
					time: at(20),
					severity_number: 17,
					severity_text: 'ERROR',
					body: 'ledger sync failed with Authorization: Bearer abcdefghijklmnop1234',
					attributes: {password: 'hunter2', shard: 3},
					resource: {'service.name': 'billing'},
				};
				assert.deepEqual(await store.appendServiceLogs([record, record]), {inserted: 2, duplicates: 0});
				assert.deepEqual(await store.appendServiceLogs([record, record]), {inserted: 0, duplicates: 2});
				const rows = await backend.query('SELECT body, attributes_json FROM service_logs ORDER BY id');
				assert.equal(rows.length, 2);
				assert.doesNotMatch(String(rows[0]!['body']), /abcdefghijklmnop1234/);
				assert.doesNotMatch(String(rows[0]!['attributes_json']), /hunter2/);
			}));

		test('eventsAfter: pages in id order from any cursor, per trace or all; maxEventId is the last', () =>
			withStore(backend, async store => {
				assert.equal(await store.maxEventId(), 0);
				await store.appendEvents([...failedDeploy('t1'), ...oneSpanRun('t2', 20)]);
				const all = await store.eventsAfter(0);
				assert.equal(all.length, 9);
				assert.deepEqual(
					all.map(stored => stored.id),
					[...all.map(stored => stored.id)].sort((a, b) => a - b),
				);
				assert.equal(await store.maxEventId(), all.at(-1)!.id);
				const paged = [];
				for (let cursor = 0; ; ) {
					const page = await store.eventsAfter(cursor, undefined, 4);
					if (page.length === 0) {
						break;
					}

					paged.push(...page);
					cursor = page.at(-1)!.id;
				}

				assert.deepEqual(paged, all);
				assert.deepEqual(
					await store.eventsAfter(all[2]!.id, 't2'),
					all.filter(stored => stored.event.trace_id === 't2'),
				);
				assert.deepEqual(await store.events('t2'), all.slice(7));
				assert.deepEqual(await store.eventsAfter(all.at(-1)!.id), []);
			}));

		test('traceSnapshot: the spans, the run and the cursor of one moment; an unknown trace has none', () =>
			withStore(backend, async store => {
				await store.appendEvents(failedDeploy());
				const snapshot = await store.traceSnapshot('t1');
				assert.deepEqual(bySpanId(snapshot.spans), bySpanId(await store.spans('t1')));
				assert.deepEqual(snapshot.run, await store.resolveRun('t1'));
				assert.equal(snapshot.cursor, await store.maxEventId());
				assert.deepEqual(await store.traceSnapshot('t'), {spans: [], run: null, cursor: snapshot.cursor}, 'a prefix of a trace id is not its trace');
			}));

		test('subscribe: told when another connection stores events (PostgreSQL); absent on SQLite, whose readers poll', () =>
			withStore(backend, async store => {
				if (backend.name === 'sqlite') {
					assert.equal(store.subscribe, undefined);
					return;
				}

				let told = 0;
				let notified: () => void = () => undefined;
				const arrived = new Promise<void>(resolve => {
					notified = resolve;
				});
				const lost: Error[] = [];
				const subscription = await store.subscribe!(
					() => {
						told++;
						notified();
					},
					error => lost.push(error),
				);
				const writer = await backend.another();
				await writer.appendEvents(failedDeploy());
				await arrived;
				assert.ok(told >= 1);
				await writer.close();
				await subscription.close();
				assert.deepEqual(lost, [], 'closing is not losing');
			}));

		test('a running run shows its current step', () =>
			withStore(backend, async store => {
				await store.appendEvents(failedDeploy().slice(0, 4));
				const run = await store.resolveRun('t1');
				assert.equal(run.status, 'running');
				assert.equal(run.current_step, 'Deploy');
				assert.equal((await store.listRuns())[0]!.current_step, 'Deploy');
			}));

		test('parents stored after their children (OTLP exports a span when it ends): every stored path, span and run is what one batch gives', async () => {
			// A few events per batch, a parent landing after its stored children (and, last, a rename of a stored ancestor).
			const depthOf = (traceEvents: readonly TraceEvent[]) => {
				const parent = new Map(traceEvents.map(event => [event.span_id, event.parent_span_id ?? null]));
				return (spanId: string): number => {
					let depth = 0;
					for (let id = parent.get(spanId) ?? null; id !== null && depth < 64; id = parent.get(id) ?? null) {
						depth++;
					}

					return depth;
				};
			};
			const byTrace = new Map<string, TraceEvent[]>();
			for (const event of DATASET) {
				byTrace.set(event.trace_id, [...(byTrace.get(event.trace_id) ?? []), event]);
			}

			const deepestFirst = [...byTrace.values()].flatMap(events => {
				const depth = depthOf(events);
				// The root first, so that the run exists and later batches fold incrementally; then the deepest spans.
				return [...events].sort((a, b) => (depth(a.span_id) === 0 ? -1 : depth(b.span_id) === 0 ? 1 : depth(b.span_id) - depth(a.span_id)));
			});
			const nested = (traceId: string): TraceEvent[] => [
				{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: traceId}},
				{trace_id: traceId, span_id: 'leaf', parent_span_id: 'mid', event_type: 'step:started', timestamp: at(3), data: {name: 'leaf'}},
				{trace_id: traceId, span_id: 'leaf', parent_span_id: 'mid', event_type: 'step:completed', status: 'success', timestamp: at(4)},
				{trace_id: traceId, span_id: 'deeper', parent_span_id: 'leaf', event_type: 'step:started', timestamp: at(3.5), data: {name: 'deeper'}},
				{trace_id: traceId, span_id: 'mid', parent_span_id: 'top', event_type: 'step:started', timestamp: at(2), data: {name: 'mid'}},
				{trace_id: traceId, span_id: 'top', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(1), data: {name: 'top'}},
				{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(9)},
				{trace_id: traceId, span_id: 'top', parent_span_id: 'r', event_type: 'stage:started', timestamp: at(1), data: {name: 'top renamed'}},
			];
			const paths = 'SELECT trace_id, span_id, path FROM spans ORDER BY trace_id, span_id';
			// One database per backend here (fresh() empties it): the one-batch answer is read before the pieces go in.
			const whole = await backend.fresh();
			let expected: {paths: Array<Record<string, unknown>>; runs: Run[]; spans: Map<string, Span[]>};
			try {
				await whole.appendEvents([...DATASET, ...nested('late-parents')]);
				const runs = await whole.listRuns();
				const spans = new Map<string, Span[]>();
				for (const run of runs) {
					spans.set(run.trace_id, bySpanId(await whole.spans(run.trace_id)));
				}

				expected = {paths: await backend.query(paths), runs, spans};
			} finally {
				await whole.close();
			}

			const pieces = await backend.fresh();
			try {
				for (const batch of [...batches(deepestFirst, 7), ...nested('late-parents').map(event => [event])]) {
					await pieces.appendEvents(batch);
				}

				const got = await backend.query(paths);
				assert.deepEqual(
					got.filter(row => row['trace_id'] === 'late-parents').map(row => `${String(row['span_id'])}=${String(row['path'])}`),
					['deeper=top renamed/mid/leaf/deeper', 'leaf=top renamed/mid/leaf', 'mid=top renamed/mid', 'r=', 'top=top renamed'],
				);
				assert.deepEqual(got, expected.paths);
				const withoutLastEvent = (runs: readonly Run[]) => runs.map(({last_event_ms: _l, ...run}) => run);
				assert.deepEqual(withoutLastEvent(await pieces.listRuns()), withoutLastEvent(expected.runs));
				for (const run of expected.runs) {
					assert.deepEqual(bySpanId(await pieces.spans(run.trace_id)), expected.spans.get(run.trace_id), run.run_id);
				}
			} finally {
				await pieces.close();
			}
		});
	});
}

describe('the same events on both backends', {skip: unavailable}, () => {
	const [sqlite, postgres] = BACKENDS as [Backend, Backend];
	before(() => postgres.setUp());
	after(() => postgres.tearDown());

	test('give the same runs, spans and metric rows (labels byte for byte)', async () => {
		const stores = [await sqlite.fresh(), await postgres.fresh()] as const;
		try {
			for (const store of stores) {
				for (const batch of batches(DATASET, 97)) {
					await store.appendEvents(batch);
				}
			}

			const [a, b] = stores;
			assert.deepEqual(await b.listRuns(), await a.listRuns());
			for (const run of (await a.listRuns()).slice(0, 10)) {
				assert.deepEqual(bySpanId(await b.spans(run.trace_id)), bySpanId(await a.spans(run.trace_id)));
			}

			const counters = await sqlite.query(METRIC_ORDER.metric_counters);
			assert.ok(counters.some(row => row['name'] === 'deployment_total'));
			for (const table of METRIC_TABLES) {
				assert.deepEqual(await postgres.query(METRIC_ORDER[table]), await sqlite.query(METRIC_ORDER[table]), table);
			}
		} finally {
			await Promise.all(stores.map(store => store.close()));
		}
	});

	test('past 100 stage series, new stage names share stage="_other" on both', async () => {
		const stages: TraceEvent[] = [{trace_id: 'many', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', env: 'prod'}}];
		for (let i = 0; i < 103; i++) {
			stages.push({trace_id: 'many', span_id: `s${i}`, parent_span_id: 'r', event_type: 'stage:started', timestamp: at(i), data: {name: `stage ${i} "quoted" ü`}}, {trace_id: 'many', span_id: `s${i}`, parent_span_id: 'r', event_type: 'stage:completed', status: 'success', timestamp: at(i + 0.5)});
		}

		const stores = [await sqlite.fresh(), await postgres.fresh()] as const;
		try {
			for (const store of stores) {
				for (const batch of batches(stages, 40)) {
					await store.appendEvents(batch);
				}
			}

			const histograms = await sqlite.query(METRIC_ORDER.metric_histograms);
			assert.equal(histograms.length, 101);
			assert.ok(histograms.some(row => row['labels'] === '{"stage":"_other"}' && row['count'] === 3));
			for (const table of METRIC_TABLES) {
				assert.deepEqual(await postgres.query(METRIC_ORDER[table]), await sqlite.query(METRIC_ORDER[table]), table);
			}
		} finally {
			await Promise.all(stores.map(store => store.close()));
		}
	});

	test('past 100 stage series across several new traces in one batch, the same series on both', async () => {
		const events: TraceEvent[] = [];
		for (let t = 0; t < 3; t++) {
			const traceId = `stages-${t}`;
			events.push({trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', env: 'prod'}});
			for (let i = 0; i < 40; i++) {
				// Later traces start earlier: the batch's trace order, not time, decides which names get a series.
				const start = 100 - t * 40 + i;
				events.push({trace_id: traceId, span_id: `s${i}`, parent_span_id: 'r', event_type: 'stage:started', timestamp: at(start), data: {name: `stage ${t}-${i}`}}, {trace_id: traceId, span_id: `s${i}`, parent_span_id: 'r', event_type: 'stage:completed', status: 'success', timestamp: at(start + 0.5)});
			}
		}

		const stores = [await sqlite.fresh(), await postgres.fresh()] as const;
		try {
			for (const store of stores) {
				await store.appendEvents(events);
			}

			const histograms = await sqlite.query(METRIC_ORDER.metric_histograms);
			assert.equal(histograms.length, 101);
			assert.ok(histograms.some(row => row['labels'] === '{"stage":"_other"}' && row['count'] === 20));
			const series = new Set(histograms.map(row => row['labels']));
			assert.ok(series.has('{"stage":"stage 2-19"}') && !series.has('{"stage":"stage 2-20"}'), 'the first 100 names in the batch get a series');
			for (const table of METRIC_TABLES) {
				assert.deepEqual(await postgres.query(METRIC_ORDER[table]), await sqlite.query(METRIC_ORDER[table]), table);
			}
		} finally {
			await Promise.all(stores.map(store => store.close()));
		}
	});

	test('rollbacks and smoke tests nested in their own, in one batch: counted at the outermost span on both, whichever span comes first', async () => {
		// earlier: which of the outer and the inner span starts first (and so comes first in the batch's rows).
		const nested = (traceId: string, earlier: 'outer' | 'inner'): TraceEvent[] => {
			const outer = earlier === 'outer' ? 0 : 0.5;
			const inner = earlier === 'outer' ? 0.5 : 0;
			const span = (spanId: string, parent: string, kind: string, name: string, start: number, end: number, status: 'success' | 'failed' = 'success'): TraceEvent[] => [
				{trace_id: traceId, span_id: spanId, parent_span_id: parent, event_type: `${kind}:started`, timestamp: at(start), data: {name}},
				{trace_id: traceId, span_id: spanId, parent_span_id: parent, event_type: `${kind}:${status === 'success' ? 'completed' : 'failed'}`, status, timestamp: at(end)},
			];
			return [
				{trace_id: traceId, span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', env: 'prod', run_id: 'nested'}},
				...span('rb', 'r', 'step', 'Rollback', 1 + outer, 4),
				...span('rb-db', 'rb', 'step', 'rollback db', 1 + inner, 3),
				...span('rk', 'r', 'rollback', 'undo', 5 + outer, 8),
				...span('rk-1', 'rk', 'rollback', 'undo cache', 5 + inner, 7, 'failed'),
				...span('sm', 'r', 'step', 'smoke tests', 9 + outer, 12),
				...span('sm-1', 'sm', 'smoke', 'health', 9 + inner, 11, 'failed'),
				{trace_id: traceId, span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(13)},
			];
		};
		const stores = [await sqlite.fresh(), await postgres.fresh()] as const;
		try {
			for (const store of stores) {
				// Two traces in one batch, each with parents first and children first; then one again, alone in its batch.
				await store.appendEvents([...nested('outer-first', 'outer'), ...nested('inner-first', 'inner')]);
				await store.appendEvents(nested('alone', 'inner'));
			}

			const counters = await sqlite.query(METRIC_ORDER.metric_counters);
			const count = (name: string) => counters.filter(row => row['name'] === name).map(row => `${String(row['labels'])}=${String(row['value'])}`);
			assert.deepEqual({rollbacks: count('deployment_rollback_total'), smoke: count('smoke_test_total')}, EXPECTED_NESTED_COUNTS);
			for (const table of METRIC_TABLES) {
				assert.deepEqual(await postgres.query(METRIC_ORDER[table]), await sqlite.query(METRIC_ORDER[table]), table);
			}

			// The first trace in the batch keeps the run id; the next ones get their suffix.
			assert.deepEqual((await stores[1].listRuns()).map(run => run.run_id).sort(), (await stores[0].listRuns()).map(run => run.run_id).sort());
			assert.equal((await stores[0].resolveRun('nested')).trace_id, 'outer-first');
		} finally {
			await Promise.all(stores.map(store => store.close()));
		}
	});

	test('4 writers at once on PostgreSQL, each sending every batch, and a poller: every event stored once, seen once in id order, runs as on SQLite', async () => {
		const reference = await sqlite.fresh();
		const first = await postgres.fresh();
		const writers = [first, await postgres.another(), await postgres.another(), await postgres.another()];
		const poller = await postgres.another();
		try {
			const parts = batches(DATASET, 23);
			for (const batch of parts) {
				await reference.appendEvents(batch);
			}

			let writing = true;
			const seen: number[] = [];
			const poll = async (): Promise<void> => {
				for (let cursor = 0; ; ) {
					const page = await poller.eventsAfter(cursor, undefined, 50);
					seen.push(...page.map(stored => stored.id));
					if (page.length > 0) {
						cursor = page.at(-1)!.id;
					} else if (!writing) {
						return;
					}
				}
			};

			const polling = poll();
			// Each writer sends every batch, starting a quarter further on: the same traces, interleaved, every batch four times.
			await Promise.all(
				writers.map(async (writer, w) => {
					for (let i = 0; i < parts.length; i++) {
						await writer.appendEvents(parts[(i + Math.floor((w * parts.length) / 4)) % parts.length]!);
					}
				}),
			);
			writing = false;
			await polling;

			const stored = await first.eventsAfter(0, undefined, DATASET.length + 1);
			assert.equal(stored.length, DATASET.length, 'every event once');
			assert.deepEqual(
				seen,
				stored.map(event => event.id),
				'the poller saw every id once, in increasing order',
			);
			assert.deepEqual(await first.listRuns(), await reference.listRuns());
		} finally {
			await Promise.all([reference, ...writers, poller].map(store => store.close()));
		}
	});

	test('an unreachable server, or a database newer than this build, is a one-line StoreError naming the URL without its password', async () => {
		await assert.rejects(PostgresStore.open('postgres://postgres:s3cret@127.0.0.1:1/none'), (error: unknown) => {
			assert.ok(error instanceof StoreError);
			assert.match(error.message, /^cannot reach the PostgreSQL index at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none \(ECONNREFUSED\)/);
			assert.doesNotMatch(error.message, /s3cret|\n/);
			return true;
		});
		const store = await postgres.fresh();
		await store.close();
		const rows = await postgres.query('UPDATE tracedeck_schema SET version = version + 1 RETURNING version');
		try {
			await assert.rejects(postgres.another(), (error: unknown) => {
				assert.ok(error instanceof StoreError);
				assert.equal(error.exitCode, 4);
				assert.match(error.message, new RegExp(`was written by a newer tracedeck \\(schema ${rows[0]!['version']}, this version knows \\d+\\); upgrade tracedeck$`));
				return true;
			});
		} finally {
			await postgres.query('UPDATE tracedeck_schema SET version = version - 1');
		}
	});
});

describe('opening the PostgreSQL index', {skip: unavailable}, () => {
	test('four processes opening a new database at once (one read-only) migrate it once', async () => {
		const db = await createPostgresDb();
		try {
			const stores = await Promise.all([PostgresStore.open(db.url), PostgresStore.open(db.url, {readonly: true}), PostgresStore.open(db.url), PostgresStore.open(db.url)]);
			await Promise.all(stores.map(store => store.close()));
			assert.deepEqual(await queryRows(db.url, 'SELECT version FROM tracedeck_schema'), [{version: PG_MIGRATIONS.length}]);
			assert.deepEqual(await queryRows(db.url, 'SELECT count(*) AS n FROM metric_bounds'), [{n: 22}]);
		} finally {
			await db.drop();
		}
	});

	test('a database that does not exist is a one-line StoreError saying so', async () => {
		const db = await createPostgresDb();
		await db.drop();
		await assert.rejects(PostgresStore.open(db.url), (error: unknown) => {
			assert.ok(error instanceof StoreError);
			assert.match(error.message, /^the database of postgres:\/\/.*tracedeck_test_\w+ does not exist: create it/);
			return true;
		});
	});

	test('subscribe: onLost once when the server ends the listening connection', async () => {
		const db = await createPostgresDb();
		const store = await PostgresStore.open(db.url);
		try {
			let lostOnce: (error: Error) => void = () => undefined;
			const lost = new Promise<Error>(resolve => {
				lostOnce = resolve;
			});
			const losses: Error[] = [];
			const subscription = await store.subscribe(
				() => undefined,
				error => {
					losses.push(error);
					lostOnce(error);
				},
			);
			await queryRows(db.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tracedeck-listen' AND datname = current_database()");
			const error = await lost;
			assert.ok(error instanceof StoreError, String(error));
			await subscription.close();
			assert.equal(losses.length, 1);
		} finally {
			await store.close();
			await db.drop();
		}
	});
});
