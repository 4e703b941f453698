import assert from 'node:assert/strict';
import {test} from 'node:test';
import {DEFAULT_STUCK_AFTER_MS, isStuck} from '../../source/core/active-runs.js';
import {TracedeckMetrics} from '../../source/interop/prometheus-metrics.js';
import {purgeRuns, parseRetention} from '../../source/store/retention.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {DAY, deployEvents, HOUR} from './deploys.js';
import {parsePrometheusText, sampleValue} from './prometheus-text.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

function seed(index: RunIndex): void {
	// prod: a success (600 s; build 60 s, migrate 200 s), a failure with a rollback, a running deploy.
	index.appendEvents(
		deployEvents({
			trace: 'p1',
			env: 'prod',
			startMs: NOW - 5 * HOUR,
			duration: 600,
			stages: [
				{name: 'build', start: 0, end: 60},
				{name: 'migrate', start: 60, end: 260},
				{name: 'smoke tests', start: 300, end: 320},
			],
		}),
	);
	index.appendEvents(
		deployEvents({
			trace: 'p2',
			env: 'prod',
			startMs: NOW - 4 * HOUR,
			duration: 100,
			status: 'failed',
			stages: [
				{name: 'build', start: 0, end: 4},
				{name: 'smoke tests', start: 10, end: 20, status: 'failed', error: 'GET /health 503'},
				{id: 'rb', name: 'rollback', start: 30, end: 90},
				{name: 'rollback db', start: 31, end: 60, parent: 'rb'},
			],
		}),
	);
	// Live: events arrive in several batches, so the stage ends by update, not insert.
	const live = deployEvents({trace: 'p3', env: 'prod', startMs: NOW - HOUR, stages: [{name: 'build', start: 0, end: 30}]});
	index.appendEvents(live.slice(0, 2));
	index.appendEvents(live.slice(2));
	// staging: a run still going, silent for an hour (stuck); a run without env is no deployment.
	index.appendEvents(deployEvents({trace: 's1', env: 'staging', startMs: NOW - 2 * HOUR, stages: [{name: 'build', start: 0, end: null}]}));
	index.appendEvents(deployEvents({trace: 'c1', env: null, startMs: NOW - 3 * HOUR, duration: 50, stages: [{name: 'build', start: 0, end: 45}]}));
}

