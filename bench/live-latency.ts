/**
 * Live latency: how long an event takes from XADD to a watch() consumer,
 * against raw XREAD BLOCK on the same server in the same run, so the ratio
 * is the watcher's own cost (decode, digest, dedup, queue) and not the
 * machine's. Also end to end, EventWriter.write (SQLite + publish) to watch(),
 * against the same store write followed by a bare XADD → XREAD hop. All
 * sides are measured interleaved, event by event.
 *
 *   node --import tsx bench/live-latency.ts [events]
 *
 * Uses REDIS_URL when set, else starts a redis-server on a free port.
 */
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {pathToFileURL} from 'node:url';
import {Cluster, Redis} from 'ioredis';
import {percentile} from '../source/core/percentile.js';
import type {TraceEvent} from '../source/core/trace-event.js';
import {EventWriter} from '../source/live/event-writer.js';
import {entryFields} from '../source/live/redis-entry.js';
import {traceStream} from '../source/live/redis-keys.js';
import {createRedisPublisher} from '../source/live/redis-publisher.js';
import {watch} from '../source/live/watch.js';
import {clusterUnavailable, startTestCluster} from '../test/helpers/redis-cluster.js';
import {startTestRedis} from '../test/helpers/redis-server.js';
import {clusterNodeUrls, isClusterTarget} from '../source/live/redis-url.js';
import {tempIndex} from '../test/helpers/temp-index.js';
import {SqliteStore} from '../source/store/sqlite-store.js';

export interface LatencyFigures {
	p50_ms: number;
	p99_ms: number;
	mean_ms: number;
}

export interface LiveLatencyResult {
	events: number;
	/** XADD → a bare XREAD BLOCK loop. */
	raw_xread: LatencyFigures;
	/** XADD → watch() (no SQLite on the way). */
	watch: LatencyFigures;
	/** EventWriter.write (SQLite commit, then publish) → watch(). */
	write_to_watch: LatencyFigures;
	/** The same store write (appendEvents on an index of its own), then XADD → a bare XREAD BLOCK loop: the commit and the hop without the live path. */
	raw_write: LatencyFigures;
	/** watch / raw_xread. */
	ratio_p50: number;
	ratio_p99: number;
	/** On a 3-node Redis Cluster the bench starts: XADD → watch() vs a bare XREAD loop on the node of its key; absent when redis-server cannot be started. */
	cluster?: {raw_xread: LatencyFigures; watch: LatencyFigures; ratio_p99: number};
}

export interface LiveLatencyOptions {
	events?: number;
	warmup?: number;
	redisUrl?: string;
}

function figures(samples: number[]): LatencyFigures {
	const sorted = [...samples].sort((a, b) => a - b);
	const round = (ms: number) => Math.round(ms * 1000) / 1000;
	return {
		p50_ms: round(percentile(sorted, 50)!),
		p99_ms: round(percentile(sorted, 99)!),
		mean_ms: round(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length),
	};
}

function benchEvent(traceId: string, n: number): TraceEvent {
	return {
		trace_id: traceId,
		span_id: `span-${n % 50}`,
		parent_span_id: 'root',
		event_type: n % 10 === 0 ? 'log:stderr' : 'step:completed',
		timestamp: new Date().toISOString(),
		status: 'success',
		data: {name: `step ${n % 50}`, n, line: 'npm WARN deprecated inflight@1.0.6: This module is not supported', exit_code: 0},
	};
}

/** One way of getting an event to a consumer: `send(n)` publishes event n, `arrived()` resolves on the next delivery. */
interface Side {
	send(n: number): Promise<unknown>;
	arrived(): Promise<void>;
	close(): Promise<void>;
}

/**
 * Event by event, each side in turn: send, wait until its consumer has it,
 * record the time. Interleaved, so a burst of the shared machine's noise
 * lands on every side alike instead of on whichever block ran then, and
 * the order rotates.
 * @returns each side's samples after the warm-up
 */
