import {percentile} from '../source/core/percentile.js';

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export function nowMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/** Run `fn` once and return how long it took in ms. */
export function timeMs(fn: () => void): number {
	const start = nowMs();
	fn();
	return nowMs() - start;
}

export function sortedCopy(values: readonly number[]): number[] {
	return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile (the core's), 0 for no samples. */
export function pct(values: readonly number[], p: number): number {
	return percentile(sortedCopy(values), p) ?? 0;
}

export function median(values: readonly number[]): number {
	return pct(values, 50);
}

/**
 * Median of `runs` timings after `warmup` untimed calls. Both sides of a
 * comparison go through here, so they get the same warm-up and sample count.
 */
export function medianOf(runs: number, warmup: number, fn: () => void): number {
	for (let i = 0; i < warmup; i++) {
		fn();
	}

	const samples: number[] = [];
	for (let i = 0; i < runs; i++) {
		samples.push(timeMs(fn));
	}

	return median(samples);
}

/**
 * Alternate two measurements so drift on a noisy machine (another test run,
 * a checkpoint, thermal throttling) hits both sides alike; medians of each.
 */
export async function interleavedMedians(runs: number, warmup: number, a: () => Promise<number> | number, b: () => Promise<number> | number): Promise<{a: number; b: number; samplesA: number[]; samplesB: number[]}> {
	for (let i = 0; i < warmup; i++) {
		await a();
		await b();
	}

	const samplesA: number[] = [];
	const samplesB: number[] = [];
	for (let i = 0; i < runs; i++) {
		samplesA.push(await a());
		samplesB.push(await b());
	}

	return {a: median(samplesA), b: median(samplesB), samplesA, samplesB};
}
