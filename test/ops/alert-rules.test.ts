import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {REPO} from '../helpers/repo-root.js';

const ALERTS = path.join(REPO, 'alerts');

/** promtool ships in Debian's prometheus package; CI installs it (.ci/run). */
function findPromtool(): string | undefined {
	for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
		const candidate = path.join(dir, 'promtool');
		if (dir !== '' && fs.existsSync(candidate)) {
			return candidate;
		}
	}

	return undefined;
}

const promtool = findPromtool();
const skip = promtool === undefined ? 'promtool not on PATH (apt-get install prometheus); alert rules not checked' : false;

function run(args: string[]): {code: number; output: string} {
	const result = spawnSync(promtool!, args, {cwd: ALERTS, encoding: 'utf8', timeout: 60_000});
	return {code: result.status ?? -1, output: `${result.stdout}${result.stderr}`};
}

test('promtool check rules: the alert rules are valid', {skip}, () => {
	const result = run(['check', 'rules', 'tracedeck.rules.yml']);
	assert.equal(result.code, 0, result.output);
	assert.match(result.output, /SUCCESS: 8 rules found/);
});

test('promtool test rules: each alert fires when it should and only then', {skip}, () => {
	const result = run(['test', 'rules', 'tracedeck.rules.test.yml']);
	assert.equal(result.code, 0, result.output);
	assert.match(result.output, /SUCCESS/);
});

test('every metric the rules use is one tracedeck exposes', () => {
	const rules = fs.readFileSync(path.join(ALERTS, 'tracedeck.rules.yml'), 'utf8');
	const used = new Set([...rules.matchAll(/\b(deployment_[a-z_]+|smoke_test_total|tracedeck_[a-z_]+|time_to_deploy_seconds)\b/g)].map(m => m[1]!.replace(/_bucket$/, '')));
	const exposed = new Set([
		'deployment_total',
		'deployment_rollback_total',
		'deployment_in_progress',
		'deployment_stage_duration_seconds',
		'smoke_test_total',
		'time_to_deploy_seconds',
		'tracedeck_stuck_runs',
		'tracedeck_events_total',
		'tracedeck_ingest_errors_total',
		'tracedeck_redis_write_failures_total',
		'tracedeck_stream_latency_ms',
	]);
	for (const name of used) {
		// Alert and group names (TracedeckRunsStuck, tracedeck-health) are not metrics.
		if (!/^tracedeck_(deployments|health)$/.test(name)) {
			assert.ok(exposed.has(name), `${name} is not exposed`);
		}
	}
});