test('a scrape parses strictly and carries the deployment figures of the run index', async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	seed(index);
	const metrics = new TracedeckMetrics(new SqliteStore(index), {now: () => NOW});
	metrics.recordEvents(12);
	metrics.recordIngestError();
	metrics.observeStreamLatency(40);
	metrics.observeStreamLatency(3000);
	metrics.setRedisWriteFailures(3);
	metrics.setRedisWriteFailures(5);
	assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
	const families = parsePrometheusText(await metrics.render());
	index.close();

	assert.equal(families.get('deployment_total')?.type, 'counter');
	assert.equal(sampleValue(families, 'deployment_total', {env: 'prod', status: 'success'}), 1);
	assert.equal(sampleValue(families, 'deployment_total', {env: 'prod', status: 'failed'}), 1);
	assert.equal(sampleValue(families, 'deployment_total', {env: 'prod', status: 'cancelled'}), 0);
	assert.equal(sampleValue(families, 'deployment_total', {env: 'staging', status: 'success'}), undefined, 'staging never finished a deployment');
	assert.equal(sampleValue(families, 'deployment_in_progress', {env: 'prod'}), 1);
	assert.equal(sampleValue(families, 'deployment_in_progress', {env: 'staging'}), 1);
	// p3's last event is 30 s into an hour-old run: both running runs are silent past the stuck threshold.
	assert.equal(sampleValue(families, 'tracedeck_stuck_runs', {env: 'staging'}), 1);
	assert.equal(sampleValue(families, 'tracedeck_stuck_runs', {env: 'prod'}), 1);
	assert.equal(sampleValue(families, 'deployment_rollback_total'), 1, 'rollback > rollback db is one rollback');
	assert.equal(sampleValue(families, 'smoke_test_total', {status: 'success'}), 1);
	assert.equal(sampleValue(families, 'smoke_test_total', {status: 'failed'}), 1);

	assert.equal(families.get('deployment_stage_duration_seconds')?.type, 'histogram');
	// build: 60 s (p1), 4 s (p2), 30 s (p3, by update), 45 s (c1: stages count in any run).
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_count', {stage: 'build'}), 4);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_sum', {stage: 'build'}), 139);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_bucket', {stage: 'build', le: '5'}), 1);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_bucket', {stage: 'build', le: '30'}), 2);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_bucket', {stage: 'build', le: '60'}), 4);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_bucket', {stage: 'migrate', le: '120'}), 0);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_bucket', {stage: 'migrate', le: '300'}), 1);

	assert.equal(sampleValue(families, 'time_to_deploy_seconds_count', {env: 'prod', status: 'success'}), 1);
	assert.equal(sampleValue(families, 'time_to_deploy_seconds_sum', {env: 'prod', status: 'success'}), 600);
	assert.equal(sampleValue(families, 'time_to_deploy_seconds_bucket', {env: 'prod', status: 'success', le: '300'}), 0);
	assert.equal(sampleValue(families, 'time_to_deploy_seconds_bucket', {env: 'prod', status: 'success', le: '600'}), 1);
	assert.equal(sampleValue(families, 'time_to_deploy_seconds_sum', {env: 'prod', status: 'failed'}), 100);

	assert.equal(sampleValue(families, 'tracedeck_events_total'), 12);
	assert.equal(sampleValue(families, 'tracedeck_ingest_errors_total'), 1);
	assert.equal(sampleValue(families, 'tracedeck_redis_write_failures_total'), 5);
	assert.equal(sampleValue(families, 'tracedeck_stream_latency_ms_count'), 2);
	assert.equal(sampleValue(families, 'tracedeck_stream_latency_ms_bucket', {le: '50'}), 1);
});

test('the deployment counters only grow: a purge does not lower them', async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	seed(index);
	const metrics = new TracedeckMetrics(new SqliteStore(index), {now: () => NOW});
	const before = parsePrometheusText(await metrics.render());
	const result = purgeRuns(index, home, parseRetention('*=1h'), {now: NOW + 30 * DAY});
	assert.equal(result.runs.length, 3, 'the finished runs went');
	const after = parsePrometheusText(await metrics.render());
	index.close();
	for (const [name, labels] of [
		['deployment_total', {env: 'prod', status: 'failed'}],
		['deployment_rollback_total', {}],
		['deployment_stage_duration_seconds_count', {stage: 'build'}],
		['time_to_deploy_seconds_count', {env: 'prod', status: 'success'}],
	] as const) {
		assert.equal(sampleValue(after, name, labels), sampleValue(before, name, labels), name);
	}
});

test('each TracedeckMetrics has its own registry', async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	const a = new TracedeckMetrics(new SqliteStore(index));
	const b = new TracedeckMetrics(new SqliteStore(index));
	a.recordEvents(3);
	assert.equal(sampleValue(parsePrometheusText(await b.render()), 'tracedeck_events_total'), 0);
	a.setRedisWriteFailures(4);
	a.setRedisWriteFailures(1);
	assert.equal(sampleValue(parsePrometheusText(await a.render()), 'tracedeck_redis_write_failures_total'), 1, 'a smaller total restarts the counter');
	index.close();
});

test('stage names past 100 share stage="_other", so a scrape stays bounded', async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	const stages = Array.from({length: 130}, (_, i) => ({name: `step ${i}`, start: i, end: i + 1}));
	index.appendEvents(deployEvents({trace: 'many', env: 'dev', startMs: NOW - HOUR, duration: 200, stages}));
	const families = parsePrometheusText(await new TracedeckMetrics(new SqliteStore(index)).render());
	index.close();
	const counts = families.get('deployment_stage_duration_seconds')!.samples.filter(s => s.name.endsWith('_count'));
	assert.equal(counts.length, 101);
	assert.equal(
		counts.reduce((sum, s) => sum + s.value, 0),
		130,
	);
	assert.equal(sampleValue(families, 'deployment_stage_duration_seconds_count', {stage: '_other'}), 30);
});

