import fs from 'node:fs';
import path from 'node:path';
import type {TraceEvent} from '../source/core/trace-event.js';
import {eventDigest} from '../source/store/event-digest.js';
import {openDatabase} from '../source/store/open-database.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import {skipped, type Figure} from './report.js';
import {nowMs, pct} from './stats.js';
import {startServe} from './serve-load.js';
import {REPO, datasetEvents, type Workspace} from './workspace.js';

interface EmitterLike {
	emit(event: TraceEvent): Promise<unknown>;
	close(): Promise<void>;
}

interface EmitterModule {
	TraceEmitter?: {open(options: {home: string; redisUrl?: string; endpoint?: string; warn?: (message: string) => void}): Promise<EmitterLike>};
}

/** Events in emission order, as a producer would write them one at a time. */
function emitStream(count: number): TraceEvent[] {
	const events: TraceEvent[] = [];
	for (let runs = 40; events.length < count; runs *= 2) {
		events.splice(0, events.length, ...datasetEvents(runs, 11));
	}

	return events.slice(0, count);
}

/** TraceEmitter is written concurrently by another engineer: measure it when it loads. */
async function loadEmitter(): Promise<EmitterModule | string> {
	if (!fs.existsSync(path.join(REPO, 'source/emit/emitter.ts'))) {
		return 'source/emit/emitter.ts not present';
	}

	try {
		return (await import('../source/emit/emitter.js')) as EmitterModule;
	} catch (error) {
		return `source/emit/emitter.ts does not load yet (${(error as Error).message.split('\n')[0]})`;
	}
}

export async function benchEmit(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const events = emitStream(config.emitEvents);
	const index = RunIndex.open(ws.dir('emit-index'));
	const raw = openDatabase(ws.dir('emit-raw'));
	const insert = raw.prepare('INSERT INTO events (trace_id, span_id, event_type, ts_ms, digest, body) VALUES (?, ?, ?, ?, ?, ?)');
	const rows = events.map(event => {
		const body = JSON.stringify(event);
		return [event.trace_id, event.span_id, event.event_type, Date.parse(event.timestamp), eventDigest(body), body] as const;
	});
	const appendSamples: number[] = [];
	const rawSamples: number[] = [];
	try {
		// Alternate the two writers event by event so both see the same machine noise.
		for (let i = 0; i < events.length; i++) {
			let start = nowMs();
			index.appendEvents([events[i]!]);
			appendSamples.push(nowMs() - start);
			start = nowMs();
			insert.run(...rows[i]!);
			rawSamples.push(nowMs() - start);
		}
	} finally {
		index.close();
		raw.close();
	}

	const baselineLabel = 'raw prepared INSERT per event, autocommit';
	const figures: Figure[] = [
		{id: 'emit.append_p50_ms', label: 'emit: appendEvents([event]) p50', unit: 'ms', value: pct(appendSamples, 50), baseline: pct(rawSamples, 50), baselineLabel, target: {kind: 'none'}, note: `${events.length} events of ${new Set(events.map(e => e.trace_id)).size} runs, one call each`},
		{id: 'emit.append_p99_ms', label: 'emit: appendEvents([event]) p99', unit: 'ms', value: pct(appendSamples, 99), baseline: pct(rawSamples, 99), baselineLabel, target: {kind: 'abs', op: '<=', limit: 1}},
	];

	const loaded = await loadEmitter();
	if (typeof loaded === 'string' || !loaded.TraceEmitter) {
		const reason = `skipped: ${typeof loaded === 'string' ? loaded : 'no TraceEmitter export'}`;
		figures.push(skipped('emit.emitter_p50_ms', 'emit: TraceEmitter.emit p50', reason), skipped('emit.emitter_p99_ms', 'emit: TraceEmitter.emit p99', reason, {kind: 'abs', op: '<=', limit: 1}));
		return figures;
	}

	// redisUrl '' keeps the emitter on SQLite alone even when TRACEDECK_REDIS_URL is set.
	const emitter = await loaded.TraceEmitter.open({home: ws.dir('emit-emitter'), redisUrl: ''});
	const emitSamples: number[] = [];
	try {
		for (const event of events) {
			const start = nowMs();
			await emitter.emit(event);
			emitSamples.push(nowMs() - start);
		}
	} finally {
		await emitter.close();
	}

	figures.push(
		{id: 'emit.emitter_p50_ms', label: 'emit: TraceEmitter.emit p50', unit: 'ms', value: pct(emitSamples, 50), baseline: pct(rawSamples, 50), baselineLabel, target: {kind: 'none'}, note: 'redaction + appendEvents + (no Redis)'},
		{id: 'emit.emitter_p99_ms', label: 'emit: TraceEmitter.emit p99', unit: 'ms', value: pct(emitSamples, 99), baseline: pct(rawSamples, 99), baselineLabel, target: {kind: 'abs', op: '<=', limit: 1}},
		...(await benchRemoteEmit(loaded.TraceEmitter, events, ws, pct(emitSamples, 99))),
	);
	return figures;
}

