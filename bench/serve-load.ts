import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import Database from 'better-sqlite3';
import type {OtlpTracesJson} from '../source/interop/otlp-json.js';
import {encodeExportTraceRequest} from '../source/interop/otlp-protobuf.js';
import * as migrations from '../source/store/migrations.js';
import {openDatabase} from '../source/store/open-database.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {sendFrom, WARMUP_BATCHES, type ClientJob} from './otlp-throughput.js';
import {nowMs, pct} from './stats.js';
import {BIN, countRows, storedColumns, type Workspace} from './workspace.js';

/*
 * serve under load: 8 keep-alive clients post small exports (10 spans) to a
 * real `tracedeck serve` (dist) while one client posts one export of
 * config.bigSpans spans (100k). The p99 latency of the small posts is set
 * beside the p99 of the same clients with no big post running (the
 * baseline, same run, same server). Target: p99 under load ≤ baseline +
 * 250 ms. Why 250: the big export is stored in parts of PART_EVENTS events,
 * each holding the event loop ~100-150 ms on this 2-core box (decode and
 * convert slices ~45 ms), so a small post waits at most about one part; 250
 * leaves room for the final run summary of the big trace (~1 s, once: one
 * small post per client, under 1 % of them) and machine noise. Before
 * parts, the same post froze serve for 10-18 s.
 */

const CLIENTS = 8;
const SMALL_SPANS = 10;
const ADDED_P99_LIMIT_MS = 250;
const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
const T0 = Date.parse('2026-01-15T12:00:00.000Z');
const nanos = (ms: number): string => `${BigInt(T0 + ms) * 1_000_000n}`;

function traceDocument(traceId: string, runId: string, spans: number): OtlpTracesJson {
	const list: Array<Record<string, unknown>> = [];
	for (let i = 1; i < spans; i++) {
		list.push({traceId, spanId: hex16(i + 1), parentSpanId: hex16(1), name: `step ${i % 50}`, startTimeUnixNano: nanos(i), endTimeUnixNano: nanos(i + 1), attributes: [{key: 'exit_code', value: {intValue: '0'}}]});
	}

	list.push({traceId, spanId: hex16(1), name: 'load', startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(spans + 1)});
	return {
		resourceSpans: [
			{
				resource: {
					attributes: [
						{key: 'devcmd.run_id', value: {stringValue: runId}},
						{key: 'service.name', value: {stringValue: 'bench'}},
					],
				},
				scopeSpans: [{spans: list as never}],
			},
		],
	};
}

function post(url: string, body: Uint8Array, agent?: http.Agent): Promise<number> {
	return new Promise(resolve => {
		const request = http.request(`${url}/v1/traces`, {method: 'POST', agent, headers: {'Content-Type': 'application/x-protobuf', 'Content-Length': body.length}}, response => {
			response.resume();
			response.on('end', () => resolve(response.statusCode ?? 0));
		});
		// A reset or refused connection is a lost request: status 0.
		request.once('error', () => resolve(0));
		request.end(body);
	});
}

