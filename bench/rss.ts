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

/** CPU seconds (user + system) the session's processes have used so far, from /proc/<pid>/stat; null where unreadable. */
function sessionCpuS(session: PtySession): number | null {
	let ticks = 0;
	for (const pid of session.descendants()) {
		try {
			// Fields after the command (which may hold spaces) start at ") ": utime and stime are the 14th and 15th.
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			return null;
		}
	}

	// USER_HZ is 100 on Linux builds that matter here (getconf CLK_TCK).
	return ticks / 100;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)));

/**
 * VmHWM of the console on the big trace over `keys` keypresses (j j j k …,
 * each waited for) spread evenly over `openMs` with a run going live in the
 * same home: the demo's simulated deploys written by this process, which the
 * console's polling feed picks up (the runs list underneath reloads, the
 * clock ticks). The keys are spread so that the session, which runs beside
 * the other groups, costs them little CPU at any moment; its CPU over the
 * sustained part is returned. The cached home is read-only, so it is copied first.
 */
async function traceScreenPeak(ws: Workspace, trace: TraceHome, {keys, openMs}: Sustained): Promise<{peak: number; open: number; sustained: number | null; cpuS: number | null; wallMs: number}> {
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
		const cpuBefore = sessionCpuS(session);
		const begin = performance.now();
		const pattern = ['j', 'j', 'j', 'k'];
		// A frame is waited for at most until the next key's slot: with the run live the
		// output is seldom quiet for long, and an uncapped wait would stretch the keys past the open time.
		const slotMs = openMs / keys;
		for (let i = 0; i < keys; i++) {
			// Key i at its slot of the open time; a late key (a slow frame) goes at once.
			await sleep(begin + (i * openMs) / keys - performance.now());
			session.press(pattern[i % pattern.length]!);
			await session.settle(FRAME_QUIET_MS, Math.min(5000, Math.max(FRAME_QUIET_MS, slotMs)));
		}

		await sleep(begin + openMs - performance.now());
		const wallMs = performance.now() - begin;
		const after = sessionNodePeak(session);
		const cpuAfter = sessionCpuS(session);
		if (after === null || open === null) {
			throw new Error('could not find the console process to read its VmHWM');
		}

		const cpuS = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
		return {peak: Math.max(open, after), open, sustained: split ? after : null, cpuS, wallMs};
	} finally {
		session.kill();
		await session.exited;
		await demo.stop();
		await store.close();
	}
}

/** The sustained console session, started in the background: its figures once its minutes are over. */
export interface SustainedConsole {
	figures(): Promise<Figure[]>;
}

/**
 * Start the rss group's sustained trace-screen session (opening, keys spread
 * over the open time, a live run): it mostly waits, and its RSS does not
 * depend on CPU timing, so run.ts starts it before the other groups and
 * collects its figures at the end. Never rejects: a failure is a SKIP figure.
 */
export function startSustainedConsole(config: BenchConfig, ws: Workspace): SustainedConsole {
	const trace = bigTraceHome(ws, config.bigSpans);
	const size = `${trace.spans.toLocaleString('en-US')} spans`;
	const raw = childPeak(trace.home, trace.runId, 'raw') / MB;
	const baselineLabel = 'node: raw span rows parsed';
	const missing = consoleMissing();
	const sustained = sustainedOf(config);
	const use = `${sustained.keys} keys over ${sustained.openMs / 1000} s live`;
	const label = `peak RSS, trace screen, ${size}, ${use}`;
	const result: Promise<Figure[]> = missing
		? Promise.resolve([skipped('rss.trace_screen_mb', label, missing, TARGET)])
		: traceScreenPeak(ws, trace, sustained).then(
				peaks => {
					const split = peaks.sustained === null ? 'VmHWM could not be reset after the open' : `${(peaks.open / MB).toFixed(0)} MB once open, ${(peaks.sustained / MB).toFixed(0)} MB peak over the use after it`;
					const cpu = peaks.cpuS === null ? 'its CPU could not be read' : `the console used ${peaks.cpuS.toFixed(1)} CPU s over those ${(peaks.wallMs / 1000).toFixed(0)} s (${((100 * peaks.cpuS) / (peaks.wallMs / 1000)).toFixed(1)}% of a core)`;
					const figures: Figure[] = [
						{
							id: 'rss.trace_screen_mb',
							label,
							unit: 'MB',
							value: peaks.peak / MB,
							baseline: raw,
							baselineLabel,
							target: TARGET,
							note: `VmHWM of the console process over opening the trace, then ${sustained.keys} keypresses (j j j k …) spread evenly over ${sustained.openMs / 1000} s open while the demo's simulated deploys go live in the same home (pty 120x40): ${split}. Started at the beginning of the bench in the background, beside the other groups (RSS does not depend on CPU timing), collected at the end; ${cpu}`,
						},
					];
					if (peaks.sustained !== null) {
						figures.push({
							id: 'rss.trace_screen_use_mb',
							label: `peak RSS, trace screen in use, ${size}, ${use}`,
							unit: 'MB',
							value: peaks.sustained / MB,
							baseline: raw,
							baselineLabel,
							target: TARGET,
							note: 'VmHWM reset once the trace is drawn (clear_refs), read at the end: what sustained use adds, apart from the load',
						});
					}

					return figures;
				},
				(error: unknown) => [skipped('rss.trace_screen_mb', label, `error: ${(error as Error).message.split('\n')[0]}`, TARGET)],
			);
	return {figures: () => result};
}

/** The rss group run in line: the report child's peak (the sustained session is startSustainedConsole's). */
export async function benchRss(config: BenchConfig, ws: Workspace): Promise<Figure[]> {
	const trace = bigTraceHome(ws, config.bigSpans);
	const size = `${trace.spans.toLocaleString('en-US')} spans`;
	const raw = childPeak(trace.home, trace.runId, 'raw') / MB;
	const baselineLabel = 'node: raw span rows parsed';
	return [{id: 'rss.report_mb', label: `peak RSS, spans + buildRunReport, ${size}`, unit: 'MB', value: childPeak(trace.home, trace.runId, 'report') / MB, baseline: raw, baselineLabel, target: TARGET, note: 'child over dist: RunIndex.spans + buildRunReport, VmHWM'}];
}
