import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import {test} from 'node:test';
import {foldEvents} from '../../source/core/fold.js';
import {summarizeRun} from '../../source/core/run-summary.js';
import type {Span} from '../../source/core/span.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {buildTree, stepPath} from '../../source/core/tree.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {EVENTS_PER_WRITER, SHARED_TRACES, WRITERS, writerEvents} from './writer-events.js';
import {REPO} from '../helpers/repo-root.js';

const CHILD = path.join(REPO, 'test/reliability/writer-child.ts');
/** Events per appendEvents call, per writer: two batch sizes, an odd one, and one event per call. */
const BATCHES = [500, 100, 37, 1];

interface Writer {
	ready: Promise<void>;
	done: Promise<{code: number | null; stdout: string; stderr: string}>;
	go(): void;
}

function startWriter(home: string, writer: number, batch: number): Writer {
	// From the repo root, where `--import tsx` resolves.
	const child = spawn(process.execPath, ['--import', 'tsx', CHILD, home, String(writer), String(batch)], {cwd: path.resolve(path.dirname(CHILD), '../..'), stdio: ['pipe', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (text: string) => {
		stderr += text;
	});
	const lines = readline.createInterface({input: child.stdout});
	const ready = new Promise<void>((resolve, reject) => {
		lines.on('line', line => {
			if (line === 'ready') {
				resolve();
			} else {
				stdout += `${line}\n`;
			}
		});
		child.on('exit', () => reject(new Error(`writer ${writer} exited before it was ready: ${stderr}`)));
	});
	const done = new Promise<{code: number | null; stdout: string; stderr: string}>(resolve => {
		child.on('close', code => resolve({code, stdout, stderr}));
	});
	return {ready, done, go: () => child.stdin.end('go\n')};
}

/** Spans as one fold of all their events gives them (in fold order, so whichever writer's events came first). */
function replaySpans(index: RunIndex): Map<string, Span> {
	const bySpan = new Map<string, TraceEvent[]>();
	for (const row of index.db.prepare('SELECT body FROM events ORDER BY id').pluck().iterate() as Iterable<string>) {
		const event = JSON.parse(row) as TraceEvent;
		const key = `${event.trace_id}/${event.span_id}`;
		const list = bySpan.get(key);
		if (list) {
			list.push(event);
		} else {
			bySpan.set(key, [event]);
		}
	}

	return new Map([...bySpan].map(([key, events]) => [key, foldEvents(events)[0]!]));
}

test('four processes writing 5,000 events each into one home lose nothing and fold consistently', {timeout: 240_000}, async t => {
	const home = tempHome('tracedeck-writers-');
	// Create the schema first: four first-time migrations racing is not what this test is about.
	RunIndex.open(home).close();
	const writers = BATCHES.map((batch, w) => startWriter(home, w, batch));
	await Promise.all(writers.map(writer => writer.ready));
	for (const writer of writers) {
		writer.go();
	}

	const results = await Promise.all(writers.map(writer => writer.done));
	for (const [w, result] of results.entries()) {
		// SQLITE_BUSY would show here: WAL and the writer's retries should make writers wait, not fail.
		assert.equal(result.code, 0, `writer ${w} failed: ${result.stderr}`);
		const summary = JSON.parse(result.stdout) as {inserted: number; duplicates: number; ms: number};
		t.diagnostic(`writer ${w} (batches of ${BATCHES[w]}): ${summary.ms} ms`);
		assert.deepEqual({inserted: summary.inserted, duplicates: summary.duplicates}, {inserted: EVENTS_PER_WRITER, duplicates: 0}, `writer ${w}`);
	}

	const index = RunIndex.open(home, {readonly: true});
	try {
		const expected = new Set(Array.from({length: WRITERS}, (_, w) => writerEvents(w).map(event => JSON.stringify(event))).flat());
		assert.equal(expected.size, WRITERS * EVENTS_PER_WRITER);
		const stored = index.db.prepare('SELECT body FROM events').pluck().all() as string[];
		assert.equal(stored.length, WRITERS * EVENTS_PER_WRITER, 'every event stored once');
		assert.deepEqual(new Set(stored), expected, 'exactly the events written');

		// Spans: what folding the stored events in order gives, path included.
		const replayed = replaySpans(index);
		const rows = index.db.prepare('SELECT trace_id, span_id, path, body FROM spans').all() as Array<{trace_id: string; span_id: string; path: string; body: string}>;
		assert.equal(rows.length, replayed.size, 'one span row per span');
		for (const row of rows) {
			assert.deepEqual(JSON.parse(row.body), replayed.get(`${row.trace_id}/${row.span_id}`), `span ${row.trace_id}/${row.span_id}`);
		}

		// Runs: the incremental summaries agree with a summary built from scratch.
		const runs = index.listRuns();
		assert.equal(runs.length, SHARED_TRACES);
		for (const run of runs) {
			const spans = index.spans(run.trace_id);
			const tree = buildTree(spans);
			for (const row of rows.filter(r => r.trace_id === run.trace_id)) {
				assert.equal(row.path, stepPath(tree, row.span_id), `path of ${row.trace_id}/${row.span_id}`);
			}

			const fresh = summarizeRun(spans, run.last_event_ms, tree)!;
			const pick = (r: typeof run) => ({run_id: r.run_id, status: r.status, started_at: r.started_at, ended_at: r.ended_at, failed_step: r.failed_step, retries: r.retries, progress: r.progress});
			assert.deepEqual(pick(run), pick(fresh), `run of ${run.trace_id}`);
		}
	} finally {
		index.close();
	}
});
