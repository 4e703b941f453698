import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {runArtifactDir} from '../../source/store/artifact-dir.js';
import {parseRetention, purgeRuns, resolveRetention, retentionFor} from '../../source/store/retention.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {DAY, deployEvents} from './deploys.js';

test('retention policies: defaults, then TRACEDECK_RETENTION, then --keep', () => {
	const defaults = resolveRetention(undefined, {});
	assert.equal(retentionFor(defaults, 'prod'), 90 * DAY);
	assert.equal(retentionFor(defaults, 'staging'), 30 * DAY);
	assert.equal(retentionFor(defaults, 'dev'), 7 * DAY);
	assert.equal(retentionFor(defaults, 'qa'), 30 * DAY);
	assert.equal(retentionFor(defaults, null), 30 * DAY);
	const layered = resolveRetention('dev=1d,*=14d', {TRACEDECK_RETENTION: 'prod=365d,dev=3d'});
	assert.equal(retentionFor(layered, 'prod'), 365 * DAY);
	assert.equal(retentionFor(layered, 'dev'), DAY);
	assert.equal(retentionFor(layered, 'staging'), 30 * DAY);
	assert.equal(retentionFor(layered, 'qa'), 14 * DAY);
	assert.throws(() => parseRetention('prod'), /--keep: "prod" is not <env>=<duration>/);
	assert.throws(() => parseRetention('prod=soon'), /not <env>=<duration>/);
	assert.throws(() => parseRetention('prod=0d,*=1d'), /longer than zero/);
	assert.throws(() => parseRetention('prod=1d'), /no default retention/);
	assert.throws(() => resolveRetention(undefined, {TRACEDECK_RETENTION: 'x'}), /^InputError: TRACEDECK_RETENTION:|TRACEDECK_RETENTION: "x"/);
});

const NOW = Date.parse('2026-11-24T12:00:00Z');

interface Seeded {
	home: string;
	dirs: Record<string, string>;
}

/** Runs around their retention edges, each with an artifact folder. */
function seed(now: number): Seeded {
	const home = tempHome();
	const index = RunIndex.open(home);
	const finished = (trace: string, env: string | null, daysAgo: number): void => {
		index.appendEvents(deployEvents({trace, env, planHash: `hash-${trace}`, startMs: now - daysAgo * DAY, duration: 60, stages: [{name: 'build', start: 0, end: 30, stderr: [`log of ${trace}`]}]}));
	};

	finished('prod-old', 'prod', 100);
	finished('prod-mid', 'prod', 60);
	finished('dev-old', 'dev', 10);
	finished('dev-fresh', 'dev', 1);
	finished('qa-old', 'qa', 40);
	finished('none-mid', null, 20);
	// Started 200 days ago and never finished: running runs are never purged.
	index.appendEvents(deployEvents({trace: 'running-old', env: 'prod', startMs: now - 200 * DAY, stages: [{name: 'build', start: 0, end: null}]}));
	// Ended 10 days ago, but a line arrived yesterday: its age counts from that line.
	finished('dev-late', 'dev', 10);
	index.appendEvents([{trace_id: 'dev-late', span_id: 's0', event_type: 'log:stderr', timestamp: new Date(now - DAY).toISOString(), data: {line: 'late'}}]);

	const dirs: Record<string, string> = {};
	for (const run of index.listRuns()) {
		const dir = runArtifactDir(home, run);
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({run_id: run.run_id}));
		fs.writeFileSync(path.join(dir, 'plan.json'), '{}');
		dirs[run.trace_id] = dir;
	}

	index.close();
	return {home, dirs};
}

function rowCounts(home: string, trace: string): number[] {
	const index = RunIndex.open(home, {readonly: true});
	const counts = ['runs', 'spans', 'events'].map(table => index.db.prepare(`SELECT count(*) FROM ${table} WHERE trace_id = ?`).pluck().get(trace) as number);
	index.close();
	return counts;
}

const EXPIRED = ['prod-old', 'qa-old', 'dev-old'];
const KEPT = ['prod-mid', 'dev-fresh', 'none-mid', 'running-old', 'dev-late'];

test('a dry run lists the expired runs and deletes nothing', () => {
	const {home, dirs} = seed(NOW);
	const index = RunIndex.open(home);
	const result = purgeRuns(index, home, resolveRetention(undefined, {}), {dryRun: true, now: NOW});
	index.close();
	assert.equal(result.dry_run, true);
	assert.deepEqual(
		result.runs.map(r => r.trace_id),
		EXPIRED,
		'oldest activity first',
	);
	assert.deepEqual(result.runs[0]!.artifact_dirs, [dirs['prod-old']]);
	assert.equal(result.spans, 6);
	assert.equal(result.events, 15);
	for (const trace of [...EXPIRED, ...KEPT]) {
		assert.notDeepEqual(rowCounts(home, trace), [0, 0, 0], trace);
		assert.ok(fs.existsSync(dirs[trace]!), trace);
	}
});