/** `tracedeck serve` (the built CLI) on free ports over `home`, once it listens. */
export async function startServe(home: string, options: {grpc?: boolean} = {}): Promise<{url: string; grpc: string; child: ChildProcess}> {
	// --grpc-port 0 turns gRPC off, so a free port is found here when it is wanted.
	const grpcPort = options.grpc ? await freePort() : 0;
	const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--grpc-port', String(grpcPort), '--home', home], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, TRACEDECK_REDIS_URL: ''}});
	let text = '';
	const [url, grpc] = await new Promise<[string, string]>((resolve, reject) => {
		child.stderr!.on('data', chunk => {
			text += String(chunk);
			const match = /listening on (http:\/\/\S+)/.exec(text);
			const grpcMatch = /OTLP\/gRPC (?:listening on (\S+)|off)/.exec(text);
			if (match && grpcMatch) {
				resolve([match[1]!, grpcMatch[1] ?? '']);
			}
		});
		child.once('exit', () => reject(new Error(`serve exited: ${text}`)));
	});
	return {url, grpc, child};
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

interface Phase {
	latencies: number[];
	failed: number;
	sent: number;
}

/** CLIENTS loops posting small exports until `until` resolves; each its own keep-alive connection. */
async function smallClients(url: string, phase: 'base' | 'load', until: Promise<unknown>): Promise<Phase> {
	let done = false;
	void until.finally(() => {
		done = true;
	});
	const result: Phase = {latencies: [], failed: 0, sent: 0};
	await Promise.all(
		Array.from({length: CLIENTS}, async (_, c) => {
			const agent = new http.Agent({keepAlive: true, maxSockets: 1});
			for (let n = 0; !done; n++) {
				// A trace of its own per post, in either phase.
				const traceId = `${hex16((phase === 'base' ? 0x100 : 0x200) + c)}${hex16(n + 1)}`;
				const body = encodeExportTraceRequest(traceDocument(traceId, `run-${phase}-${c}-${n}`, SMALL_SPANS));
				const start = nowMs();
				const status = await post(url, body, agent);
				result.sent++;
				if (status === 200) {
					result.latencies.push(nowMs() - start);
				} else {
					result.failed++;
				}
			}

			agent.destroy();
		}),
	);
	return result;
}

export async function benchServeLoad(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const throughput = await benchServeThroughput(config, ws);
	return [...(await benchBigPost(config, ws)), ...throughput];
}

async function benchBigPost(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const home = ws.dir('serve-load');
	const bigTraceId = 'b16b16b16b16b16b16b16b16b16b16b1';
	const big = encodeExportTraceRequest(traceDocument(bigTraceId, 'run-big', config.bigSpans));
	const {url, child} = await startServe(home);
	let baseline: Phase;
	let loaded: Phase;
	let bigStatus = 0;
	let bigMs = 0;
	try {
		// The baseline runs as long as the big post will, roughly: 3 s quick, 10 s full.
		baseline = await smallClients(url, 'base', new Promise(resolve => setTimeout(resolve, config.quick ? 3000 : 10_000)));
		const start = nowMs();
		const bigPost = post(url, big).then(status => {
			bigStatus = status;
			bigMs = nowMs() - start;
		});
		loaded = await smallClients(url, 'load', bigPost);
	} finally {
		child.kill('SIGTERM');
		await new Promise(resolve => child.once('exit', resolve));
	}

	// Lost: answered with anything but 200, or answered 200 and not stored.
	const index = RunIndex.open(home, {readonly: true});
	let storedSmall: number;
	let storedBig: number;
	try {
		storedSmall = index.db.prepare(`SELECT count(*) FROM spans WHERE trace_id <> ?`).pluck().get(bigTraceId) as number;
		storedBig = index.db.prepare('SELECT count(*) FROM spans WHERE trace_id = ?').pluck().get(bigTraceId) as number;
	} finally {
		index.close();
	}

	const answeredSmall = baseline.latencies.length + loaded.latencies.length;
	const lost = baseline.failed + loaded.failed + (bigStatus === 200 ? 0 : 1) + Math.max(0, answeredSmall - storedSmall / SMALL_SPANS) + (bigStatus === 200 && storedBig !== config.bigSpans ? 1 : 0);
	const base99 = pct(baseline.latencies, 99);
	const load99 = pct(loaded.latencies, 99);
	const sizes = `${CLIENTS} clients × ${SMALL_SPANS}-span posts; big post ${config.bigSpans} spans (${(big.length / 1e6).toFixed(1)} MB protobuf) stored in ${(bigMs / 1000).toFixed(1)} s`;
	return [
		{
			id: 'serve_load.small_p99_ms',
			label: `serve: small-post p99 while ${config.bigSpans / 1000}k spans are stored`,
			unit: 'ms',
			value: load99,
			baseline: base99,
			baselineLabel: 'same posts, no big post',
			target: {kind: 'abs', op: '<=', limit: base99 + ADDED_P99_LIMIT_MS},
			note: `≤ baseline + ${ADDED_P99_LIMIT_MS} ms; ${sizes}; ${loaded.latencies.length} small posts under load (max ${Math.max(...loaded.latencies).toFixed(0)} ms), ${baseline.latencies.length} without`,
		},
		{
			id: 'serve_load.requests_lost',
			label: 'serve: requests lost under load',
			unit: 'requests',
			value: lost,
			baseline: null,
			baselineLabel: '',
			target: {kind: 'abs', op: '<=', limit: 0},
			note: `${baseline.sent + loaded.sent + 1} requests; a request is lost when it is not answered 200 or its spans are not all stored`,
		},
	];
}

/*
 * serve's throughput: 8 concurrent senders (a worker thread, otlp-clients.mjs)
 * post exports of 100 spans, 10 per trace, to a real `tracedeck serve` over
 * OTLP/HTTP protobuf and over OTLP/gRPC, beside bench/bare-insert-server.mjs:
 * the same decoder, then the rows serve stored for the same exports (its
 * events, spans and runs, read back from its home) inserted raw into the
 * same schema with serve's group commit, committed before answering,
 * nothing else. Each round runs both on fresh files, one right after the
 * other (serve first in the first round, whose stored rows every bare round
 * inserts; the bare server first in every other round); a figure is the
 * round with the median ratio. Every 200 is checked stored, on both sides.
 * Targets:
 * - stored spans/s >= 0.7x the bare server's;
 * - the p99 round trip at full throughput <= 1.5x the bare server's: 8
 *   senders posting back to back keep 8 exports in flight, so the mean round
 *   trip is 8 x 100 spans / throughput (Little's law) for any server, the
 *   floor included (~120 ms at its ~7,000 spans/s here): no server meets a
 *   fixed 50 ms there. 1.5x is what 0.7x the throughput costs (1/0.7 = 1.43)
 *   and a little more;
 * - the p99 round trip <= 50 ms when the same senders post on a timer, as
 *   SDK exporters do, at half the throughput serve reached in this run: the
 *   latency an exporter sees from a receiver with room to spare.
 */
const THROUGHPUT_SHARE = 0.7;
const SATURATED_P99_RATIO = 1.5;
const PACED_P99_MS = 50;
const PACED_SHARE = 0.5;
const PACED_EXPORTS = 40;
const THROUGHPUT_SPANS_PER_BATCH = 100;

type Row = Record<string, unknown>;

/**
 * serve's stored rows by trace, as bare-insert-server.mjs takes them: the
 * stored columns only (generated ones come from the body and take no
 * insert), events without their id (the bare store numbers its own), in
 * stored order.
 */
function writeReadyRows(home: string, file: string): void {
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		const columns = (table: string): string[] => storedColumns(db, table).filter(name => !(table === 'events' && name === 'id'));
		const [eventColumns, spanColumns, runColumns] = [columns('events'), columns('spans'), columns('runs')];
		const traces = new Map<string, {events: unknown[][]; spans: unknown[][]; runs: unknown[][]}>();
		const of = (traceId: string) => {
			let rows = traces.get(traceId);
			if (!rows) {
				rows = {events: [], spans: [], runs: []};
				traces.set(traceId, rows);
			}

			return rows;
		};

		const read = (sql: string, into: 'events' | 'spans' | 'runs'): void => {
			for (const row of db.prepare(sql).all() as Row[]) {
				of(row['trace_id'] as string)[into].push(Object.values(row));
			}
		};

		read(`SELECT ${eventColumns.join(', ')} FROM events ORDER BY id`, 'events');
		read(`SELECT ${spanColumns.join(', ')} FROM spans`, 'spans');
		read(`SELECT ${runColumns.join(', ')} FROM runs`, 'runs');
		fs.writeFileSync(file, v8.serialize({eventColumns, spanColumns, runColumns, traces: [...traces]}));
	} finally {
		db.close();
	}
}

