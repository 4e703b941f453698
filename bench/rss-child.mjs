// Child for the RSS figure: loads a run's spans and builds the report the
// trace screen draws from, then prints its peak RSS. Plain JS over the
// compiled dist, like bin/tracedeck.js, so no TypeScript loader inflates it.
// Usage: node bench/rss-child.mjs <home> <run-id> report|raw
import fs from 'node:fs';
import path from 'node:path';

const [home, runId, mode] = process.argv.slice(2);
let held;
if (mode === 'raw') {
	const {default: Database} = await import('better-sqlite3');
	const db = new Database(path.join(home, 'runs.db'), {readonly: true});
	const run = JSON.parse(db.prepare('SELECT body FROM runs WHERE run_id = ?').pluck().get(runId));
	held = db
		.prepare('SELECT body FROM spans WHERE trace_id = ?')
		.pluck()
		.all(run.trace_id)
		.map(body => JSON.parse(body));
	db.close();
} else {
	const {RunIndex} = await import('../dist/store/run-index.js');
	const {buildRunReport} = await import('../dist/core/run-report.js');
	const index = RunIndex.open(home, {readonly: true});
	const run = index.resolveRun(runId);
	held = buildRunReport(run, index.spans(run.trace_id), Date.now());
	index.close();
}

const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(`${JSON.stringify({peak_bytes: Number(hwm[1]) * 1024, rss_bytes: process.memoryUsage().rss, held: Array.isArray(held) ? held.length : held.spans.length})}\n`);
