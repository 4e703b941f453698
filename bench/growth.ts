import fs from 'node:fs';
import path from 'node:path';
import {buildRunReport} from '../source/core/run-report.js';
import {readTraceFile} from '../source/interop/input-files.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import {millionRunHome} from './million-runs.js';
import type {Figure} from './report.js';
import {bigTraceHome, cachedHome, datasetEvents, writeJsonl, type Workspace} from './workspace.js';

/*
 * How each cost grows with its input: `runs show` with the trace's spans,
 * the runs list's first page with the runs stored, `ingest` with the
 * events of the file. Each is timed at three sizes; the figure is the cost
 * per item at the largest beside the cost per item at the smallest (the
 * baseline), and it fails when the cost grew faster than n log n: per-item
 * ratio above log2(nmax)/log2(nmin) × 1.25. The note gives every size and
 * the exponent of time against n fitted on log-log (1 is linear).
 *
 * Times are CPU time of this process (user + system, process.cpuUsage):
 * the box is shared, and wall time at one size against wall time at
 * another, minutes apart, measures the neighbours. Wall times are in the note.
 */

interface Sample {
	n: number;
	cpuMs: number;
	wallMs: number;
	/** How many timed calls the median is of, for the note. */
	runs?: string;
}

function measure(fn: () => void): {cpuMs: number; wallMs: number} {
	const cpu = process.cpuUsage();
	const start = performance.now();
	fn();
	const wallMs = performance.now() - start;
	const used = process.cpuUsage(cpu);
	return {cpuMs: (used.user + used.system) / 1000, wallMs};
}

/** Median CPU (and its run's wall) of `repeats` calls after one untimed call. */
function timed(n: number, repeats: number, fn: () => void, warm = true, before: () => void = () => undefined): Sample {
	if (warm) {
		before();
		fn();
	}

	const runs = Array.from({length: repeats}, () => {
		before();
		return measure(fn);
	}).sort((a, b) => a.cpuMs - b.cpuMs);
	const middle = runs[Math.floor((runs.length - 1) / 2)]!;
	return {n, ...middle, runs: repeats === 1 ? `1 run${warm ? ' after a warm-up' : ', unwarmed'}` : `median of ${repeats}${warm ? ' after a warm-up' : ''}`};
}

/** The slope of log(time) against log(n), least squares. */
export function growthExponent(samples: readonly Sample[]): number {
	const xs = samples.map(s => Math.log(s.n));
	const ys = samples.map(s => Math.log(Math.max(s.cpuMs, 1e-6)));
	const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
	const my = ys.reduce((a, b) => a + b, 0) / ys.length;
	let num = 0;
	let den = 0;
	for (let i = 0; i < xs.length; i++) {
		num += (xs[i]! - mx) * (ys[i]! - my);
		den += (xs[i]! - mx) ** 2;
	}

	return den === 0 ? 0 : num / den;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function growthFigure(id: string, label: string, unit: string, samples: readonly Sample[], perUnitScale: number): Figure {
	const first = samples[0]!;
	const last = samples.at(-1)!;
	const perUnit = (s: Sample): number => (s.cpuMs / s.n) * perUnitScale;
	const limit = (Math.log2(last.n) / Math.log2(first.n)) * 1.25;
	const sizes = samples.map(s => `${fmt(s.n)}: ${s.cpuMs.toFixed(s.cpuMs < 10 ? 2 : 0)} ms CPU (${s.wallMs.toFixed(s.wallMs < 10 ? 2 : 0)} wall${s.runs ? `, ${s.runs}` : ''})`).join(', ');
	return {
		id,
		label: `${label}, ${fmt(first.n)} → ${fmt(last.n)}`,
		unit,
		value: perUnit(last),
		baseline: perUnit(first),
		baselineLabel: `per item at ${fmt(first.n)}`,
		target: {kind: 'ratio', op: '<=', limit: Number(limit.toFixed(2))},
		note: `${sizes}; exponent of CPU time vs n ${growthExponent(samples).toFixed(2)} (1 = linear); limit ${limit.toFixed(2)}× = log2(${fmt(last.n)})/log2(${fmt(first.n)}) × 1.25 (n log n with slack)`,
	};
}

/** `runs show --json`'s in-process work: open, resolve, read the spans, the report, its JSON. */
function showOnce(home: string, runId: string): void {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(runId);
		JSON.stringify(buildRunReport(run, index.spans(run.trace_id), Date.now()), null, 2);
	} finally {
		index.close();
	}
}

