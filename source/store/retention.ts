import {InputError} from '../core/errors.js';
import {formatDuration, parseDuration} from '../core/format-duration.js';
import {ownedArtifactDirs, removeArtifactDir} from './artifact-removal.js';
import type {RunIndex} from './run-index.js';
import {greatest, numberParam} from './sql-dialect.js';
import {one, rows, write, type SqlDialect, type SqlProgram, type TransactionMode} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

/** How long runs are kept, per environment; `defaultMs` covers every other env and runs without one. */
export interface RetentionPolicy {
	byEnv: ReadonlyMap<string, number>;
	defaultMs: number;
}

export const DEFAULT_RETENTION = 'prod=90d,staging=30d,dev=7d,*=30d';

const DEFAULT_KEYS = new Set(['*', 'default']);

/**
 * Parse "prod=90d,staging=30d,*=30d" onto `base` (later keys win). `*` or
 * `default` names every other environment. `where` names the source in errors.
 */
export function parseRetention(text: string, base?: RetentionPolicy, where = '--keep'): RetentionPolicy {
	const byEnv = new Map(base?.byEnv ?? []);
	let defaultMs = base?.defaultMs ?? Number.NaN;
	for (const part of text
		.split(',')
		.map(item => item.trim())
		.filter(item => item !== '')) {
		const eq = part.indexOf('=');
		const env = eq === -1 ? '' : part.slice(0, eq).trim();
		const ms = eq === -1 ? undefined : parseDuration(part.slice(eq + 1));
		if (env === '' || ms === undefined) {
			throw new InputError(`${where}: "${part}" is not <env>=<duration> (e.g. prod=90d, *=30d)`);
		}

		if (ms <= 0) {
			throw new InputError(`${where}: "${part}": a retention must be longer than zero`);
		}

		if (DEFAULT_KEYS.has(env)) {
			defaultMs = ms;
		} else {
			byEnv.set(env, ms);
		}
	}

	if (Number.isNaN(defaultMs)) {
		throw new InputError(`${where}: no default retention; add *=<duration>`);
	}

	return {byEnv, defaultMs};
}

/** Defaults, then TRACEDECK_RETENTION, then the --keep flag, each overriding the one before per env. */
export function resolveRetention(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
	let policy = parseRetention(DEFAULT_RETENTION);
	const fromEnv = env['TRACEDECK_RETENTION'];
	if (fromEnv !== undefined && fromEnv.trim() !== '') {
		policy = parseRetention(fromEnv, policy, 'TRACEDECK_RETENTION');
	}

	return flag === undefined ? policy : parseRetention(flag, policy);
}

export function retentionFor(policy: RetentionPolicy, env: string | null): number {
	return (env === null ? undefined : policy.byEnv.get(env)) ?? policy.defaultMs;
}

/**
 * How long a service's log records (those without a trace, in service_logs)
 * are kept: the longest retention configured for any env. They belong to no
 * run, and a service's records may serve runs of every env, so none goes
 * before the last run it could explain would.
 */
export function serviceLogRetention(policy: RetentionPolicy): number {
	return Math.max(policy.defaultMs, ...policy.byEnv.values());
}

/** "prod=90d,staging=30d,*=30d" for output. */
export function describeRetention(policy: RetentionPolicy): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [env, ms] of policy.byEnv) {
		out[env] = formatDuration(ms);
	}

	out['*'] = formatDuration(policy.defaultMs);
	return out;
}

export interface PurgedRun {
	run_id: string;
	trace_id: string;
	env: string | null;
	target: string | null;
	plan_hash: string | null;
	status: string;
	/** ISO time of the run's last activity (its end, or its newest event if later): what its age is counted from. */
	last_activity_at: string;
	/** The run's artifact folders, removed (or that would be). */
	artifact_dirs: string[];
}

export interface PurgeResult {
	dry_run: boolean;
	runs: PurgedRun[];
	/** Rows removed (or that would be) from events and spans. */
	events: number;
	spans: number;
	/** Log records without a trace removed (or that would be): those older than serviceLogRetention. */
	service_logs: number;
	/** Artifact folders that could not be removed; the runs are gone from the index all the same. */
	warnings: string[];
}

export interface PurgeOptions {
	dryRun?: boolean;
	now?: number;
}

export interface CandidateRow {
	trace_id: string;
	run_id: string;
	env: string | null;
	target: string | null;
	plan_hash: string | null;
	status: string;
	last_ms: number;
}

/**
 * Runs past their retention, never one still running. Age counts from the
 * later of the run's end and its newest event, so late events keep a run.
 */
