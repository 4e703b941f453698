import type {BenchConfig} from './config.js';
import {consoleMissing} from './console-presence.js';
import {BARE_INK, BARE_INK_LABEL, firstFrameMs} from './console-frame.js';
import {FRAME_QUIET_MS, PtySession} from './pty.js';
import {skipped, type Figure} from './report.js';
import {median, pct} from './stats.js';
import {BIN, bigTraceHome, type Workspace} from './workspace.js';

const OPEN_TIMEOUT_MS = 120_000;
/**
 * The console draws a "loading…" frame (header with the run name, no rows)
 * before the trace, so the first frame alone would time the wrong thing, and
 * a quiet spell can be the load itself: the trace is open when one of its
 * stages is drawn (TraceHome.drawn).
 */
const BARE_DRAWN = /bare ink app/;
/** The keypress baseline: a bare Ink app drawing an equally full, styled screen (bare-ink-full.mjs). */
const BARE_FULL = [process.execPath, 'bench/bare-ink-full.mjs'];
/** Keypress → settled frame, p50 and p99, against the bare full-screen app. */
const FRAME_TARGET = {kind: 'ratio', op: '<=', limit: 1.3} as const;
/** Sessions per side, interleaved bare / console, so machine noise lands on both. */
const ROUNDS = 2;
/** A big trace is whole (every span read, the tree built) within this, keys answered meanwhile. */
const LOADED_TARGET = {kind: 'abs', op: '<=', limit: 10_000} as const;

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
async function timeScreen(argv: readonly string[], env: NodeJS.ProcessEnv, drawn: RegExp, key: string | readonly string[], count: number): Promise<ScreenTimes> {
	const keyAt = (i: number): string => (typeof key === 'string' ? key : key[i % key.length]!);
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
			const pressed = session.press(keyAt(i));
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

/**
 * Spawn of `runs show <run>` → the trace's first rows drawn (a big trace draws the top of its
 * tree before the rest is read), and → the frame that says the whole trace is in (the status
 * line's "N spans", where "loading n/N" counted), then kill: one sample.
 */
async function openSample(argv: readonly string[], env: NodeJS.ProcessEnv, drawn: RegExp, loaded: RegExp): Promise<{rowsMs: number; loadedMs: number}> {
	const session = PtySession.start(argv, env);
	try {
		const shown = await session.firstMatching(drawn, 0, OPEN_TIMEOUT_MS);
		const done = shown && (await session.firstMatching(loaded, shown.index, OPEN_TIMEOUT_MS));
		if (!shown || !done) {
			throw new Error(`${argv.join(' ')} did not draw ${shown ? loaded : drawn} within ${OPEN_TIMEOUT_MS} ms; output: ${JSON.stringify(session.output.slice(-300))}`);
		}

		return {rowsMs: shown.at - session.startedAt, loadedMs: done.at - session.startedAt};
	} finally {
		session.kill();
		await session.exited;
	}
}

/** Trace opens paired with the bare app's first frame, interleaved with the order flipped each round. */
async function openTimes(config: BenchConfig, argv: readonly string[], env: NodeJS.ProcessEnv, drawn: RegExp, whole: RegExp): Promise<{rows: number[]; loaded: number[]; bare: number[]}> {
	const rounds = Math.max(3, Math.ceil(config.spawns / 2));
	const rows: number[] = [];
	const loaded: number[] = [];
	const bare: number[] = [];
	// Untimed: warms the disk cache for both.
	await openSample(argv, env, drawn, whole);
	await firstFrameMs(BARE_INK);
	for (let i = 0; i < rounds; i++) {
		if (i % 2 === 1) {
			bare.push(await firstFrameMs(BARE_INK));
		}

		const sample = await openSample(argv, env, drawn, whole);
		rows.push(sample.rowsMs);
		loaded.push(sample.loadedMs);
		if (i % 2 === 0) {
			bare.push(await firstFrameMs(BARE_INK));
		}
	}

	return {rows, loaded, bare};
}

export async function benchTraceScreen(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const missing = consoleMissing();
	if (missing) {
		return config.screenSpans.flatMap(spans => [
			skipped(`trace_screen.open_ms.${spans}`, `trace screen open, ${spans} spans`, missing, {kind: 'ratio', op: '<=', limit: 1.5}),
			skipped(`trace_screen.loaded_ms.${spans}`, `trace screen fully loaded, ${spans} spans`, missing, LOADED_TARGET),
			skipped(`trace_screen.frame_p50_ms.${spans}`, `trace screen j/k frame p50, ${spans} spans`, missing, FRAME_TARGET),
			skipped(`trace_screen.frame_p99_ms.${spans}`, `trace screen j/k frame p99, ${spans} spans`, missing, FRAME_TARGET),
		]);
	}

	const figures: Figure[] = [];
	// Mostly j (the list scrolls once the cursor reaches the bottom, redrawing every row), now and then k.
	const keys = ['j', 'j', 'j', 'k'];
	const perRound = Math.max(1, Math.ceil(config.keypresses / ROUNDS));
	for (const spans of config.screenSpans) {
		const trace = bigTraceHome(ws, spans);
		const argv = [process.execPath, BIN, 'runs', 'show', trace.runId];
		const env = {TRACEDECK_HOME: trace.home, TRACEDECK_REDIS_URL: ''};
		// The status line once every span is in (it counts "loading n/N" before).
		const loaded = new RegExp(`\\b${spans} spans`);
		const open = await openTimes(config, argv, env, trace.drawn, loaded);
		const openNote = `median of ${open.rows.length} cold spawns paired with the bare app's; rows ${open.rows.map(Math.round).join('/')} ms, bare ${open.bare.map(Math.round).join('/')} ms`;
		const frames: number[] = [];
		const bareFrames: number[] = [];
		let silent = 0;
		for (let round = 0; round < ROUNDS; round++) {
			bareFrames.push(...(await timeScreen(BARE_FULL, {}, BARE_DRAWN, keys, perRound)).frames);
			// Keys are timed on the loaded trace (keys during the load: test/tui/trace-open.test.tsx).
			const times = await timeScreen(argv, env, loaded, keys, perRound);
			frames.push(...times.frames);
			silent += times.silent;
		}

		const note = `${frames.length} keypresses timed (j j j k …, ${ROUNDS} sessions per side, interleaved with the bare app)${silent > 0 ? `, ${silent} drew nothing` : ''}; frame = key written → end of output burst (${FRAME_QUIET_MS} ms quiet); pty 120x40; baseline bench/bare-ink-full.mjs: every row styled segments, cursor row inverse`;
		figures.push(
			{
				id: `trace_screen.open_ms.${spans}`,
				label: `trace screen open, ${spans} spans`,
				unit: 'ms',
				value: median(open.rows),
				baseline: median(open.bare),
				baselineLabel: `${BARE_INK_LABEL}: first frame`,
				target: {kind: 'ratio', op: '<=', limit: 1.5},
				note: `spawn of \`runs show <run>\` in a pty → the trace's first rows drawn (not the loading frame; a big trace's top before the rest is read); ${openNote}`,
			},
			{
				id: `trace_screen.loaded_ms.${spans}`,
				label: `trace screen fully loaded, ${spans} spans`,
				unit: 'ms',
				value: median(open.loaded),
				baseline: median(open.bare),
				baselineLabel: `${BARE_INK_LABEL}: first frame`,
				target: LOADED_TARGET,
				note: `same spawns → the status line's "${spans} spans": every span read and the tree built, keys answered meanwhile; ${open.loaded.map(Math.round).join('/')} ms`,
			},
			{id: `trace_screen.frame_p50_ms.${spans}`, label: `trace screen j/k frame p50, ${spans} spans`, unit: 'ms', value: pct(frames, 50), baseline: pct(bareFrames, 50), baselineLabel: 'bare ink app, full styled screen', target: FRAME_TARGET, note},
			{id: `trace_screen.frame_p99_ms.${spans}`, label: `trace screen j/k frame p99, ${spans} spans`, unit: 'ms', value: pct(frames, 99), baseline: pct(bareFrames, 99), baselineLabel: 'bare ink app, full styled screen', target: FRAME_TARGET},
		);
	}

	return figures;
}