/** A JSON Lines file of about `events` dataset events, kept in the bench cache (a million takes a while to generate). */
function ingestFile(ws: Workspace, events: number): {file: string; events: number} {
	const {home, meta} = cachedHome(ws, `growth-ingest-${events}`, 'dataset seed 7, 46 events a run', dir => {
		const list = datasetEvents(Math.max(1, Math.round(events / 46)));
		writeJsonl(path.join(dir, 'events.jsonl'), list);
		return {events: list.length};
	});
	return {file: path.join(home, 'events.jsonl'), events: meta.events};
}

/** An empty index at `home`, a copy of `template`'s: made untimed, since creating the schema is a fixed cost that would weigh on the smallest size's cost per event and hide growth. */
function emptyHome(template: string, home: string): void {
	fs.rmSync(home, {recursive: true, force: true});
	fs.mkdirSync(home);
	fs.copyFileSync(path.join(template, 'runs.db'), path.join(home, 'runs.db'));
}

/** `tracedeck ingest`'s work in this process: read and check the whole file, store it in one transaction into an empty index. */
function ingestOnce(file: string, home: string): void {
	const {events} = readTraceFile(file);
	const index = RunIndex.open(home);
	try {
		index.appendEvents(events);
	} finally {
		index.close();
	}
}

function sizesFromEnv(name: string, fallback: number[]): number[] {
	const raw = process.env[name];
	return raw ? raw.split(',').map(part => Number(part.replace(/_/g, ''))) : fallback;
}

export async function benchGrowth(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const showSizes = sizesFromEnv('BENCH_GROWTH_SHOW', config.quick ? [1000, 10_000, 20_000] : [1000, 10_000, 100_000]);
	const listSizes = sizesFromEnv('BENCH_GROWTH_LIST', config.quick ? [5000, 20_000, 50_000] : [10_000, 100_000, 1_000_000]);
	// Not a million events: one file of them takes over a minute here and holds some 3 GB in one process.
	const ingestSizes = sizesFromEnv('BENCH_GROWTH_INGEST', config.quick ? [2000, 5000, 20_000] : [10_000, 100_000, 300_000]);

	const show = showSizes.map(spans => {
		const trace = bigTraceHome(ws, spans);
		return timed(trace.spans, spans >= 100_000 || config.quick ? 3 : 5, () => showOnce(trace.home, trace.runId));
	});

	const list = listSizes.map(runs => {
		const {home} = millionRunHome(ws, runs);
		const index = RunIndex.open(home, {readonly: true});
		try {
			// One call is a fraction of a millisecond: a batch of 50 per sample.
			const sample = timed(runs, 9, () => {
				for (let i = 0; i < 50; i++) {
					index.listRuns({limit: 50});
				}
			});
			return {...sample, cpuMs: sample.cpuMs / 50, wallMs: sample.wallMs / 50};
		} finally {
			index.close();
		}
	});

	const template = ws.dir('growth-ingest-template');
	RunIndex.open(template).close();
	const ingestHome = path.join(ws.root, 'growth-ingest-home');
	const ingest = ingestSizes.map((events, i) => {
		const input = ingestFile(ws, events);
		// The largest, and any of 100k events or more, once, unwarmed: they run long enough
		// to warm themselves (the 100k size had 1 + 3 runs; time budget, issue 20).
		const once = i === ingestSizes.length - 1 || events >= 100_000;
		return timed(
			input.events,
			once ? 1 : 3,
			() => ingestOnce(input.file, ingestHome),
			!once,
			() => emptyHome(template, ingestHome),
		);
	});
	fs.rmSync(ingestHome, {recursive: true, force: true});

	return [
		growthFigure('growth.show_per_span_us', 'growth: runs show in-process, per span', 'µs/span', show, 1000),
		growthFigure('growth.list_first_page_per_run_ns', 'growth: runs list first page, per run stored', 'ns/run', list, 1e6),
		growthFigure('growth.ingest_per_event_us', 'growth: ingest (read, check, store) per event', 'µs/event', ingest, 1000),
	];
}
