import path from 'node:path';
import type {BenchConfig} from './config.js';
import type {Figure} from './report.js';
import {BARE_RUNS_LIST, checkSameOutput} from './bare-list.js';
import {bareNodeMs, tracedeckMs} from './spawn-timed.js';
import {interleavedMedians} from './stats.js';
import {datasetEvents, fillHome, type Workspace} from './workspace.js';

/** The dataset home: the same runs the ingest figure stores (and builds, when it runs first). */
export async function datasetHome(config: BenchConfig, ws: Workspace): Promise<string> {
	return ws.home('dataset', home => {
		fillHome(home, datasetEvents(config.ingestRuns));
	});
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
	];
}
