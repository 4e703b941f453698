import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {BenchConfig} from './config.js';
import {consoleMissing} from './console-presence.js';
import {FRAME_QUIET_MS, PtySession} from './pty.js';
import {skipped, type Figure} from './report.js';
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

async function traceScreenPeak({home, runId, drawn}: TraceHome): Promise<number> {
	const session = PtySession.start([process.execPath, BIN, 'runs', 'show', runId], {TRACEDECK_HOME: home, TRACEDECK_REDIS_URL: ''});
	try {
		if (!(await session.firstMatching(drawn, 0, 120_000))) {
			throw new Error('the trace screen did not draw the trace');
		}

		for (let i = 0; i < 10; i++) {
			session.press('j');
			await session.settle(FRAME_QUIET_MS, 5000);
		}

		const peak = sessionNodePeak(session);
		if (peak === null) {
			throw new Error('could not find the console process to read its VmHWM');
		}

		return peak;
	} finally {
		session.kill();
		await session.exited;
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
		figures.push({id: 'rss.trace_screen_mb', label: `peak RSS, trace screen, ${size}`, unit: 'MB', value: (await traceScreenPeak(trace)) / MB, baseline: raw, baselineLabel, target: TARGET, note: 'VmHWM of the console process after opening and scrolling'});
	}

	figures.push({id: 'rss.report_mb', label: `peak RSS, spans + buildRunReport, ${size}`, unit: 'MB', value: childPeak(trace.home, trace.runId, 'report') / MB, baseline: raw, baselineLabel, target: TARGET, note: 'child over dist: RunIndex.spans + buildRunReport, VmHWM'});
	return figures;
}
