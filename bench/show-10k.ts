import path from 'node:path';
import Database from 'better-sqlite3';
import {buildRunReport} from '../source/core/run-report.js';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {BARE_SHOW, bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians, nowMs} from './stats.js';
import {bigTraceHome, type Workspace} from './workspace.js';

/** What `runs show --json` does in its process, minus argument parsing: open, resolve, read, analyze, print-ready JSON. */
function showInProcess(home: string, runId: string): number {
	const start = nowMs();
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(runId);
		const report = buildRunReport(run, index.spans(run.trace_id), Date.now());
		JSON.stringify(report, null, 2);
	} finally {
		index.close();
	}

	return nowMs() - start;
}

/** The floor for the same document: read the span rows, parse them, serialize them. */
function rawInProcess(home: string, runId: string): number {
	const start = nowMs();
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	try {
		const run = JSON.parse(db.prepare('SELECT body FROM runs WHERE run_id = ?').pluck().get(runId) as string) as {trace_id: string};
		const spans = (db.prepare('SELECT body FROM spans WHERE trace_id = ?').pluck().all(run.trace_id) as string[]).map(body => JSON.parse(body) as unknown);
		JSON.stringify({run, spans}, null, 2);
	} finally {
		db.close();
	}

	return nowMs() - start;
}

export async function benchShow10k(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const trace = bigTraceHome(ws, config.showSpans);
	const inProcess = await interleavedMedians(
		config.repeats,
		2,
		() => showInProcess(trace.home, trace.runId),
		() => rawInProcess(trace.home, trace.runId),
	);
	const db = path.join(trace.home, 'runs.db');
	const wall = await interleavedMedians(
		config.spawns,
		2,
		() => tracedeckMs(trace.home, ['runs', 'show', trace.runId, '--json']).ms,
		() => bareNodeMs(db, BARE_SHOW, {RUN: trace.runId}).ms,
	);
	const size = `${trace.spans} spans`;
	return [
		{
			id: 'show10k.in_process_ms',
			label: `runs show --json ${size} in-process`,
			unit: 'ms',
			value: inProcess.a,
			baseline: inProcess.b,
			baselineLabel: 'raw SELECT + JSON.parse + stringify',
			target: {kind: 'abs', op: '<=', limit: 100},
			note: `open + resolveRun + spans + buildRunReport + JSON.stringify, median of ${config.repeats}`,
		},
		{id: 'show10k.wall_ms', label: `runs show --json ${size} (wall)`, unit: 'ms', value: wall.a, baseline: wall.b, baselineLabel: 'node -e: better-sqlite3 same reads', target: {kind: 'abs', op: '<=', limit: 100}, note: `median of ${config.spawns} spawns each`},
	];
}
