import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {forgetConfig} from '../../source/live/config-file.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {failedDeploy} from '../tui/helpers.js';

// At the top: tempHome's clean-up then runs when the file ends.
const dir = tempHome('tracedeck-config-cli-');
const fileHome = path.join(dir, 'file-home');
const envHome = path.join(dir, 'env-home');
const flagHome = path.join(dir, 'flag-home');
const config = path.join(dir, 'config.toml');

/*
 * Issue 19 item 4 through the CLI: the file feeds every command's settings
 * under the flags and the environment, --config and TRACEDECK_CONFIG pick
 * it, and a bad one stops the command with one line naming it (exit 2).
 */
describe('the config file through the CLI', () => {
	before(() => {
		for (const [home, trace] of [
			[fileHome, 'trace-file'],
			[envHome, 'trace-env'],
			[flagHome, 'trace-flag'],
		] as const) {
			const index = RunIndex.open(home);
			index.appendEvents(failedDeploy(trace, `run-20260114-101500-${trace.slice(6)}000`));
			index.close();
		}

		fs.writeFileSync(config, `home = "${fileHome}"\n\n[links]\nlogs = "https://logs.example/?trace={trace_id}&span={span_id}&from={start_ms}"\n`);
	});
	after(() => {
		forgetConfig();
	});

	const listed = async (args: string[], env: Record<string, string | undefined>): Promise<string[]> => {
		const result = await runInProcess(['runs', 'list', '--json', ...args], {env: {TRACEDECK_HOME: undefined, ...env}});
		assert.equal(result.code, 0, result.stderr);
		return (JSON.parse(result.stdout) as Array<{trace_id: string}>).map(run => run.trace_id);
	};

	it('home: --home over TRACEDECK_HOME over the file (found by TRACEDECK_CONFIG or --config)', async () => {
		assert.deepEqual(await listed([], {TRACEDECK_CONFIG: config}), ['trace-file']);
		assert.deepEqual(await listed(['--config', config], {TRACEDECK_CONFIG: path.join(dir, 'nowhere.toml')}), ['trace-file'], '--config over TRACEDECK_CONFIG');
		assert.deepEqual(await listed([], {TRACEDECK_CONFIG: config, TRACEDECK_HOME: envHome}), ['trace-env']);
		assert.deepEqual(await listed(['--home', flagHome], {TRACEDECK_CONFIG: config, TRACEDECK_HOME: envHome}), ['trace-flag']);
		assert.deepEqual(await listed([], {XDG_CONFIG_HOME: path.join(dir, 'xdg'), TRACEDECK_HOME: envHome}), ['trace-env']);
	});

	it('a bad file: one line naming the file and its line, exit 2; a missing --config file is named too', async () => {
		const bad = path.join(dir, 'bad.toml');
		fs.writeFileSync(bad, 'home = "/x"\n[colors]\nfailed = "red"\nfaild = "red"\n');
		const result = await runInProcess(['runs', 'list', '--json', '--config', bad]);
		assert.equal(result.code, 2);
		assert.equal(result.stdout, '');
		assert.equal(result.stderr, `tracedeck: ${bad}:4: unknown key "colors.faild"; the keys are success, failed, running, pending, cancelled, stuck, critical, accent, muted, mark\n`);
		const missing = await runInProcess(['runs', 'list', '--config', path.join(dir, 'typo.toml')]);
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /typo\.toml \(from --config\) does not exist/);
	});

	it('runs show: the text lists the failed span links; --json does not change', async () => {
		const text = await runInProcess(['runs', 'show', 'trace-file', '--text'], {env: {TRACEDECK_HOME: undefined, TRACEDECK_CONFIG: config}});
		assert.equal(text.code, 0, text.stderr);
		assert.match(text.stdout, /FAILURE {2}migrate[\s\S]*\n {2}links:\n {4}logs {2}https:\/\/logs\.example\/\?trace=trace-file&span=migrate&from=1768385720200\n/);
		const json = await runInProcess(['runs', 'show', 'trace-file', '--json'], {env: {TRACEDECK_HOME: undefined, TRACEDECK_CONFIG: config}});
		assert.ok(!json.stdout.includes('logs.example'));
	});
});