function* selectExpired(dialect: SqlDialect, policy: RetentionPolicy, now: number): SqlProgram<CandidateRow[]> {
	const envs = [...policy.byEnv];
	const n = numberParam(dialect);
	const cutoff = envs.length === 0 ? n : `CASE env ${envs.map(() => `WHEN ? THEN ${n}`).join(' ')} ELSE ${n} END`;
	const params: Array<string | number> = [];
	for (const [env, ms] of envs) {
		params.push(env, now - ms);
	}

	params.push(now - policy.defaultMs);
	const lastMs = greatest(dialect, 'coalesce(ended_ms, 0)', 'last_event_ms');
	return yield* rows<CandidateRow>(
		`SELECT trace_id, run_id, env, target, plan_hash, status, ${lastMs} AS last_ms FROM runs
		WHERE status <> 'running' AND ${lastMs} < ${cutoff}
		ORDER BY last_ms, run_id`,
		params,
	);
}

/** What a purge did to the index: the runs it took (or would take) and the rows with them. */
export interface PurgedRows {
	dryRun: boolean;
	rows: CandidateRow[];
	events: number;
	spans: number;
	serviceLogs: number;
}

function* countOf(sql: string, param: string | number): SqlProgram<number> {
	return (yield* one<{n: number}>(sql, [param]))?.n ?? 0;
}

/**
 * The index's part of a purge, as one transaction: select the expired runs
 * and delete them with their spans and events, and service log records past
 * serviceLogRetention (a dry run counts them instead). Run it as a write
 * (a dry run may run as a read): select and delete share one transaction,
 * so no writer can restart a run in between. The full-text and metric
 * triggers (SQLite) follow the deletes by themselves; the metric counters
 * keep their totals. Then finishPurge, after the commit.
 */
export function* purgeProgram(dialect: SqlDialect, policy: RetentionPolicy, options: PurgeOptions = {}): SqlProgram<PurgedRows> {
	const now = options.now ?? Date.now();
	const dryRun = options.dryRun === true;
	const found = yield* selectExpired(dialect, policy, now);
	let events = 0;
	let spans = 0;
	for (const row of found) {
		if (dryRun) {
			events += yield* countOf('SELECT count(*) AS n FROM events WHERE trace_id = ?', row.trace_id);
			spans += yield* countOf('SELECT count(*) AS n FROM spans WHERE trace_id = ?', row.trace_id);
		} else {
			events += yield* write('DELETE FROM events WHERE trace_id = ?', [row.trace_id]);
			spans += yield* write('DELETE FROM spans WHERE trace_id = ?', [row.trace_id]);
			yield* write('DELETE FROM runs WHERE trace_id = ?', [row.trace_id]);
		}
	}

	const logCutoff = now - serviceLogRetention(policy);
	// service_log_search (SQLite) follows by its delete trigger.
	const serviceLogs = dryRun ? yield* countOf('SELECT count(*) AS n FROM service_logs WHERE time_ms < ?', logCutoff) : yield* write('DELETE FROM service_logs WHERE time_ms < ?', [logCutoff]);
	return {dryRun, rows: found, events, spans, serviceLogs};
}

/** The transaction a purge runs in: a dry run only reads. */
export function purgeMode(options: PurgeOptions = {}): TransactionMode {
	return options.dryRun === true ? 'read' : 'write';
}

/**
 * The rest of a purge, after its transaction committed: the runs' artifact
 * folders (a folder left behind by a failed removal can be re-ingested; an
 * index row without its folder could not be rebuilt).
 */
export function finishPurge(home: string, purged: PurgedRows): PurgeResult {
	const {dryRun, rows: found} = purged;
	const dirs = new Map<string, string[]>();
	const warnings: string[] = [];
	for (const row of found) {
		const owned = ownedArtifactDirs(home, row);
		dirs.set(row.trace_id, owned);
		for (const dir of dryRun ? [] : owned) {
			try {
				removeArtifactDir(home, dir);
			} catch (error) {
				warnings.push(`cannot remove ${dir}: ${(error as Error).message}`);
			}
		}
	}

	return {
		dry_run: dryRun,
		runs: found.map(row => ({
			run_id: row.run_id,
			trace_id: row.trace_id,
			env: row.env,
			target: row.target,
			plan_hash: row.plan_hash,
			status: row.status,
			last_activity_at: new Date(row.last_ms).toISOString(),
			artifact_dirs: dirs.get(row.trace_id) ?? [],
		})),
		events: purged.events,
		spans: purged.spans,
		service_logs: purged.serviceLogs,
		warnings,
	};
}

/** Delete expired runs (purgeProgram), then their artifact folders (finishPurge): on SQLite. */
export function purgeRuns(index: RunIndex, home: string, policy: RetentionPolicy, options: PurgeOptions = {}): PurgeResult {
	return finishPurge(
		home,
		runSqliteQuery(index.db, () => purgeProgram('sqlite', policy, options), purgeMode(options)),
	);
}
