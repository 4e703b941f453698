import type {BenchConfig} from './config.js';
import {consoleMissing} from './console-presence.js';
import {BARE_INK} from './console-frame.js';
import {FRAME_QUIET_MS, PtySession} from './pty.js';
import {skipped, type Figure} from './report.js';
import {pct} from './stats.js';
import {BIN, bigTraceHome, type Workspace} from './workspace.js';

const OPEN_TIMEOUT_MS = 120_000;
/**
 * The console draws a "loading…" frame (header with the run name, no rows)
 * before the trace, so the first frame alone would time the wrong thing, and
 * a quiet spell can be the load itself: the trace is open when one of its
 * stages is drawn (TraceHome.drawn).
 */
const BARE_DRAWN = /bare ink app/;

interface ScreenTimes {
	openMs: number;
	frames: number[];
	/** Keypresses that drew nothing within the timeout. */
	silent: number;
}

/**
 * Open a screen under a pty, wait until its first render settles (spinners
 * included), then press `key` `count` times, timing key written → end of the
 * frame it caused.
 */
async function timeScreen(argv: readonly string[], env: NodeJS.ProcessEnv, drawn: RegExp, key: string, count: number): Promise<ScreenTimes> {
	const session = PtySession.start(argv, env);
	try {
		const shown = await session.firstMatching(drawn, 0, OPEN_TIMEOUT_MS);
		const settled = shown && (await session.settle(FRAME_QUIET_MS, OPEN_TIMEOUT_MS));
		if (!shown || settled === null) {
			throw new Error(`${argv.join(' ')} did not draw ${drawn} within ${OPEN_TIMEOUT_MS} ms; output: ${JSON.stringify(session.output.slice(-300))}`);
		}

		const frames: number[] = [];
		let silent = 0;
		for (let i = 0; i < count; i++) {
			const seen = session.chunks.length;
			const pressed = session.press(key);
			const frame = await session.firstVisible(seen, 5000);
			const end = frame && (await session.settle(FRAME_QUIET_MS, 5000));
			if (end === null || end === undefined) {
				silent++;
			} else {
				frames.push(end - pressed);
			}
		}

		return {openMs: settled! - session.startedAt, frames, silent};
	} finally {
		// Killed, not quit: q on the trace screen goes back to the runs list.
		session.kill();
		await session.exited;
	}
}

export async function benchTraceScreen(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const missing = consoleMissing();
	if (missing) {
		return config.screenSpans.flatMap(spans => [skipped(`trace_screen.open_ms.${spans}`, `trace screen open, ${spans} spans`, missing), skipped(`trace_screen.frame_p99_ms.${spans}`, `trace screen j frame p99, ${spans} spans`, missing)]);
	}

	const bare = await timeScreen(BARE_INK, {}, BARE_DRAWN, 'j', config.keypresses);
	const figures: Figure[] = [];
	for (const spans of config.screenSpans) {
		const trace = bigTraceHome(ws, spans);
		const times = await timeScreen([process.execPath, BIN, 'runs', 'show', trace.runId], {TRACEDECK_HOME: trace.home, TRACEDECK_REDIS_URL: ''}, trace.drawn, 'j', config.keypresses);
		const note = `${times.frames.length} keypresses timed${times.silent > 0 ? `, ${times.silent} drew nothing` : ''}; frame = key written → end of output burst (${FRAME_QUIET_MS} ms quiet)`;
		figures.push(
			{id: `trace_screen.open_ms.${spans}`, label: `trace screen open, ${spans} spans`, unit: 'ms', value: times.openMs, baseline: bare.openMs, baselineLabel: 'bare ink first frame', target: {kind: 'none'}, note: "spawn of `runs show <run>` in a pty → the trace's rows drawn (not the loading frame)"},
			{id: `trace_screen.frame_p50_ms.${spans}`, label: `trace screen j frame p50, ${spans} spans`, unit: 'ms', value: pct(times.frames, 50), baseline: pct(bare.frames, 50), baselineLabel: 'bare ink re-render', target: {kind: 'none'}, note},
			{id: `trace_screen.frame_p99_ms.${spans}`, label: `trace screen j frame p99, ${spans} spans`, unit: 'ms', value: pct(times.frames, 99), baseline: pct(bare.frames, 99), baselineLabel: 'bare ink re-render', target: {kind: 'none'}},
		);
	}

	return figures;
}
