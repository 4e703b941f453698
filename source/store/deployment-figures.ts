import type {Db} from './open-database.js';
import {jsonText} from './sql-dialect.js';
import {rows, type SqlDialect, type SqlProgram} from './sql-program.js';
import {runSqliteQuery} from './sqlite-query.js';

/**
 * Reads the deployment figures the run index keeps (migration 3: counters and
 * cumulative histogram buckets maintained by triggers) and the two gauges
 * that are cheap to count live (running runs, via the runs_by_status index).
 * Every read is an indexed lookup over at most a few hundred rows, so a
 * scrape costs the same with ten runs or a million.
 */

export type Labels = Record<string, string>;

export interface CounterSeries {
	labels: Labels;
	value: number;
}

export interface HistogramSeries {
	labels: Labels;
	/** Cumulative counts per upper bound, in the order of `bounds`. */
	buckets: number[];
	sum: number;
	count: number;
}

export interface HistogramFigures {
	bounds: number[];
	series: HistogramSeries[];
}

export interface EnvCount {
	env: string;
	count: number;
}

/** The env label of runs without one: Prometheus reads an empty label as no label at all. */
export const NO_ENV = 'none';

function parseLabels(text: string): Labels {
	const parsed = JSON.parse(text) as Record<string, unknown>;
	const labels: Labels = {};
	for (const [key, value] of Object.entries(parsed)) {
		labels[key] = String(value);
	}

	return labels;
}

export function* countersProgram(name: string): SqlProgram<CounterSeries[]> {
	const found = yield* rows<{labels: string; value: number}>('SELECT labels, value FROM metric_counters WHERE name = ? ORDER BY labels', [name]);
	return found.map(row => ({labels: parseLabels(row.labels), value: row.value}));
}

export function* histogramProgram(name: string): SqlProgram<HistogramFigures> {
	const bounds = (yield* rows<{le: number}>('SELECT le FROM metric_bounds WHERE name = ? ORDER BY le', [name])).map(row => row.le);
	const position = new Map(bounds.map((le, i) => [le, i]));
	const series = new Map<string, HistogramSeries>();
	for (const row of yield* rows<{labels: string; sum: number; count: number}>('SELECT labels, sum, count FROM metric_histograms WHERE name = ? ORDER BY labels', [name])) {
		series.set(row.labels, {labels: parseLabels(row.labels), buckets: bounds.map(() => 0), sum: row.sum, count: row.count});
	}

	for (const row of yield* rows<{labels: string; le: number; n: number}>('SELECT labels, le, n FROM metric_buckets WHERE name = ?', [name])) {
		const i = position.get(row.le);
		const entry = series.get(row.labels);
		if (i !== undefined && entry) {
			entry.buckets[i] = row.n;
		}
	}

	return {bounds, series: [...series.values()]};
}

/** Deployments (runs with an env) running now, per env. */
export function* inProgressProgram(): SqlProgram<EnvCount[]> {
	return yield* rows<EnvCount>("SELECT env, count(*) AS count FROM runs WHERE status = 'running' AND env IS NOT NULL GROUP BY env ORDER BY env");
}

/** Running runs (deployments or not) with no event since `beforeMs`, per env. */
export function* stuckProgram(beforeMs: number): SqlProgram<EnvCount[]> {
	return yield* rows<EnvCount>("SELECT coalesce(env, ?) AS env, count(*) AS count FROM runs WHERE status = 'running' AND last_event_ms < ? GROUP BY 1 ORDER BY 1", [NO_ENV, beforeMs]);
}

/** Envs that ever had a finished deployment: their gauges read 0 rather than vanish when idle. */
export function* deploymentEnvsProgram(dialect: SqlDialect): SqlProgram<string[]> {
	const found = yield* rows<{env: unknown}>(`SELECT DISTINCT ${jsonText(dialect, 'labels', ['env'])} AS env FROM metric_counters WHERE name = 'deployment_total' ORDER BY 1`);
	return found.map(row => row.env).filter((env): env is string => typeof env === 'string');
}

/** The figures on SQLite, each read in its own transaction (prometheus-metrics.ts reads them so). */
export class DeploymentFigures {
	constructor(private readonly db: Db) {}

	counters(name: string): CounterSeries[] {
		return runSqliteQuery(this.db, () => countersProgram(name));
	}

	histogram(name: string): HistogramFigures {
		return runSqliteQuery(this.db, () => histogramProgram(name));
	}

	inProgress(): EnvCount[] {
		return runSqliteQuery(this.db, () => inProgressProgram());
	}

	stuck(beforeMs: number): EnvCount[] {
		return runSqliteQuery(this.db, () => stuckProgram(beforeMs));
	}

	deploymentEnvs(): string[] {
		return runSqliteQuery(this.db, () => deploymentEnvsProgram('sqlite'));
	}
}
