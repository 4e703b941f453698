import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {BenchConfig} from './config.js';
import {consoleMissing} from './console-presence.js';
import {FRAME_QUIET_MS, PtySession} from './pty.js';
import {skipped, type Figure} from './report.js';
import {startDemoLoop} from '../source/live/demo-loop.js';
import {openStore} from '../source/store/open-store.js';
import {BIN, REPO, bigTraceHome, type TraceHome, type Workspace} from './workspace.js';

const MB = 1024 * 1024;
const TARGET = {kind: 'abs', op: '<=', limit: 300} as const;

function childPeak(home: string, runId: string, mode: 'report' | 'raw'): number {
	const result = spawnSync(process.execPath, [path.join(REPO, 'bench/rss-child.mjs'), home, runId, mode], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'}});
	if (result.status !== 0) {
		throw new Error(`rss-child ${mode} failed: ${result.stderr.slice(0, 500)}`);
	}

	return (JSON.parse(result.stdout) as {peak_bytes: number}).peak_bytes;
}

/**
 * VmHWM of the process the pty session runs: script → (shell exec) → node,
 * the last descendant. By pid, not name: meow retitles the process "tracedeck".
 */
function sessionNodePeak(session: PtySession): number | null {
	const leaf = session.descendants().at(-1);
	if (leaf === undefined) {
		return null;
	}

	try {
		const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${leaf}/status`, 'utf8'));
		return hwm ? Number(hwm[1]) * 1024 : null;
	} catch {
		// Exited between listing and reading.
		return null;
	}
}

/**
 * Start the process's VmHWM again from its current RSS (Linux: 5 into
 * /proc/<pid>/clear_refs), so a later reading is the peak since; false where
 * the kernel will not.
 */
function resetPeak(session: PtySession): boolean {
	const leaf = session.descendants().at(-1);
	try {
		fs.writeFileSync(`/proc/${leaf}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

/** Sustained use of the trace screen: keys pressed, then minutes open while another run is live. */
interface Sustained {
	keys: number;
	openMs: number;
}

function sustainedOf(config: BenchConfig): Sustained {
	const keys = Number(process.env['BENCH_RSS_KEYS'] ?? (config.quick ? 100 : 500));
	const openS = Number(process.env['BENCH_RSS_OPEN_S'] ?? (config.quick ? 20 : 300));
	return {keys, openMs: openS * 1000};
}

/**
 * VmHWM of the console on the big trace after `keys` keypresses (j j j k …,
 * each waited for) and `openMs` more with a run going live in the same home:
 * the demo's simulated deploys written by this process, which the console's
 * polling feed picks up (the runs list underneath reloads, the clock ticks).
 * The cached home is read-only, so it is copied first.
 */
async function traceScreenPeak(ws: Workspace, trace: TraceHome, {keys, openMs}: Sustained): Promise<{peak: number; open: number; sustained: number | null}> {
	const home = ws.dir('rss-live');
	fs.cpSync(trace.home, home, {recursive: true});
	const session = PtySession.start([process.execPath, BIN, 'runs', 'show', trace.runId], {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''});
	const store = await openStore({home});
	const demo = await startDemoLoop(store, undefined, {durationMs: 60_000, pauseMs: 2000, seed: 11});
	try {
		if (!(await session.firstMatching(trace.drawn, 0, 120_000))) {
			throw new Error('the trace screen did not draw the trace');
		}

		await session.settle(FRAME_QUIET_MS * 5, 120_000);
		// The peak of opening (the load) apart from the peak of using it.
		const open = sessionNodePeak(session);
		const split = open !== null && resetPeak(session);
		const pattern = ['j', 'j', 'j', 'k'];
		for (let i = 0; i < keys; i++) {
			session.press(pattern[i % pattern.length]!);
			await session.settle(FRAME_QUIET_MS, 5000);
		}

		await new Promise(resolve => setTimeout(resolve, openMs));
		const after = sessionNodePeak(session);
		if (after === null || open === null) {
			throw new Error('could not find the console process to read its VmHWM');
		}

		return {peak: Math.max(open, after), open, sustained: split ? after : null};
	} finally {
		session.kill();
		await session.exited;
		await demo.stop();
		await store.close();
	}
}

export async function benchRss(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const trace = bigTraceHome(ws, config.bigSpans);
	const size = `${trace.spans.toLocaleString('en-US')} spans`;
	const raw = childPeak(trace.home, trace.runId, 'raw') / MB;
	const baselineLabel = 'node: raw span rows parsed';
	const figures: Figure[] = [];
	const missing = consoleMissing();
	if (missing) {
		figures.push(skipped('rss.trace_screen_mb', `peak RSS, trace screen, ${size}`, missing, TARGET));
	} else {
		const sustained = sustainedOf(config);
		const use = `${sustained.keys} keys + ${sustained.openMs / 1000} s live`;
		const peaks = await traceScreenPeak(ws, trace, sustained);
		const split = peaks.sustained === null ? 'VmHWM could not be reset after the open' : `${(peaks.open / MB).toFixed(0)} MB once open, ${(peaks.sustained / MB).toFixed(0)} MB peak over the use after it`;
		figures.push({
			id: 'rss.trace_screen_mb',
			label: `peak RSS, trace screen, ${size}, ${use}`,
			unit: 'MB',
			value: peaks.peak / MB,
			baseline: raw,
			baselineLabel,
			target: TARGET,
			note: `VmHWM of the console process over opening the trace, ${sustained.keys} keypresses (j j j k …) and ${sustained.openMs / 1000} s more open while the demo's simulated deploys go live in the same home (pty 120x40): ${split}`,
		});
		if (peaks.sustained !== null) {
			figures.push({id: 'rss.trace_screen_use_mb', label: `peak RSS, trace screen in use, ${size}, ${use}`, unit: 'MB', value: peaks.sustained / MB, baseline: raw, baselineLabel, target: TARGET, note: 'VmHWM reset once the trace is drawn (clear_refs), read at the end: what sustained use adds, apart from the load'});
		}
	}

	figures.push({id: 'rss.report_mb', label: `peak RSS, spans + buildRunReport, ${size}`, unit: 'MB', value: childPeak(trace.home, trace.runId, 'report') / MB, baseline: raw, baselineLabel, target: TARGET, note: 'child over dist: RunIndex.spans + buildRunReport, VmHWM'});
	return figures;
}