async function measure(sides: readonly Side[], total: number, warmup: number): Promise<number[][]> {
	const samples = sides.map(() => [] as number[]);
	for (let n = 0; n < total; n++) {
		// Each round starts at the next side: the first send after a round's gap is not always the same side's.
		for (let k = 0; k < sides.length; k++) {
			const i = (n + k) % sides.length;
			const side = sides[i]!;
			const received = side.arrived();
			const started = performance.now();
			await side.send(n);
			await received;
			if (n >= warmup) {
				samples[i]!.push(performance.now() - started);
			}
		}
	}

	return samples;
}

/** A consumer side: `arrived()` resolves on the next delivery. */
function arrivals(): {arrived: () => Promise<void>; deliver: () => void} {
	let waiter: (() => void) | undefined;
	let early = 0;
	return {
		arrived: () =>
			new Promise(resolve => {
				if (early > 0) {
					early--;
					resolve();
				} else {
					waiter = resolve;
				}
			}),
		deliver() {
			const current = waiter;
			waiter = undefined;
			if (current) {
				current();
			} else {
				early++;
			}
		},
	};
}

/** A plain client of the target: one node, or the Cluster client, which sends each command to its key's node (so XREAD is raw on that node). */
function client(url: string): Redis | Cluster {
	return isClusterTarget(url) ? new Cluster(clusterNodeUrls(url).map(node => ({host: new URL(node).hostname, port: Number(new URL(node).port)}))) : new Redis(url);
}

/** XADD → a bare XREAD BLOCK loop; with `store`, each XADD comes after that write (the raw dual write). */
async function rawSide(url: string, store?: (event: TraceEvent) => void): Promise<Side> {
	const producer = client(url);
	const consumer = client(url);
	const key = `bench:raw:{${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}}`;
	const {arrived, deliver} = arrivals();
	let running = true;
	let lastId = '$';
	const loop = (async () => {
		while (running) {
			const reply = await consumer.xread('COUNT', 500, 'BLOCK', 200, 'STREAMS', key, lastId);
			for (const [id] of reply?.[0]?.[1] ?? []) {
				lastId = id;
				deliver();
			}
		}
	})();
	// Let the first XREAD reach the server, so "$" means "after now".
	await new Promise(resolve => setTimeout(resolve, 50));
	return {
		arrived,
		async send(n) {
			const event = benchEvent('raw', n);
			store?.(event);
			return producer.xadd(key, '*', ...entryFields(JSON.stringify(event), undefined));
		},
		async close() {
			running = false;
			await loop;
			await producer.del(key);
			producer.disconnect();
			consumer.disconnect();
		},
	};
}

/** rawSide after the store's own write of each event, appendEvents on an index of its own: the commit and the hop, without the live path between them. */
async function storeThenRawSide(url: string): Promise<Side> {
	const {index, cleanup} = tempIndex([], 'tracedeck-bench-');
	const side = await rawSide(url, event => index.appendEvents([{...event, trace_id: 'rawwrite'}]));
	return {
		...side,
		async close() {
			await side.close();
			cleanup();
		},
	};
}

/** XADD (or EventWriter.write) → watch(). */
async function watchSide(url: string, throughWriter: boolean): Promise<Side> {
	const {index, cleanup} = tempIndex([], 'tracedeck-bench-');
	const producer = client(url);
	const publisher = await createRedisPublisher(url);
	const writer = new EventWriter(new SqliteStore(index), publisher);
	const traceId = `bench${process.pid}${Date.now()}${throughWriter ? 'w' : 'x'}`;
	const stream = watch(traceId, {index: new SqliteStore(index), redisUrl: url});
	const {arrived, deliver} = arrivals();
	const loop = (async () => {
		for await (const _ of stream) {
			deliver();
		}
	})();
	const close = async () => {
		await stream.close();
		await loop;
		await producer.del(traceStream(traceId));
		producer.disconnect();
		await publisher.close();
		cleanup();
	};
	for (let i = 0; i < 500 && stream.source !== 'redis'; i++) {
		await new Promise(resolve => setTimeout(resolve, 10));
	}

	if (stream.source !== 'redis') {
		await close();
		throw new Error('watch() did not get onto Redis');
	}

	return {
		arrived,
		send: throughWriter ? async n => writer.write([benchEvent(traceId, n)]) : async n => producer.xadd(traceStream(traceId), '*', ...entryFields(JSON.stringify(benchEvent(traceId, n)), undefined)),
		close,
	};
}

