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
	const session = PtySession.start(argv, env);
	try {
		const first = await session.firstVisible(0, FIRST_FRAME_TIMEOUT_MS);
		if (!first) {
			throw new Error(`no frame within ${FIRST_FRAME_TIMEOUT_MS} ms from ${argv.join(' ')}; output: ${JSON.stringify(session.output.slice(0, 300))}`);
		}

		return first.at - session.startedAt;
	} finally {
		session.kill();
		await session.exited;
	}
}

export const BARE_INK = [process.execPath, 'bench/bare-ink.mjs'];

export async function benchConsoleFrame(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const label = 'console: spawn → first frame';
	const missing = consoleMissing();
	if (missing) {
		return [skipped('console.first_frame_ms', label, missing, {kind: 'ratio', op: '<=', limit: 1.2})];
	}

	const home = await datasetHome(config, ws);
	const runs = Math.max(3, Math.ceil(config.spawns / 2));
	const consoleSamples: number[] = [];
	const bareSamples: number[] = [];
	// One untimed pair warms the disk cache for both.
	await firstFrameMs([process.execPath, BIN], {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''});
	await firstFrameMs(BARE_INK);
	for (let i = 0; i < runs; i++) {
		consoleSamples.push(await firstFrameMs([process.execPath, BIN], {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''}));
		bareSamples.push(await firstFrameMs(BARE_INK));
	}

	return [
		{
			id: 'console.first_frame_ms',
			label,
			unit: 'ms',
			value: median(consoleSamples),
			baseline: median(bareSamples),
			baselineLabel: 'bare ink app, one Text',
			target: {kind: 'ratio', op: '<=', limit: 1.2},
			note: `pty via script, 120x40; median of ${runs}; ${config.ingestRuns} runs in the home`,
		},
	];
}
