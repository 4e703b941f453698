import path from 'node:path';
import {RunIndex} from '../source/store/run-index.js';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {BARE_RUNS_LIST, checkSameOutput} from './bare-list.js';
import {BARE_SHOW, bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians} from './stats.js';
import {datasetEvents, fillHome, type Workspace} from './workspace.js';

/** The dataset home: the same runs the ingest figure stores (and builds, when it runs first). */
export async function datasetHome(config: BenchConfig, ws: Workspace): Promise<string> {
	return ws.home('dataset', home => {
		fillHome(home, datasetEvents(config.ingestRuns));
	});
}

/** The failed run with the most spans: what an on-call engineer opens first. */
function biggestFailedRun(home: string): {runId: string; spans: number} {
	const index = RunIndex.open(home, {readonly: true});
	try {
		const row = index.db
			.prepare(`SELECT r.run_id, count(*) AS n FROM runs r JOIN spans s ON s.trace_id = r.trace_id
			WHERE r.status = 'failed' GROUP BY r.trace_id ORDER BY n DESC LIMIT 1`)
			.get() as {run_id: string; n: number};
		return {runId: row.run_id, spans: row.n};
	} finally {
		index.close();
	}
}

export async function benchCliWall(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const home = await datasetHome(config, ws);
	const db = path.join(home, 'runs.db');
	checkSameOutput(home, db);
	const list = await interleavedMedians(
		config.spawns,
		2,
		() => tracedeckMs(home, ['runs', 'list', '--json']).ms,
		() => bareNodeMs(db, BARE_RUNS_LIST).ms,
	);
	const shown = biggestFailedRun(home);
	const show = await interleavedMedians(
		config.spawns,
		2,
		() => tracedeckMs(home, ['runs', 'show', shown.runId, '--json']).ms,
		() => bareNodeMs(db, BARE_SHOW, {RUN: shown.runId}).ms,
	);
	const baselineLabel = 'node -e: better-sqlite3 open + same reads';
	return [
		{
			id: 'cli.runs_list_json_ms',
			label: 'cli: runs list --json (wall)',
			unit: 'ms',
			value: list.a,
			baseline: list.b,
			baselineLabel: "node -e: better-sqlite3 open + runs list's reads (same bytes out)",
			target: {kind: 'ratio', op: '<=', limit: 1.4},
			note: `cold processes, interleaved, median of ${config.spawns} spawns each, ${config.ingestRuns} runs in the index, 50 listed`,
		},
		{id: 'cli.runs_show_json_ms', label: 'cli: runs show --json (wall)', unit: 'ms', value: show.a, baseline: show.b, baselineLabel, target: {kind: 'ratio', op: '<=', limit: 2}, note: `${shown.runId}, ${shown.spans} spans`},
	];
}