async function startBare(file: string, readyRows: string): Promise<{http: string; grpc: string; child: ChildProcess}> {
	const child = spawn(process.execPath, [new URL('bare-insert-server.mjs', import.meta.url).pathname, file, readyRows], {stdio: ['ignore', 'pipe', 'inherit']});
	let text = '';
	const [url, grpc] = await new Promise<[string, string]>((resolve, reject) => {
		child.stdout!.on('data', chunk => {
			text += String(chunk);
			const match = /listening (\S+) (\S+)/.exec(text);
			if (match) {
				resolve([match[1]!, match[2]!]);
			}
		});
		child.once('exit', () => reject(new Error(`bare insert server exited: ${text}`)));
	});
	return {http: url, grpc, child};
}

async function stop(child: ChildProcess): Promise<void> {
	const exited = new Promise(resolve => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
}

/**
 * The senders' exports to one server, which is stopped afterwards whatever
 * happens. Every call sends the same exports (same ids): each server has a
 * home of its own, and the bare server's rows are serve's for these ids.
 */
async function timedSends(server: ChildProcess, transport: 'http' | 'grpc', address: string, batches: number, intervalMs?: number): Promise<{spansPerS: number; p99Ms: number; sent: number}> {
	const job: ClientJob = {transport, address, clients: CLIENTS, batchesPerClient: batches, spansPerBatch: THROUGHPUT_SPANS_PER_BATCH, idPrefix: 'd0', intervalMs, warmupBatches: WARMUP_BATCHES};
	let result;
	try {
		result = await sendFrom(job);
	} finally {
		await stop(server);
	}

	if (result.failures > 0) {
		throw new Error(`${transport}: ${result.failures} of ${result.requests} exports failed, first: ${result.firstFailure ?? '?'}`);
	}

	const timed = result.requests * THROUGHPUT_SPANS_PER_BATCH;
	return {spansPerS: timed / (result.elapsedMs / 1000), p99Ms: result.p99Ms, sent: timed + CLIENTS * WARMUP_BATCHES * THROUGHPUT_SPANS_PER_BATCH};
}

/** One round of the throughput figures: serve and the bare server on the same exports, one right after the other. */
interface Pair {
	serve: number;
	bare: number;
	serveP99: number;
	bareP99: number;
	bareFirst: boolean;
}

/** The pair in the middle by `ratio` (the lower middle of an even count): its two sides are the figure's value and baseline. */
function medianPair(pairs: readonly Pair[], ratio: (pair: Pair) => number): Pair {
	return [...pairs].sort((a, b) => ratio(a) - ratio(b))[Math.floor((pairs.length - 1) / 2)]!;
}

export async function benchServeThroughput(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const batches = config.quick ? 15 : 40;
	// Rounds per transport, each restarting both servers, paired: 4 in the full run (each side first in
	// two), 1 in the quick smoke run (time budget, issue 20). The figure is the round whose ratio is the
	// median (the lower of the middle two): this shared machine drifts by a third within a minute (one
	// run's bare server did 17,300 and 21,700 spans/s beside 11,000-14,000 in the others), and the best of
	// each side alone paired serve's slow moment with the bare server's fast one.
	const rounds = config.quick ? 1 : 4;
	const figures: Figure[] = [];
	for (const transport of ['http', 'grpc'] as const) {
		const pairs: Pair[] = [];
		// The rows serve stored in the first round, for every bare round: each round sends the same exports (same ids).
		let readyRows: string | undefined;
		let storedSpans = 0;
		for (let r = 0; r < rounds; r++) {
			const measureServe = async (): Promise<{spansPerS: number; p99Ms: number}> => {
				const home = ws.dir(`serve-throughput-${transport}-${r}`);
				const serve = await startServe(home, {grpc: true});
				const result = await timedSends(serve.child, transport, transport === 'http' ? serve.url : serve.grpc, batches);
				const stored = countRows(home).spans;
				if (stored !== result.sent) {
					throw new Error(`serve ${transport}: ${result.sent} spans answered 200, ${stored} stored`);
				}

				if (readyRows === undefined) {
					readyRows = path.join(ws.dir(`ready-rows-${transport}`), 'ready-rows.v8');
					writeReadyRows(home, readyRows);
					storedSpans = stored;
				}

				return result;
			};

			// The same exports to the bare server, which inserts the rows serve stored for them.
			const measureBare = async (): Promise<{spansPerS: number; p99Ms: number}> => {
				const bareDir = ws.dir(`bare-${transport}-${r}`);
				openDatabase(bareDir, {}, migrations).close();
				const bareServer = await startBare(path.join(bareDir, 'runs.db'), readyRows!);
				const result = await timedSends(bareServer.child, transport, transport === 'http' ? bareServer.http : bareServer.grpc, batches);
				const bareStored = countRows(bareDir).spans;
				if (bareStored !== storedSpans) {
					throw new Error(`bare ${transport}: ${bareStored} spans stored, serve stored ${storedSpans}`);
				}

				return result;
			};

			// Every other round the bare server goes first, so that neither side always has the later moment.
			const bareFirst = r % 2 === 1;
			const first = bareFirst ? await measureBare() : await measureServe();
			const second = bareFirst ? await measureServe() : await measureBare();
			const [served, bare] = bareFirst ? [second, first] : [first, second];
			pairs.push({serve: served.spansPerS, bare: bare.spansPerS, serveP99: served.p99Ms, bareP99: bare.p99Ms, bareFirst});
		}

		const throughput = medianPair(pairs, pair => pair.serve / pair.bare);
		const latency = medianPair(pairs, pair => pair.serveP99 / pair.bareP99);
		// Paced: the senders post one export each per interval, at half the throughput serve reached above
		// (the figure's, not the best round's: a fast moment of the machine set a pace its slow ones could not keep).
		const pacedSpansPerS = PACED_SHARE * throughput.serve;
		const intervalMs = (CLIENTS * THROUGHPUT_SPANS_PER_BATCH * 1000) / pacedSpansPerS;
		const pacedHome = ws.dir(`serve-paced-${transport}`);
		const pacedServe = await startServe(pacedHome, {grpc: true});
		const paced = await timedSends(pacedServe.child, transport, transport === 'http' ? pacedServe.url : pacedServe.grpc, PACED_EXPORTS, intervalMs);
		if (countRows(pacedHome).spans !== paced.sent) {
			throw new Error(`serve ${transport} paced: ${paced.sent} spans answered 200, ${countRows(pacedHome).spans} stored`);
		}

		const name = transport === 'http' ? 'OTLP/HTTP protobuf' : 'OTLP/gRPC';
		const seen = pairs.map(pair => `${pair.bareFirst ? 'bare, serve' : 'serve, bare'}: ${pair.serve.toFixed(0)} / ${pair.bare.toFixed(0)} spans/s, p99 ${pair.serveP99.toFixed(0)} / ${pair.bareP99.toFixed(0)} ms`).join('; ');
		const sizes = `${CLIENTS} senders × ${batches} exports of ${THROUGHPUT_SPANS_PER_BATCH} spans (10 per trace), back to back; ${rounds} paired rounds, the bare server first in every other one, the round with the median ratio shown (serve / bare: ${seen})`;
		figures.push(
			{
				id: `serve_load.${transport}_stored_spans_per_s`,
				label: `serve: ${name} spans stored, ${CLIENTS} clients`,
				unit: 'spans/s',
				value: throughput.serve,
				baseline: throughput.bare,
				baselineLabel: 'bare server inserting the rows serve stored, raw, group commit',
				target: {kind: 'ratio', op: '>=', limit: THROUGHPUT_SHARE},
				note: sizes,
			},
			{
				id: `serve_load.${transport}_throughput_p99_ms`,
				label: `serve: ${name} export p99 at full throughput`,
				unit: 'ms',
				value: latency.serveP99,
				baseline: latency.bareP99,
				baselineLabel: 'the bare server, same senders',
				target: {kind: 'ratio', op: '<=', limit: SATURATED_P99_RATIO},
				note: `the round with the median p99 ratio; ${sizes}`,
			},
			{
				id: `serve_load.${transport}_paced_p99_ms`,
				label: `serve: ${name} export p99 at half throughput`,
				unit: 'ms',
				value: paced.p99Ms,
				baseline: null,
				baselineLabel: '',
				target: {kind: 'abs', op: '<=', limit: PACED_P99_MS},
				note: `${CLIENTS} senders × ${PACED_EXPORTS} exports of ${THROUGHPUT_SPANS_PER_BATCH} spans, each sender one export per ${intervalMs.toFixed(0)} ms (staggered): ${paced.spansPerS.toFixed(0)} spans/s offered and stored`,
			},
		);
	}

	return figures;
}
