/**
 * Bench sizes. BENCH_QUICK=1 shrinks everything for a smoke run (about a
 * minute); single sizes can be overridden, and BENCH_ONLY=a,b runs only the
 * named groups (e.g. BENCH_ONLY=console, or BENCH_ONLY=otlp for the OTLP
 * receiver's throughput, about a minute).
 */
export const GROUPS = ['ingest', 'emit', 'live', 'otlp', 'serve-load', 'cli', 'show10k', 'console', 'trace-screen', 'rss', 'million', 'postgres', 'growth'] as const;
export type Group = (typeof GROUPS)[number];

export interface BenchConfig {
	quick: boolean;
	only: ReadonlySet<Group>;
	/** Runs in the generated dataset that ingest and the CLI figures use. */
	ingestRuns: number;
	/** Single-event appends timed for the emit percentiles. */
	emitEvents: number;
	/** Process spawns per side for wall-time medians. */
	spawns: number;
	/** Spans of the trace behind the "10k-span runs show" target. */
	showSpans: number;
	/** Spans of the big trace (RSS, trace screen, the big post of serve-load). */
	bigSpans: number;
	/** Trace sizes the trace screen is opened on. */
	screenSpans: number[];
	/** Keypresses timed per trace-screen size and per side (the console, the bare app): a p99 wants a hundred or so. */
	keypresses: number;
	/** Runs in the index for the first-page figure. */
	millionRuns: number;
	/** Timed repetitions of in-process queries. */
	repeats: number;
}

function intFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') {
		return fallback;
	}

	const value = Number(raw.replace(/_/g, ''));
	if (!Number.isInteger(value) || value <= 0) {
		throw new Error(`${name} must be a positive integer, got "${raw}"`);
	}

	return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
	const quick = env['BENCH_QUICK'] === '1';
	const onlyRaw = (env['BENCH_ONLY'] ?? '')
		.split(',')
		.map(s => s.trim())
		.filter(Boolean);
	for (const name of onlyRaw) {
		if (!(GROUPS as readonly string[]).includes(name)) {
			throw new Error(`BENCH_ONLY: unknown group "${name}"; groups: ${GROUPS.join(', ')}`);
		}
	}

	const bigSpans = intFromEnv('BENCH_BIG_SPANS', quick ? 20_000 : 100_000);
	return {
		quick,
		only: new Set((onlyRaw.length > 0 ? onlyRaw : GROUPS) as Group[]),
		ingestRuns: intFromEnv('BENCH_INGEST_RUNS', quick ? 150 : 1000),
		// 2000 (was 5000): 20 samples above the p99 still, at 40% of the group's time (time budget, issue 20).
		emitEvents: intFromEnv('BENCH_EMIT_EVENTS', quick ? 1000 : 2000),
		spawns: intFromEnv('BENCH_SPAWNS', quick ? 5 : 11),
		showSpans: intFromEnv('BENCH_SHOW_SPANS', 10_000),
		bigSpans,
		screenSpans: quick ? [10_000] : [10_000, bigSpans],
		keypresses: intFromEnv('BENCH_KEYPRESSES', quick ? 20 : 120),
		millionRuns: intFromEnv('BENCH_MILLION_RUNS', quick ? 50_000 : 1_000_000),
		repeats: intFromEnv('BENCH_REPEATS', quick ? 5 : 15),
	};
}
