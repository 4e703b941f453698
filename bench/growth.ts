import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {buildRunReport} from '../source/core/run-report.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import {millionRunHome} from './million-runs.js';
import type {Figure} from './report.js';
import {bigTraceHome, cachedHome, datasetEvents, REPO, type Workspace} from './workspace.js';

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
 * Ingest runs each size in a child process of its own (ingest-child.mjs),
 * timed there, so that its peak RSS can be read too: at 1M events against
 * 100k, it says whether memory grows with the file (issue 20).
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
		// In slices: a million events as one string is some 270 MB.
		const fd = fs.openSync(path.join(dir, 'events.jsonl'), 'w');
		try {
			for (let i = 0; i < list.length; i += 10_000) {
				fs.writeSync(
					fd,
					`${list
						.slice(i, i + 10_000)
						.map(event => JSON.stringify(event))
						.join('\n')}\n`,
				);
			}
		} finally {
			fs.closeSync(fd);
		}

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

interface IngestSample extends Sample {
	peakBytes: number;
}

/** `tracedeck ingest`'s work on `file` into a fresh copy of `template`, in a child process (ingest-child.mjs), after a warm-up on `warmFile`. */
function ingestInChild(file: string, events: number, ws: Workspace, template: string, warmFile: string): IngestSample {
	const home = path.join(ws.root, 'growth-ingest-home');
	const warmHome = path.join(ws.root, 'growth-ingest-warm');
	emptyHome(template, home);
	emptyHome(template, warmHome);
	const result = spawnSync(process.execPath, [path.join(REPO, 'bench/ingest-child.mjs'), file, home, warmFile, warmHome], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'}, maxBuffer: 16 * 1024 * 1024});
	fs.rmSync(home, {recursive: true, force: true});
	fs.rmSync(warmHome, {recursive: true, force: true});
	if (result.status !== 0) {
		throw new Error(`ingest-child failed: ${result.stderr.slice(0, 500)}`);
	}

	const out = JSON.parse(result.stdout) as {cpuMs: number; wallMs: number; peakBytes: number; inserted: number};
	if (out.inserted !== events) {
		throw new Error(`ingest-child stored ${out.inserted} of ${events} events`);
	}

	return {n: events, cpuMs: out.cpuMs, wallMs: out.wallMs, peakBytes: out.peakBytes};
}

/** Median CPU of `repeats` children (each warmed up in itself), and the highest peak RSS of them. */
function ingestTimed(file: string, events: number, repeats: number, run: (file: string, events: number) => IngestSample): IngestSample {
	const runs = Array.from({length: repeats}, () => run(file, events)).sort((a, b) => a.cpuMs - b.cpuMs);
	const middle = runs[Math.floor((runs.length - 1) / 2)]!;
	return {...middle, peakBytes: Math.max(...runs.map(one => one.peakBytes)), runs: repeats === 1 ? '1 child, warmed up' : `median of ${repeats} children, each warmed up`};
}

function sizesFromEnv(name: string, fallback: number[]): number[] {
	const raw = process.env[name];
	return raw ? raw.split(',').map(part => Number(part.replace(/_/g, ''))) : fallback;
}

export async function benchGrowth(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const showSizes = sizesFromEnv('BENCH_GROWTH_SHOW', config.quick ? [1000, 10_000, 20_000] : [1000, 10_000, 100_000]);
	const listSizes = sizesFromEnv('BENCH_GROWTH_LIST', config.quick ? [5000, 20_000, 50_000] : [10_000, 100_000, 1_000_000]);
	// A million: ingest streams a JSON Lines file into its transaction, so its memory does not hold the file (issue 20).
	const ingestSizes = sizesFromEnv('BENCH_GROWTH_INGEST', config.quick ? [2000, 5000, 20_000] : [10_000, 100_000, 1_000_000]);

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
	const warmFile = ingestFile(ws, ingestSizes[0]!).file;
	const ingest = ingestSizes.map(events => {
		const input = ingestFile(ws, events);
		// The smallest three times (a child's cost there is a fraction of a second); 100k events or more once: time budget, issue 20.
		return ingestTimed(input.file, input.events, events >= 100_000 ? 1 : 3, (file, n) => ingestInChild(file, n, ws, template, warmFile));
	});
	const peakOf = (sample: IngestSample): string => `${fmt(sample.n)}: ${(sample.peakBytes / 1e6).toFixed(0)} MB`;
	const [rssBase, rssTop] = [ingest.at(-2)!, ingest.at(-1)!];

	return [
		growthFigure('growth.show_per_span_us', 'growth: runs show in-process, per span', 'µs/span', show, 1000),
		growthFigure('growth.list_first_page_per_run_ns', 'growth: runs list first page, per run stored', 'ns/run', list, 1e6),
		growthFigure('growth.ingest_per_event_us', 'growth: ingest (read, check, store) per event', 'µs/event', ingest, 1000),
		{
			id: 'growth.ingest_peak_rss_mb',
			label: `growth: ingest peak RSS, ${fmt(rssBase.n)} → ${fmt(rssTop.n)} events`,
			unit: 'MB',
			value: rssTop.peakBytes / 1e6,
			baseline: rssBase.peakBytes / 1e6,
			baselineLabel: `peak at ${fmt(rssBase.n)}`,
			// Ten times the file: a peak that followed the file would be ~10x (it was 6.5x, 0.43 -> 2.76 GB, read whole).
			// What is left grows with the distinct events (their identities' counts, ~80 B each) and V8's heap slack.
			target: {kind: 'ratio', op: '<=', limit: 3},
			note: `peak RSS of the ingest child (VmHWM): ${ingest.map(peakOf).join(', ')}; JSON Lines read and stored in parts of 10,000 events in one transaction`,
		},
	];
}
