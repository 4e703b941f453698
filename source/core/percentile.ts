/**
 * The nearest-rank percentile of ascending values: the smallest value with at
 * least p% of the values at or below it (rank ceil(p/100 × n), 1-based). It is
 * always one of the observed values, never an interpolation, so "p95 = 41 s"
 * names a run that really took 41 s. `p` is in percent (0..100, clamped);
 * null for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
	if (sorted.length === 0) {
		return null;
	}

	const clamped = Math.min(100, Math.max(0, Number.isNaN(p) ? 0 : p));
	const rank = Math.ceil((clamped / 100) * sorted.length);
	return sorted[Math.max(0, rank - 1)]!;
}
