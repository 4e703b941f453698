import fs from 'node:fs';
import path from 'node:path';
import type {TraceEvent} from '../source/core/trace-event.js';
import {eventDigest} from '../source/store/event-digest.js';
import {openDatabase} from '../source/store/open-database.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import {skipped, type Figure} from './report.js';
import {nowMs, pct} from './stats.js';
import {REPO, datasetEvents, type Workspace} from './workspace.js';

interface EmitterLike {
	emit(event: TraceEvent): Promise<unknown>;
	close(): Promise<void>;
}

interface EmitterModule {
	TraceEmitter?: {open(options: {home: string; redisUrl?: string}): Promise<EmitterLike>};
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
	);
	return figures;
}