test('the strict parser rejects what Prometheus would', () => {
	assert.throws(() => parsePrometheusText('x 1\n'), /no TYPE/);
	assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a="\\t"} 1\n'), /bad escape/);
	assert.throws(() => parsePrometheusText('# TYPE x counter\nx 1\nx 2\n'), /duplicate/);
	assert.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), /cumulative/);
	assert.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'), /differs/);
	assert.throws(() => parsePrometheusText('# TYPE x gauge\nx 1'), /newline/);
});

test("events arriving one by one count the same as one batch (the triggers' update paths)", async () => {
	const spec = {
		env: 'prod',
		startMs: NOW - HOUR,
		duration: 300,
		status: 'failed' as const,
		stages: [
			{name: 'build', start: 0, end: 40, stderr: ['compiling', 'done']},
			{name: 'smoke', start: 50, end: 60, status: 'failed' as const, error: 'smoke check failed'},
			{id: 'rb', name: 'Roll back', start: 70, end: 200},
			{name: 'rollback api', start: 71, end: 100, parent: 'rb'},
		],
	};
	const scrape = async (batches: (events: ReturnType<typeof deployEvents>) => Array<ReturnType<typeof deployEvents>>): Promise<string> => {
		const index = RunIndex.open(tempHome());
		for (const batch of batches(deployEvents({trace: 't', ...spec}))) {
			index.appendEvents(batch);
		}

		const text = await new TracedeckMetrics(new SqliteStore(index), {now: () => NOW}).render();
		const hits = index.db.prepare("SELECT count(*) FROM span_search WHERE span_search MATCH 'smoke'").pluck().get();
		index.close();
		assert.equal(hits, 1, 'the smoke span (its name and its error are one row)');
		return text;
	};

	const oneByOne = await scrape(events => events.map(event => [event]));
	const whole = await scrape(events => [events]);
	assert.equal(oneByOne, whole);
	const families = parsePrometheusText(whole);
	assert.equal(sampleValue(families, 'deployment_total', {env: 'prod', status: 'failed'}), 1);
	assert.equal(sampleValue(families, 'deployment_rollback_total'), 1);
	assert.equal(sampleValue(families, 'smoke_test_total', {status: 'failed'}), 1);
	assert.equal(sampleValue(families, 'time_to_deploy_seconds_sum', {env: 'prod', status: 'failed'}), 300);
});

test('one stuck threshold: /metrics counts as stuck exactly the runs the console marks stuck', async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	// Silent for 6 minutes: past the 5-minute default, under the 15 minutes /metrics once used on its own.
	index.appendEvents(deployEvents({trace: 'q1', env: 'prod', startMs: NOW - 6 * 60_000, stages: [{name: 'build', start: 0, end: null}]}));
	const run = index.listRuns({status: 'running'})[0]!;
	const families = parsePrometheusText(await new TracedeckMetrics(new SqliteStore(index), {now: () => NOW}).render());
	const longer = parsePrometheusText(await new TracedeckMetrics(new SqliteStore(index), {now: () => NOW, stuckAfterMs: 10 * 60_000}).render());
	index.close();
	assert.equal(isStuck(run, NOW, DEFAULT_STUCK_AFTER_MS), true);
	assert.equal(sampleValue(families, 'tracedeck_stuck_runs', {env: 'prod'}), 1);
	assert.equal(isStuck(run, NOW, 10 * 60_000), false);
	assert.equal(sampleValue(longer, 'tracedeck_stuck_runs', {env: 'prod'}) ?? 0, 0);
});