test('a purge removes expired runs with their rows and folders; running and fresh runs stay', () => {
	const {home, dirs} = seed(NOW);
	// dev-old's folder name is shared with a run of another id: not its to delete.
	fs.writeFileSync(path.join(dirs['dev-old']!, 'summary.json'), JSON.stringify({run_id: 'someone-else'}));
	const index = RunIndex.open(home);
	const result = purgeRuns(index, home, resolveRetention(undefined, {}), {now: NOW});
	index.close();
	assert.deepEqual(
		result.runs.map(r => r.trace_id),
		EXPIRED,
	);
	assert.deepEqual(result.warnings, []);
	for (const trace of EXPIRED) {
		assert.deepEqual(rowCounts(home, trace), [0, 0, 0], trace);
	}

	for (const trace of KEPT) {
		const [runs, spans, events] = rowCounts(home, trace);
		assert.ok(runs === 1 && spans! > 0 && events! > 0, trace);
		assert.ok(fs.existsSync(dirs[trace]!), trace);
	}

	assert.ok(!fs.existsSync(dirs['prod-old']!));
	assert.ok(!fs.existsSync(path.dirname(dirs['prod-old']!)), 'its emptied plan-hash folder goes too');
	assert.ok(fs.existsSync(path.join(home, 'artifacts', 'prod', 'api')), 'folders still in use stay');
	assert.ok(fs.existsSync(dirs['dev-old']!), 'a folder naming another run is left alone');
	assert.deepEqual(result.runs.find(r => r.trace_id === 'dev-old')!.artifact_dirs, []);

	// Full-text search forgot them too.
	const after = RunIndex.open(home, {readonly: true});
	const lines = after.db.prepare("SELECT count(*) FROM log_search WHERE log_search MATCH 'log'").pluck().get();
	after.close();
	assert.equal(lines, KEPT.length - 1, 'running-old logged nothing');
});

test('tracedeck runs purge: --dry-run --json, then for real, and bad --keep', () => {
	const {home} = seed(Date.now());
	const dry = runCli(['runs', 'purge', '--dry-run', '--json', '--keep', 'qa=60d'], {home});
	assert.equal(dry.code, 0, dry.stderr);
	const planned = JSON.parse(dry.stdout) as {dry_run: boolean; runs: Array<{trace_id: string}>; retention: Record<string, string>};
	assert.equal(planned.dry_run, true);
	assert.deepEqual(
		planned.runs.map(r => r.trace_id),
		['prod-old', 'dev-old'],
	);
	assert.equal(planned.retention['qa'], '60d0h');

	const real = runCli(['runs', 'purge'], {home, env: {TRACEDECK_RETENTION: 'dev=30d'}});
	assert.equal(real.code, 0, real.stderr);
	// dev=30d keeps dev-old; qa-old is past the default 30 days. Each run: root and build spans, 5 events.
	assert.match(real.stdout, /\nrun-prod-old .*\nrun-qa-old .*\ndeleted 2 runs \(4 spans, 10 events, 2 artifact folders\)\n$/);
	const list = runCli(['runs', 'list', '--json', '--limit', '0'], {home});
	assert.deepEqual((JSON.parse(list.stdout) as Array<{trace_id: string}>).map(r => r.trace_id).sort(), ['dev-fresh', 'dev-late', 'dev-old', 'none-mid', 'prod-mid', 'running-old']);

	const bad = runCli(['runs', 'purge', '--keep', 'prod:90d'], {home});
	assert.equal(bad.code, 2);
	assert.equal(bad.stderr, 'tracedeck: --keep: "prod:90d" is not <env>=<duration> (e.g. prod=90d, *=30d)\n');
});

test('a purge trims service logs older than the longest retention of any env, full-text index in step; a dry run counts them', () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	const record = (daysAgo: number, env: string | null) => ({service: 'billing', env, time: new Date(NOW - daysAgo * DAY).toISOString(), severity_number: 9, severity_text: 'INFO', body: `cache warm ${daysAgo} days ago`, attributes: {}, resource: {'service.name': 'billing'}});
	// The longest retention (prod, 90 days) decides, whatever the record's own env: dev's 7 days do not.
	index.appendServiceLogs([record(120, 'dev'), record(91, null), record(89, 'dev'), record(10, 'prod'), record(1, null)]);
	const matches = (): number => index.db.prepare("SELECT count(*) FROM service_log_search WHERE service_log_search MATCH 'cache'").pluck().get() as number;
	const dry = purgeRuns(index, home, resolveRetention(undefined, {}), {dryRun: true, now: NOW});
	assert.equal(dry.service_logs, 2);
	assert.equal(matches(), 5, 'a dry run deletes nothing');
	assert.equal(purgeRuns(index, home, resolveRetention('prod=100d', {}), {now: NOW}).service_logs, 1, 'prod=100d keeps the 91-day-old one');
	assert.equal(purgeRuns(index, home, resolveRetention(undefined, {}), {now: NOW}).service_logs, 1);
	const left = index.db.prepare('SELECT body FROM service_logs ORDER BY time_ms').pluck().all();
	assert.deepEqual(left, ['cache warm 89 days ago', 'cache warm 10 days ago', 'cache warm 1 days ago']);
	assert.equal(matches(), 3, 'service_log_search forgot the deleted records');
	assert.doesNotThrow(() => index.db.prepare("INSERT INTO service_log_search (service_log_search) VALUES ('integrity-check')").run(), 'the full-text index matches its table');
	index.close();
});
