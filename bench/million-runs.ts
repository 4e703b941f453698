import path from 'node:path';
import Database from 'better-sqlite3';
import type {Run, RunStatus} from '../source/core/run.js';
import {RunIndex, type RunFilter} from '../source/store/run-index.js';
import {Random, hashSeed} from '../source/demo/random.js';
import {runIdFor} from '../source/demo/generate.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {BARE_RUNS_LIST, checkSameOutput} from './bare-list.js';
import {bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians, nowMs, timeMs} from './stats.js';
import {DATASET_NOW, cachedHome, type Workspace} from './workspace.js';

const YEAR_MS = 365 * 24 * 3_600_000;
const ENVS: ReadonlyArray<readonly [string, number]> = [
	['prod', 25],
	['staging', 25],
	['dev', 20],
	['ci', 30],
];
const TARGETS = ['api', 'web', 'worker', 'billing'];
const STATUSES: ReadonlyArray<readonly [RunStatus, number]> = [
	['success', 85],
	['failed', 12],
	['cancelled', 3],
];
const STEPS = ['Build', 'Deploy/helm upgrade', 'Health Check/probe healthz', 'Migration', 'test/unit', 'disburse'];

/** The n-th newest run of a year of history, as the run index would store it. */
function fakeRun(rng: Random, i: number, count: number, shas: readonly string[], plans: readonly string[]): Run {
	const started = DATASET_NOW.getTime() - Math.floor(((i + 1) * YEAR_MS) / count);
	// Only the newest few are still running, as on a real index.
	const status: RunStatus = i < 3 ? 'running' : rng.weighted(STATUSES);
	const env = rng.weighted(ENVS);
	const sha = rng.pick(shas);
	const total = rng.int(4, 12);
	const ended = status === 'running' ? null : started + rng.int(20_000, 900_000);
	return {
		run_id: runIdFor(started, sha),
		// Random hex, but rising with i: the primary key grows at its end instead of splitting pages all over (the load is 5× faster).
		trace_id: `${i.toString(16).padStart(8, '0')}${rng.id(24)}`,
		env,
		target: rng.pick(TARGETS),
		// Plans repeat across runs (same commit, same target), as plan hashes do.
		plan_hash: rng.pick(plans),
		status,
		started_at: new Date(started).toISOString(),
		ended_at: ended === null ? null : new Date(ended).toISOString(),
		failed_step: status === 'failed' ? rng.pick(STEPS) : null,
		retries: rng.chance(0.1) ? rng.int(1, 3) : 0,
		runner: `runner-${rng.int(1, 40)}`,
		git: {sha, branch: rng.chance(0.8) ? 'main' : `feature/${rng.id(6)}`},
		user: rng.pick(['ci-bot', 'alice', 'bob', 'carol', 'deploy-bot']),
		progress: {completed: status === 'success' ? total : rng.int(0, total), total},
		policy: env === 'prod' ? {deny_network: true, readonly_fs: true} : null,
		name: `${env === 'ci' ? 'ci' : 'deploy'} ${rng.pick(TARGETS)}`,
		last_event_ms: ended ?? started + 60_000,
		parent_trace_id: null,
		correlation_id: null,
		current_step: null,
	};
}

/**
 * A year of runs written straight into the runs table (no events or spans:
 * the first page reads runs only). Secondary indexes and the table's
 * triggers (deployment metrics) are dropped during the load and re-created
 * from their own stored SQL: the same schema in a fraction of the time. The
 * metric tables stay empty; listing runs never reads them.
 */