/** Open the sides, measure them interleaved, close them all. */
async function interleaved(open: ReadonlyArray<() => Promise<Side>>, total: number, warmup: number): Promise<number[][]> {
	const sides: Side[] = [];
	try {
		for (const make of open) {
			sides.push(await make());
		}

		return await measure(sides, total, warmup);
	} finally {
		for (const side of sides) {
			await side.close();
		}
	}
}

async function onCluster(total: number, warmup: number): Promise<NonNullable<LiveLatencyResult['cluster']>> {
	const cluster = await startTestCluster();
	try {
		const [raw, viaWatch] = await interleaved([async () => rawSide(cluster.url), async () => watchSide(cluster.url, false)], total, warmup);
		const r = figures(raw!);
		const w = figures(viaWatch!);
		return {raw_xread: r, watch: w, ratio_p99: Math.round((w.p99_ms / r.p99_ms) * 100) / 100};
	} finally {
		await cluster.stop();
	}
}

export async function benchLiveLatency(options: LiveLatencyOptions = {}): Promise<LiveLatencyResult> {
	const events = options.events ?? 2000;
	const warmup = options.warmup ?? 200;
	const server = options.redisUrl === undefined ? await startTestRedis() : undefined;
	const url = options.redisUrl ?? server!.url;
	try {
		const total = events + warmup;
		// Four sides, interleaved event by event: the bare hop, watch(), the store's write then the bare hop, EventWriter.write → watch().
		const [rawHop, viaWatch, storeThenHop, viaWriter] = await interleaved([async () => rawSide(url), async () => watchSide(url, false), async () => storeThenRawSide(url), async () => watchSide(url, true)], total, warmup);
		const raw = figures(rawHop!);
		const w = figures(viaWatch!);
		const rawWrite = figures(storeThenHop!);
		const viaWriterFigures = figures(viaWriter!);
		const cluster = options.redisUrl === undefined && clusterUnavailable() === undefined ? await onCluster(total, warmup) : undefined;
		return {
			cluster,
			events,
			raw_xread: raw,
			watch: w,
			write_to_watch: viaWriterFigures,
			raw_write: rawWrite,
			ratio_p50: Math.round((w.p50_ms / raw.p50_ms) * 100) / 100,
			ratio_p99: Math.round((w.p99_ms / raw.p99_ms) * 100) / 100,
		};
	} finally {
		await server?.stop();
	}
}

function row(name: string, f: LatencyFigures): string {
	return `${name.padEnd(26)} ${f.p50_ms.toFixed(3).padStart(8)} ${f.p99_ms.toFixed(3).padStart(8)} ${f.mean_ms.toFixed(3).padStart(8)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const events = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
	const result = await benchLiveLatency({events, redisUrl: process.env['REDIS_URL'] || undefined});
	process.stdout.write(
		[
			`live latency, ${result.events} events one at a time (ms)`,
			`${''.padEnd(26)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'mean'.padStart(8)}`,
			row('XADD -> raw XREAD BLOCK', result.raw_xread),
			row('XADD -> watch()', result.watch),
			row('write() -> watch()', result.write_to_watch),
			row('append+XADD -> raw XREAD', result.raw_write),
			`watch / raw: p50 x${result.ratio_p50}, p99 x${result.ratio_p99}`,
			'',
		].join('\n'),
	);
}
