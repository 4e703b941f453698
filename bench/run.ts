/**
 * `npm run bench`: every figure beside a baseline measured in the same run,
 * printed as a table and written to bench/results.json.
 *
 *   BENCH_QUICK=1         small sizes, a smoke run
 *   BENCH_ONLY=a,b        only these groups (see config.ts), e.g. console,trace-screen,rss or serve-load
 *   BENCH_NO_BUILD=1      skip `tsc` (the CLI figures run the compiled dist)
 *   BENCH_KEEP=1          keep the temp homes
 */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {benchCliWall} from './cli-wall.js';
import {GROUPS, loadConfig, type BenchConfig, type Group} from './config.js';
import {benchConsoleFrame} from './console-frame.js';
import {benchEmit} from './emit.js';
import {benchGrowth} from './growth.js';
import {benchIngest} from './ingest.js';
import {benchLive} from './live.js';
import {benchMillionRuns} from './million-runs.js';
import {benchOtlpThroughput} from './otlp-throughput.js';
import {benchPostgres} from './postgres.js';
import {environment, formatNotes, formatTable, judge, skipped, toResult, writeResults, type Figure} from './report.js';
import {benchRss} from './rss.js';
import {benchServeLoad} from './serve-load.js';
import {benchShow10k} from './show-10k.js';
import {nowMs} from './stats.js';
import {benchTraceScreen} from './trace-screen.js';
import {REPO, Workspace} from './workspace.js';

const BENCHES: Record<Group, (config: BenchConfig, ws: Workspace) => Promise<Figure[]>> = {
	ingest: benchIngest,
	emit: benchEmit,
	live: async config => benchLive(config),
	otlp: benchOtlpThroughput,
	cli: benchCliWall,
	show10k: benchShow10k,
	console: benchConsoleFrame,
	'trace-screen': benchTraceScreen,
	rss: benchRss,
	million: benchMillionRuns,
	'serve-load': benchServeLoad,
	postgres: async config => benchPostgres(config),
	growth: benchGrowth,
};

function log(line: string): void {
	process.stderr.write(`${line}\n`);
}

/** The CLI figures spawn bin/tracedeck.js, which runs dist: make sure dist is this source. */
function build(): void {
	if (process.env['BENCH_NO_BUILD'] === '1') {
		return;
	}

	const result = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {cwd: REPO, encoding: 'utf8'});
	if (result.status !== 0) {
		// tsc still emits on type errors (work in progress elsewhere); the figures can run.
		const errors = result.stdout.split('\n').filter(line => line.includes('error TS'));
		log(`warning: tsc reported ${errors.length} type errors; dist was emitted anyway. First: ${errors[0] ?? result.stderr.trim()}`);
	}
}

async function main(): Promise<void> {
	const config = loadConfig();
	const env = environment(config.quick);
	const started = nowMs();
	log(`tracedeck bench: node ${env.node}, ${env.cores} cores (${env.cpu})${config.quick ? ', quick' : ''}`);
	build();
	const ws = new Workspace();
	const figures: Array<{group: Group; figure: Figure}> = [];
	try {
		for (const group of GROUPS) {
			if (!config.only.has(group)) {
				continue;
			}

			const groupStart = nowMs();
			log(`- ${group} …`);
			try {
				figures.push(...(await BENCHES[group](config, ws)).map(figure => ({group, figure})));
			} catch (error) {
				figures.push({group, figure: skipped(`${group}.error`, `${group}: failed`, `error: ${(error as Error).message.split('\n')[0]}`)});
			}

			log(`  ${group} done in ${((nowMs() - groupStart) / 1000).toFixed(1)} s`);
		}
	} finally {
		ws.dispose();
	}

	const judged = figures.map(({group, figure}) => ({group, figure: judge(figure)}));
	const table = judged.map(({figure}) => figure);
	const elapsed = nowMs() - started;
	process.stdout.write(`\ntracedeck bench — node ${env.node}, ${env.cores} cores (os.availableParallelism), ${env.cpu}, ${(elapsed / 1000).toFixed(0)} s${config.quick ? ', BENCH_QUICK sizes' : ''}\n\n`);
	process.stdout.write(`${formatTable(table)}\n\nnotes:\n${formatNotes(table)}\n`);
	const file = path.join(REPO, 'bench/results.json');
	const measuredAt = new Date().toISOString();
	writeResults(
		file,
		{
			measured_at: measuredAt,
			environment: env,
			elapsed_ms: Math.round(elapsed),
			groups_measured: [...config.only],
			figures: judged.map(({group, figure}) => toResult(group, figure, measuredAt)),
		},
		GROUPS,
	);
	process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}${config.only.size < GROUPS.length ? ' (only the groups run were replaced)' : ''}\n`);
}

await main();