export function buildMillionRunHome(home: string, count: number): number {
	const start = nowMs();
	RunIndex.open(home).close();
	const db = new Database(path.join(home, 'runs.db'));
	try {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = OFF');
		db.pragma('cache_size = -262144');
		const dropped = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'runs' AND sql IS NOT NULL").all() as Array<{type: string; name: string; sql: string}>;
		for (const item of dropped) {
			db.exec(`DROP ${item.type.toUpperCase()} ${item.name}`);
		}

		const insert = db.prepare(`INSERT INTO runs (trace_id, run_id, env, target, plan_hash, status, started_ms, ended_ms, last_event_ms, steps_seen, failed_step, user, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
		const rng = new Random(hashSeed('million-runs', count));
		const shas = Array.from({length: 4000}, () => rng.id(40));
		const plans = Array.from({length: 5000}, () => rng.id(64));
		const chunk = 50_000;
		for (let from = 0; from < count; from += chunk) {
			db.transaction(() => {
				for (let i = from; i < Math.min(count, from + chunk); i++) {
					const run = fakeRun(rng, i, count, shas, plans);
					insert.run(run.trace_id, run.run_id, run.env, run.target, run.plan_hash, run.status, Date.parse(run.started_at), run.ended_at === null ? null : Date.parse(run.ended_at), run.last_event_ms, run.progress.total, run.failed_step, run.user, JSON.stringify(run));
				}
			})();
		}

		for (const item of dropped) {
			db.exec(item.sql);
		}

		db.pragma('wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}

	return nowMs() - start;
}

function figure(id: string, label: string, value: number, baseline: number, baselineLabel: string, note?: string): Figure {
	return {id, label, unit: 'ms', value, baseline, baselineLabel, target: {kind: 'abs', op: '<=', limit: 20}, ...(note ? {note} : {})};
}

/** Bump when fakeRun or the load changes, so cached homes are rebuilt. */
const GENERATOR_VERSION = 2;

/** A home of `count` runs as this group builds it, from (or into) the bench cache: @returns its path and the build time (0 when cached). */
export function millionRunHome(ws: Workspace, count: number): {home: string; buildMs: number} {
	return cachedHome(ws, `million-${count}`, `generator ${GENERATOR_VERSION}`, dir => buildMillionRunHome(dir, count));
}

export async function benchMillionRuns(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const {home, buildMs} = cachedHome(ws, `million-${config.millionRuns}`, `generator ${GENERATOR_VERSION}`, dir => buildMillionRunHome(dir, config.millionRuns));
	const index = RunIndex.open(home, {readonly: true});
	const raw = new Database(path.join(home, 'runs.db'), {readonly: true});
	const figures: Figure[] = [];
	try {
		const bare = (sql: string, ...params: string[]): (() => number) => {
			const stmt = raw.prepare(sql).pluck();
			return () => timeMs(() => stmt.all(...params));
		};

		const listed =
			(filter: RunFilter): (() => number) =>
			() =>
				timeMs(() => index.listRuns(filter));
		// The very first query of a fresh connection reads the index pages in: what one CLI call pays.
		const firstCall = timeMs(() => index.listRuns({limit: 50}));
		const cases: Array<{id: string; label: string; filter: RunFilter; sql: string; params: string[]}> = [
			{id: 'million.list_first_page_ms', label: 'runs list first page, no filter', filter: {limit: 50}, sql: 'SELECT body FROM runs ORDER BY started_ms DESC LIMIT 50', params: []},
			{id: 'million.list_env_ms', label: 'runs list first page, --env prod', filter: {env: 'prod', limit: 50}, sql: 'SELECT body FROM runs WHERE env = ? ORDER BY started_ms DESC LIMIT 50', params: ['prod']},
			{id: 'million.list_status_ms', label: 'runs list first page, --status failed', filter: {status: 'failed', limit: 50}, sql: 'SELECT body FROM runs WHERE status = ? ORDER BY started_ms DESC LIMIT 50', params: ['failed']},
		];
		for (const c of cases) {
			const result = await interleavedMedians(config.repeats, 2, listed(c.filter), bare(c.sql, ...c.params));
			const plan = (index.db.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.params) as Array<{detail: string}>).map(row => row.detail).join('; ');
			figures.push(figure(c.id, `${c.label} (${config.millionRuns.toLocaleString('en-US')} runs)`, result.a, result.b, 'bare SELECT body … LIMIT 50', `median of ${config.repeats}; plan: ${plan}`));
		}

		figures[0]!.note = `${figures[0]!.note}; first call on a fresh connection ${firstCall.toFixed(1)} ms${buildMs > 0 ? `; index built in ${(buildMs / 1000).toFixed(1)} s` : '; index reused from the bench cache'}`;
	} finally {
		index.close();
		raw.close();
	}

	checkSameOutput(home, path.join(home, 'runs.db'));
	const spawns = config.quick ? 3 : 7;
	const wall = await interleavedMedians(
		spawns,
		1,
		() => tracedeckMs(home, ['runs', 'list', '--json']).ms,
		() => bareNodeMs(path.join(home, 'runs.db'), BARE_RUNS_LIST).ms,
	);
	figures.push({
		id: 'million.cli_list_json_ms',
		label: `runs list --json wall (${config.millionRuns.toLocaleString('en-US')} runs)`,
		unit: 'ms',
		value: wall.a,
		baseline: wall.b,
		baselineLabel: "node -e: better-sqlite3 open + runs list's reads (same bytes out)",
		target: {kind: 'ratio', op: '<=', limit: 1.4},
		note: `cold processes, interleaved, median of ${spawns} spawns each, 50 of ${config.millionRuns.toLocaleString('en-US')} runs listed`,
	});
	return figures;
}
