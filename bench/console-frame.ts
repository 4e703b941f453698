import type {BenchConfig} from './config.js';
import {consoleMissing} from './console-presence.js';
import {datasetHome} from './cli-wall.js';
import {PtySession} from './pty.js';
import {skipped, type Figure} from './report.js';
import {median} from './stats.js';
import {BIN, type Workspace} from './workspace.js';

const FIRST_FRAME_TIMEOUT_MS = 15_000;

/** Spawn → first visible byte on the terminal, then kill: one sample. */
export async function firstFrameMs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
	return (await frameTimes(argv, env))[0]!;
}

/**
 * Spawn → first visible byte, and → the first chunk matching each pattern
 * in turn (a later frame: the rows after a loading one), then kill: one sample.
 */
export async function frameTimes(argv: readonly string[], env: NodeJS.ProcessEnv = {}, patterns: readonly RegExp[] = []): Promise<number[]> {
	const session = PtySession.start(argv, env);
	try {
		const first = await session.firstVisible(0, FIRST_FRAME_TIMEOUT_MS);
		if (!first) {
			throw new Error(`no frame within ${FIRST_FRAME_TIMEOUT_MS} ms from ${argv.join(' ')}; output: ${JSON.stringify(session.output.slice(0, 300))}`);
		}

		const times = [first.at - session.startedAt];
		for (const pattern of patterns) {
			const seen = await session.firstMatching(pattern, first.index, FIRST_FRAME_TIMEOUT_MS);
			if (!seen) {
				throw new Error(`no ${pattern} within ${FIRST_FRAME_TIMEOUT_MS} ms from ${argv.join(' ')}; output: ${JSON.stringify(session.output.slice(-300))}`);
			}

			times.push(seen.at - session.startedAt);
		}

		return times;
	} finally {
		session.kill();
		await session.exited;
	}
}

/**
 * The baseline for console figures: a bare Ink app drawing a full screen of
 * styled rows at the pty's size (bench/bare-ink.mjs), cold process each time.
 */
export const BARE_INK = [process.execPath, 'bench/bare-ink.mjs'];
export const BARE_INK_LABEL = 'bare ink app, a full screen of styled rows';

/** A run's row in the runs list (the header says "run", rows name one). */
const RUN_ROW = /\brun-\d{8}-/;

export async function benchConsoleFrame(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const label = 'console: spawn → first frame';
	const rowsLabel = 'console: spawn → first runs drawn';
	const missing = consoleMissing();
	if (missing) {
		return [skipped('console.first_frame_ms', label, missing, {kind: 'ratio', op: '<=', limit: 1.1}), skipped('console.first_rows_ms', rowsLabel, missing)];
	}

	const home = await datasetHome(config, ws);
	const runs = Math.max(5, config.spawns);
	const consoleEnv = {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''};
	const consoleArgv = [process.execPath, BIN];
	const frames: number[] = [];
	const rows: number[] = [];
	const bare: number[] = [];
	// One untimed pair warms the disk cache for both.
	await frameTimes(consoleArgv, consoleEnv, [RUN_ROW]);
	await firstFrameMs(BARE_INK);
	// Paired and interleaved, the order flipped each round: drift on a shared machine hits both sides alike.
	for (let i = 0; i < runs; i++) {
		const consoleFirst = i % 2 === 0;
		if (!consoleFirst) {
			bare.push(await firstFrameMs(BARE_INK));
		}

		const [frame, row] = await frameTimes(consoleArgv, consoleEnv, [RUN_ROW]);
		frames.push(frame!);
		rows.push(row!);
		if (consoleFirst) {
			bare.push(await firstFrameMs(BARE_INK));
		}
	}

	const note = `pty via script, 120x40; cold processes, paired and interleaved, median of ${runs}; ${config.ingestRuns} runs in the home; console ${frames.map(Math.round).join('/')} ms, bare ${bare.map(Math.round).join('/')} ms`;
	return [
		{
			id: 'console.first_frame_ms',
			label,
			unit: 'ms',
			value: median(frames),
			baseline: median(bare),
			baselineLabel: BARE_INK_LABEL,
			target: {kind: 'ratio', op: '<=', limit: 1.1},
			note: `${note}; the console's first frame is its screen with "reading runs"`,
		},
		{
			id: 'console.first_rows_ms',
			label: rowsLabel,
			unit: 'ms',
			value: median(rows),
			baseline: median(bare),
			baselineLabel: BARE_INK_LABEL,
			// The trace screen's standard for its first rows (trace_screen.open_ms).
			target: {kind: 'ratio', op: '<=', limit: 1.5},
			note: `same spawns; rows ${rows.map(Math.round).join('/')} ms: the first frame with run rows (the runs page read)`,
		},
	];
}
