import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians, median} from './stats.js';
import {BIN, REPO, bigTraceHome, type TraceHome, type Workspace} from './workspace.js';

const MB = 1024 * 1024;

/**
 * The floor for `runs show <run> --json` (issue 20): the same process start,
 * better-sqlite3 open and the same SELECTs the command runs for a stored,
 * finished run (the run by id or trace id, its spans in key order, its log
 * records whose span never arrived), every row parsed, and the one document
 * they make printed as the command prints it (indented, one write). No tree,
 * no analysis: what is left over the floor is the report's own cost.
 * PRINT=0 stops after the parse: the peak of the rows alone.
 */
export const BARE_SHOW_RUN = `const D = require('better-sqlite3');
const db = new D(process.env.DB, {readonly: true});
const ref = process.env.RUN;
const run = JSON.parse(db.prepare('SELECT body FROM runs WHERE run_id = ? OR trace_id = ?').pluck().get(ref, ref));
const spans = db.prepare('SELECT body FROM spans WHERE trace_id = ? ORDER BY span_id').pluck().all(run.trace_id).map(b => JSON.parse(b));
const logs = db.prepare("SELECT e.span_id, e.body FROM events e WHERE e.trace_id = ? AND e.event_type = 'log:record' AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = e.trace_id AND s.span_id = e.span_id) ORDER BY e.id").all(run.trace_id).map(r => JSON.parse(r.body));
if (process.env.PRINT !== '0') process.stdout.write(JSON.stringify({run, spans, logs}, null, 2) + '\\n');`;

/** Peak RSS (VmHWM) of a node process, through bench/peak-rss.cjs, so the measured command is unchanged. */
function peakOf(args: readonly string[], env: NodeJS.ProcessEnv, file: string): number {
	const result = spawnSync(process.execPath, ['--require', path.join(REPO, 'bench/peak-rss.cjs'), ...args], {
		cwd: REPO,
		encoding: 'utf8',
		maxBuffer: 1 << 30,
		env: {...process.env, NO_COLOR: '1', PEAK_RSS_FILE: file, ...env},
	});
	if (result.status !== 0) {
		throw new Error(`${args.join(' ').slice(0, 80)} exited ${result.status ?? result.signal}: ${result.stderr.slice(0, 500)}`);
	}

	return Number(fs.readFileSync(file, 'utf8'));
}

interface Measured {
	trace: TraceHome;
	wall: {a: number; b: number};
	/** Peak RSS in MB: the command, the bare script's rows alone, the bare script printing them. */
	rss: {a: number; rows: number; printed: number | null};
}

async function measure(config: BenchConfig, ws: Workspace, spans: number, rssRuns: number): Promise<Measured> {
	const trace = bigTraceHome(ws, spans);
	const db = path.join(trace.home, 'runs.db');
	const args = ['runs', 'show', trace.runId, '--json'];
	const bareEnv = {RUN: trace.runId};
	// Cold processes, paired: each tracedeck spawn beside a bare one, so load on the shared machine hits both alike.
	const wall = await interleavedMedians(
		config.spawns,
		config.quick ? 1 : 2,
		() => tracedeckMs(trace.home, args).ms,
		() => bareNodeMs(db, BARE_SHOW_RUN, bareEnv).ms,
	);
	const file = path.join(ws.dir('show10k'), 'peak');
	const a: number[] = [];
	const rows: number[] = [];
	const printed: number[] = [];
	for (let i = 0; i < rssRuns; i++) {
		a.push(peakOf([BIN, ...args], {TRACEDECK_HOME: trace.home, TRACEDECK_REDIS_URL: ''}, file));
		rows.push(peakOf(['-e', BARE_SHOW_RUN], {DB: db, ...bareEnv, PRINT: '0'}, file));
		if (!config.quick) {
			printed.push(peakOf(['-e', BARE_SHOW_RUN], {DB: db, ...bareEnv}, file));
		}
	}

	return {trace, wall, rss: {a: median(a) / MB, rows: median(rows) / MB, printed: printed.length === 0 ? null : median(printed) / MB}};
}

/**
 * `runs show <run> --json` against its floor (BARE_SHOW_RUN), issue 20
 * target 1: cold-process wall at 10k spans (showSpans) and at the big
 * trace (bigSpans, 100k; 20k under BENCH_QUICK), and the peak RSS of both
 * processes at each size.
 */
export async function benchShow10k(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const rssRuns = config.quick ? 1 : 3;
	const small = await measure(config, ws, config.showSpans, rssRuns);
	const big = await measure(config, ws, config.bigSpans, rssRuns);
	const wallLabel = 'node -e: better-sqlite3 open + the same SELECTs + JSON.stringify';
	const rssLabel = 'the same bare script, PRINT=0: raw rows parsed';
	const figures: Figure[] = [];
	for (const [suffix, m, limit] of [
		['', small, 1.3],
		['_big', big, 1.5],
	] as const) {
		const size = `${m.trace.spans.toLocaleString('en-US')} spans`;
		figures.push(
			{id: `show10k.wall${suffix}_ms`, label: `runs show --json, ${size} (cold wall)`, unit: 'ms', value: m.wall.a, baseline: m.wall.b, baselineLabel: wallLabel, target: {kind: 'ratio', op: '<=', limit}, note: `spawn to exit, stdout piped, medians of ${config.spawns} interleaved spawns each`},
			{
				id: `show10k.peak_rss${suffix}_mb`,
				label: `peak RSS, runs show --json, ${size}`,
				unit: 'MB',
				value: m.rss.a,
				baseline: m.rss.rows,
				baselineLabel: rssLabel,
				target: {kind: 'ratio', op: '<=', limit: 1.5},
				note: `VmHWM through bench/peak-rss.cjs, stdout piped, median of ${rssRuns} each; the bare script printing its document: ${m.rss.printed === null ? 'not measured under BENCH_QUICK' : `${m.rss.printed.toFixed(0)} MB`}`,
			},
		);
	}

	return figures;
}
