import fs from 'node:fs';
import path from 'node:path';
import type {BenchConfig} from './config.js';
import {skipped, type Figure, type Target} from './report.js';
import {REPO} from './workspace.js';

const P50 = 'live.xadd_to_tail_p50_ms';
const P99 = 'live.xadd_to_tail_p99_ms';
const BASELINE = /raw|xread|baseline|bare/i;

/** Every number in a result object, by its dotted path. */
function numbers(value: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
	if (typeof value === 'number' && Number.isFinite(value)) {
		out.set(prefix, value);
	} else if (value && typeof value === 'object' && !Array.isArray(value)) {
		for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
			numbers(item, prefix === '' ? key : `${prefix}.${key}`, out);
		}
	}

	return out;
}

function pick(found: Map<string, number>, percentile: RegExp, baseline: boolean): number | null {
	for (const [key, value] of found) {
		if (percentile.test(key) && BASELINE.test(key) === baseline) {
			return value;
		}
	}

	return null;
}

function isFigure(value: unknown): value is Figure {
	return Boolean(value) && typeof value === 'object' && 'id' in (value as object) && 'label' in (value as object) && 'value' in (value as object);
}

interface Latency {
	p50_ms: number;
	p99_ms: number;
}

/** bench/live-latency.ts's LiveLatencyResult, as far as the table needs it (the file may be absent, so no type import). */
interface LiveLatencyResult {
	events: number;
	raw_xread: Latency;
	watch: Latency;
	write_to_watch?: Latency;
	cluster?: {raw_xread: Latency; watch: Latency};
}

function isLatency(value: unknown): value is Latency {
	return Boolean(value) && typeof (value as Latency).p50_ms === 'number' && typeof (value as Latency).p99_ms === 'number';
}

/**
 * Put benchLiveLatency()'s result in the table: XADD → watch() against a
 * bare XREAD BLOCK loop on the same server, and end to end (SQLite commit,
 * publish, watch) as information. The live engineer owns the measurement.
 * Unknown shapes fall back to numbers named like p50/p99 and raw/xread.
 */
export function liveFigures(result: unknown): Figure[] {
	if (Array.isArray(result) && result.every(item => isFigure(item))) {
		return result;
	}

	if (result && typeof result === 'object') {
		const reason = (result as Record<string, unknown>)['skipped'] ?? (result as Record<string, unknown>)['skip'];
		if (typeof reason === 'string') {
			return skippedLive(`skipped: ${reason}`);
		}

		const live = result as Partial<LiveLatencyResult>;
		if (isLatency(live.watch) && isLatency(live.raw_xread)) {
			const baselineLabel = 'raw XREAD BLOCK loop, same server';
			const figures: Figure[] = [
				{id: P50, label: 'live: XADD → watch() p50', unit: 'ms', value: live.watch.p50_ms, baseline: live.raw_xread.p50_ms, baselineLabel, target: {kind: 'none'}, note: `${live.events ?? '?'} events, from bench/live-latency.ts`},
				{id: P99, label: 'live: XADD → watch() p99', unit: 'ms', value: live.watch.p99_ms, baseline: live.raw_xread.p99_ms, baselineLabel, target: {kind: 'none'}},
			];
			if (isLatency(live.write_to_watch)) {
				figures.push(
					{id: 'live.write_to_watch_p50_ms', label: 'live: EventWriter.write → watch() p50', unit: 'ms', value: live.write_to_watch.p50_ms, baseline: live.raw_xread.p50_ms, baselineLabel, target: {kind: 'none'}, note: 'SQLite commit, then publish, then the watcher'},
					{id: 'live.write_to_watch_p99_ms', label: 'live: EventWriter.write → watch() p99', unit: 'ms', value: live.write_to_watch.p99_ms, baseline: live.raw_xread.p99_ms, baselineLabel, target: {kind: 'none'}},
				);
			}

			if (live.cluster && isLatency(live.cluster.watch) && isLatency(live.cluster.raw_xread)) {
				// On a cluster watch() reads its trace's stream as on one node (one blocking XREAD, routed by the Cluster client to the key's node);
				// the cost over a bare XREAD is the watcher's own (decode, SQLite id check), so it gets no more room than twice the bare loop.
				figures.push({id: 'live.cluster_watch_p99_ms', label: 'live: XADD → watch() p99 on a 3-node Redis Cluster', unit: 'ms', value: live.cluster.watch.p99_ms, baseline: live.cluster.raw_xread.p99_ms, baselineLabel: 'raw XREAD BLOCK loop on the node of the key', target: {kind: 'ratio', op: '<=', limit: 2}});
			}

			return figures;
		}
	}

	const found = numbers(result);
	const value = (p: RegExp, baseline: boolean): number | null => pick(found, p, baseline);
	const note = `from bench/live-latency.ts: ${JSON.stringify(result).slice(0, 200)}`;
	return [
		{id: P50, label: 'live: XADD → tail p50', unit: 'ms', value: value(/p50|median/i, false), baseline: value(/p50|median/i, true), baselineLabel: 'raw XREAD BLOCK', target: {kind: 'none'}, note},
		{id: P99, label: 'live: XADD → tail p99', unit: 'ms', value: value(/p99/i, false), baseline: value(/p99/i, true), baselineLabel: 'raw XREAD BLOCK', target: {kind: 'none'}},
	];
}

function skippedLive(reason: string): Figure[] {
	const none: Target = {kind: 'none'};
	return [skipped(P50, 'live: XADD → tail p50', reason, none), skipped(P99, 'live: XADD → tail p99', reason, none)];
}

export async function benchLive(config: BenchConfig): Promise<Figure[]> {
	if (!fs.existsSync(path.join(REPO, 'bench/live-latency.ts'))) {
		return skippedLive('skipped: live bench not present');
	}

	try {
		const module = (await import('./live-latency.js' as string)) as {benchLiveLatency?: (options?: {events?: number}) => unknown};
		if (typeof module.benchLiveLatency !== 'function') {
			return skippedLive('skipped: bench/live-latency.ts has no benchLiveLatency export');
		}

		return liveFigures(await module.benchLiveLatency({events: config.quick ? 500 : 2000}));
	} catch (error) {
		return skippedLive(`skipped: live bench failed: ${(error as Error).message.split('\n')[0]}`);
	}
}
