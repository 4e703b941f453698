/**
 * The upper bounds of the deployment histograms kept at write time (SQLite's
 * migration 3, PostgreSQL's migration 1): one list for both schemas, so the
 * buckets /metrics serves are the same on either.
 */
const METRIC_BOUNDS: Readonly<Record<string, readonly number[]>> = {
	deployment_stage_duration_seconds: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
	time_to_deploy_seconds: [30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200],
};

/** The bounds as the VALUES of `INSERT INTO metric_bounds (name, le)`. */
export function metricBoundsValues(): string {
	return Object.entries(METRIC_BOUNDS)
		.flatMap(([name, bounds]) => bounds.map(le => `('${name}', ${le})`))
		.join(',\n\t\t');
}
