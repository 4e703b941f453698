import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {deepTrace} from '../../fixtures/big-trace.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {HOSTILE_RUN, HUGE_LINE_BYTES, hostileRun} from './hostile-events.js';
import {runCliBig} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

function ingest(home: string, name: string, events: readonly TraceEvent[]): void {
	const file = path.join(home, name);
	fs.writeFileSync(file, `${events.map(event => JSON.stringify(event)).join('\n')}\n`);
	const result = runCliBig(['ingest', file], home);
	assert.equal(result.code, 0, result.stderr);
}

/** ESC, the C1 CSI and BEL: any of them on stdout means a producer can drive the terminal. */
const CONTROL = /[\u001b\u009b\u0007]/;

function assertInert(output: string, what: string, control = CONTROL): void {
	const at = output.search(control);
	assert.equal(at, -1, `${what}: control byte at ${at}: ${JSON.stringify(output.slice(Math.max(0, at - 40), at + 40))}`);
}

// Made at the top level, so that it lives until the file's last test (tempHome removes it in `after`).
const hostileHome = tempHome('tracedeck-hostile-');
let ingested = false;

/** One home with the hostile run, ingested through the CLI like a real file, shared by the tests below. */
function hostileRunHome(): string {
	if (!ingested) {
		ingest(hostileHome, 'hostile.jsonl', hostileRun(undefined, undefined, true));
		ingested = true;
	}

	return hostileHome;
}

test('hostile text and a 10 MB stderr line: `runs list` prints inert text', {timeout: 120_000}, () => {
	const list = runCliBig(['runs', 'list'], hostileRunHome());
	assert.equal(list.code, 0, list.stderr);
	assertInert(list.stdout, 'runs list');
});

test('hostile text and a 10 MB stderr line: `runs show --json` is one inert, parseable document that keeps the line whole', {timeout: 120_000}, () => {
	const json = runCliBig(['runs', 'show', HOSTILE_RUN, '--json'], hostileRunHome());
	assert.equal(json.code, 0, json.stderr);
	// JSON escapes C0 controls itself; U+009B it may leave raw (valid JSON), so only ESC and BEL are checked.
	assertInert(json.stdout, 'runs show --json', /[\u001b\u0007]/);
	const report = JSON.parse(json.stdout) as {spans: Array<{stderr: string[]}>};
	assert.ok(
		report.spans.some(span => span.stderr.some(line => line.length > HUGE_LINE_BYTES)),
		'the huge line is kept whole in JSON',
	);
});

test('hostile text and a 10 MB stderr line: `runs show` text prints inert text', {
	timeout: 120_000,
}, () => {
	const show = runCliBig(['runs', 'show', HOSTILE_RUN, '--text'], hostileRunHome());
	assert.equal(show.code, 0, show.stderr);
	assert.match(show.stdout, /error/);
	assertInert(show.stdout, 'runs show');
});

test('a trace 10,000 levels deep: ingest, `runs show` text and JSON, and `runs list` complete', {timeout: 120_000}, () => {
	const home = tempHome('tracedeck-deep-');
	const depth = 10_000;
	const events = deepTrace(depth, {failLeaf: true});
	ingest(home, 'deep.jsonl', events);
	const runId = String(events[0]!.data?.['run_id']);
	const show = runCliBig(['runs', 'show', runId, '--text'], home);
	assert.equal(show.code, 0, show.stderr);
	assert.doesNotMatch(show.stderr, /Maximum call stack/);
	assert.equal(show.stdout.split('\n').filter(line => line.includes('level ')).length >= depth - 1, true, 'every level printed');
	const json = runCliBig(['runs', 'show', runId, '--json'], home);
	assert.equal(json.code, 0, json.stderr);
	const report = JSON.parse(json.stdout) as {spans: unknown[]; failure: {path: string[]} | null};
	assert.equal(report.spans.length, depth);
	assert.equal(report.failure?.path.length, depth, 'the failure path runs from the root to the deepest span');
	assert.equal(runCliBig(['runs', 'list', '--json'], home).code, 0);
});