/** Events a producer emits between two turns of its event loop: sends and answers happen between bursts, as in a service. */
const BURST = 50;

/**
 * The emitter on TRACEDECK_ENDPOINT, to a real `tracedeck serve` (its own
 * process, SQLite home) on this machine: a producer that emits without
 * waiting for each event (batched, async). `call` is what emit() costs the
 * producer's event loop (redaction, the copy, queueing); `accepted` is from
 * the call to serve's 200 (the batch's wait, JSON, HTTP, serve's store).
 *
 * Target of `call` p99: at most the local SQLite emitter's p99 measured just
 * before (ratio ≤ 1). Sending elsewhere is for machines far from the index;
 * it must not cost a producer more per event than the embedded default,
 * whose synchronous transaction is the cost it replaces. It fails if the
 * sender serializes or spools on the caller's path. `accepted` has no
 * target: it is the batch's linger (20 ms) plus a round trip and serve's
 * transaction, a figure to watch, not a promise.
 */
async function benchRemoteEmit(open: NonNullable<EmitterModule['TraceEmitter']>, events: readonly TraceEvent[], ws: Workspace, localP99: number): Promise<Figure[]> {
	const {url, child} = await startServe(ws.dir('emit-serve'));
	const callSamples: number[] = [];
	const acceptedSamples: number[] = [];
	const warnings: string[] = [];
	try {
		const emitter = await open.open({home: ws.dir('emit-remote'), endpoint: url, warn: message => warnings.push(message)});
		const pending: Array<Promise<unknown>> = [];
		try {
			for (let i = 0; i < events.length; i++) {
				const start = nowMs();
				const accepted = emitter.emit(events[i]!);
				callSamples.push(nowMs() - start);
				pending.push(accepted.then(() => acceptedSamples.push(nowMs() - start)));
				if (i % BURST === BURST - 1) {
					await new Promise(resolve => setImmediate(resolve));
				}
			}

			await Promise.all(pending);
		} finally {
			await emitter.close();
		}
	} finally {
		child.kill('SIGTERM');
	}

	if (warnings.length > 0) {
		throw new Error(`the remote emitter did not deliver everything: ${warnings[0]}`);
	}

	const baselineLabel = 'TraceEmitter.emit p99 on local SQLite, same run';
	const note = `${events.length} events, ${BURST} per event-loop turn, to tracedeck serve on this machine`;
	return [
		{id: 'emit.remote_call_p99_ms', label: 'emit: TraceEmitter.emit p99 with TRACEDECK_ENDPOINT (batched, async), the call', unit: 'ms', value: pct(callSamples, 99), baseline: localP99, baselineLabel, target: {kind: 'ratio', op: '<=', limit: 1}, note},
		{id: 'emit.remote_accepted_p99_ms', label: "emit: TraceEmitter.emit p99 with TRACEDECK_ENDPOINT, call to serve's 200", unit: 'ms', value: pct(acceptedSamples, 99), baseline: localP99, baselineLabel, target: {kind: 'none'}, note},
	];
}
