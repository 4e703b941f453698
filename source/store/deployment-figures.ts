import type {Db} from './open-database.js';

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

export class DeploymentFigures {
	private readonly stmts;

	constructor(db: Db) {
		this.stmts = {
			counters: db.prepare('SELECT labels, value FROM metric_counters WHERE name = ? ORDER BY labels'),
			bounds: db.prepare('SELECT le FROM metric_bounds WHERE name = ? ORDER BY le').pluck(),
			histograms: db.prepare('SELECT labels, sum, count FROM metric_histograms WHERE name = ? ORDER BY labels'),
			buckets: db.prepare('SELECT labels, le, n FROM metric_buckets WHERE name = ?'),
			running: db.prepare("SELECT env, count(*) AS count FROM runs WHERE status = 'running' AND env IS NOT NULL GROUP BY env ORDER BY env"),
			stuck: db.prepare("SELECT coalesce(env, ?) AS env, count(*) AS count FROM runs WHERE status = 'running' AND last_event_ms < ? GROUP BY 1 ORDER BY 1"),
			deployEnvs: db.prepare("SELECT DISTINCT json_extract(labels, '$.env') FROM metric_counters WHERE name = 'deployment_total' ORDER BY 1").pluck(),
		};
	}

	counters(name: string): CounterSeries[] {
		return (this.stmts.counters.all(name) as Array<{labels: string; value: number}>).map(row => ({labels: parseLabels(row.labels), value: row.value}));
	}

	histogram(name: string): HistogramFigures {
		const bounds = this.stmts.bounds.all(name) as number[];
		const position = new Map(bounds.map((le, i) => [le, i]));
		const series = new Map<string, HistogramSeries>();
		for (const row of this.stmts.histograms.all(name) as Array<{labels: string; sum: number; count: number}>) {
			series.set(row.labels, {labels: parseLabels(row.labels), buckets: bounds.map(() => 0), sum: row.sum, count: row.count});
		}

		for (const row of this.stmts.buckets.all(name) as Array<{labels: string; le: number; n: number}>) {
			const i = position.get(row.le);
			const entry = series.get(row.labels);
			if (i !== undefined && entry) {
				entry.buckets[i] = row.n;
			}
		}

		return {bounds, series: [...series.values()]};
	}

	/** Deployments (runs with an env) running now, per env. */
	inProgress(): EnvCount[] {
		return this.stmts.running.all() as EnvCount[];
	}

	/** Running runs (deployments or not) with no event since `beforeMs`, per env. */
	stuck(beforeMs: number): EnvCount[] {
		return this.stmts.stuck.all(NO_ENV, beforeMs) as EnvCount[];
	}

	/** Envs that ever had a finished deployment: their gauges read 0 rather than vanish when idle. */
	deploymentEnvs(): string[] {
		return (this.stmts.deployEnvs.all() as unknown[]).filter((env): env is string => typeof env === 'string');
	}
}
