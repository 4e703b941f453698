import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {buildRunReport} from '../../source/core/run-report.js';
import {readEventsFile} from '../../source/interop/input-files.js';
import {RunIndex} from '../../source/store/run-index.js';
import {parseCsv} from '../interop/csv-reader.js';
import {homeWith, runningRunEvents, sampleRunEvents} from '../interop/sample-run.js';
import {tempHome} from '../helpers/temp-home.js';
import {runSourceCli} from '../helpers/source-cli.js';

const FAILED = 'run-20260302-100000-3f2a9c1';
const RUNNING = 'run-canary-1';

describe('tracedeck runs export', () => {
	const home = homeWith(sampleRunEvents(), runningRunEvents());

	it("writes csv: a header with DESIGN's run fields and one row per run, newest first", () => {
		const result = runSourceCli(['runs', 'export'], {home});
		assert.equal(result.code, 0, result.stderr);
		const [header, ...rows] = parseCsv(result.stdout);
		assert.deepEqual(header, ['run_id', 'trace_id', 'env', 'target', 'plan_hash', 'status', 'started_at', 'ended_at', 'duration_ms', 'failed_step', 'retries', 'runner', 'git_sha', 'git_branch', 'user', 'progress_completed', 'progress_total', 'policy_deny_network', 'policy_readonly_fs']);
		assert.equal(rows.length, 2);
		const failed = Object.fromEntries(header!.map((column, i) => [column, rows.find(row => row[0] === FAILED)![i]]));
		assert.equal(failed['status'], 'failed');
		assert.equal(failed['failed_step'], 'deploy/migrate <db>');
		assert.equal(failed['duration_ms'], '1800');
		assert.equal(failed['git_sha'], '3f2a9c1');
		assert.equal(failed['policy_deny_network'], 'true');
		const running = Object.fromEntries(header!.map((column, i) => [column, rows.find(row => row[0] === RUNNING)![i]]));
		assert.equal(running['ended_at'], '');
	});

	it('writes one csv row per span with --spans', () => {
		const result = runSourceCli(['runs', 'export', '--spans', '--status', 'failed'], {home});
		assert.equal(result.code, 0, result.stderr);
		const [header, ...rows] = parseCsv(result.stdout);
		assert.equal(header![2], 'span_id');
		assert.equal(rows.length, 9);
		const migrate = rows.find(row => row[2] === 'migrate')!;
		assert.equal(migrate[4], 'deploy/migrate <db>');
		assert.equal(migrate[12], 'lock timeout on users');
	});

	it('writes json: an array of {run, spans}', () => {
		const result = runSourceCli(['runs', 'export', '--format', 'json', '--env', 'prod'], {home});
		assert.equal(result.code, 0, result.stderr);
		const document = JSON.parse(result.stdout) as Array<{run: {run_id: string}; spans: Array<{span_id: string}>}>;
		assert.equal(document.length, 1);
		assert.equal(document[0]!.run.run_id, FAILED);
		assert.equal(document[0]!.spans.length, 9);
		const empty = runSourceCli(['runs', 'export', '--json', '--env', 'nowhere'], {home});
		assert.deepEqual(JSON.parse(empty.stdout), []);
	});

	it('writes otlp: one document with every run, which ingest reads back into the same runs', () => {
		const dir = tempHome();
		const file = path.join(dir, 'traces.json');
		const result = runSourceCli(['runs', 'export', '--format', 'otlp', '--output', file], {home});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /exported 2 runs as otlp to /);
		assert.deepEqual(fs.readdirSync(dir), ['traces.json'], 'no temp file left');
		const document = JSON.parse(fs.readFileSync(file, 'utf8')) as {resourceSpans: unknown[]};
		assert.equal(document.resourceSpans.length, 2);

		const copy = tempHome();
		const index = RunIndex.open(copy);
		try {
			index.appendEvents(readEventsFile(file));
		} finally {
			index.close();
		}

		for (const ref of [FAILED, RUNNING]) {
			const spansIn = (where: string) => {
				const idx = RunIndex.open(where, {readonly: true});
				try {
					const run = idx.resolveRun(ref);
					return buildRunReport(run, idx.spans(run.trace_id), 0).spans;
				} finally {
					idx.close();
				}
			};

			assert.deepEqual(spansIn(copy), spansIn(home), ref);
		}
	});

	it('honours --limit and rejects bad flags with exit code 2', () => {
		const limited = runSourceCli(['runs', 'export', '--limit', '1'], {home});
		assert.equal(parseCsv(limited.stdout).length, 2);
		for (const args of [
			['--format', 'xml'],
			['--format', 'otlp', '--spans'],
			['--status', 'meh'],
			['--json', '--format', 'csv'],
		]) {
			const result = runSourceCli(['runs', 'export', ...args], {home});
			assert.equal(result.code, 2, args.join(' '));
			assert.match(result.stderr, /^tracedeck: /);
		}

		const nowhere = runSourceCli(['runs', 'export', '--output', path.join(tempHome(), 'missing', 'x.csv')], {home});
		assert.equal(nowhere.code, 2);
		assert.match(nowhere.stderr, /cannot write there/);
	});
});
