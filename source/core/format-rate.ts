/** A rate (0..1) as a percentage with one decimal, as `runs analyze` and the console print it: 0.4 → "40.0%". */
export function formatRate(rate: number): string {
	return `${(rate * 100).toFixed(1)}%`;
}
