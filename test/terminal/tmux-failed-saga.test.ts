import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {failedSaga} from '../../fixtures/canonical.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {REPO} from '../helpers/repo-root.js';

const BIN = path.join(REPO, 'bin/tracedeck.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * The console as a person meets it: a real 80x24 terminal (tmux), keys sent
 * one by one, the screen read back as text. Opens a failed saga, jumps to the
 * failure with `f`, opens it, and finds its error.
 */
test('tmux 80x24: open a failed saga, jump to the failure, read its error', {skip: hasTmux ? false : 'tmux is not installed', timeout: 60_000}, async () => {
	const home = tempHome();
	const index = RunIndex.open(home);
	index.appendEvents(failedSaga());
	const run = index.listRuns()[0]!;
	index.close();

	const socket = `tracedeck-test-${process.pid}`;
	const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const screen = (): string => tmux('capture-pane', '-p', '-t', 'td');
	const waitFor = async (pattern: RegExp): Promise<string> => {
		let last = '';
		for (let i = 0; i < 100; i++) {
			last = screen();
			if (pattern.test(last)) {
				return last;
			}

			await delay(100);
		}

		assert.fail(`screen never showed ${pattern}:\n${last}`);
	};

	const command = `env TRACEDECK_HOME='${home}' TRACEDECK_REDIS_URL= LANG=C.UTF-8 '${process.execPath}' '${BIN}' runs show ${run.run_id}`;
	tmux('new-session', '-d', '-s', 'td', '-x', '80', '-y', '24', command);
	try {
		const trace = await waitFor(/validate-application/);
		assert.match(trace, /loan-approval/);
		assert.ok(trace.replace(/\n$/, '').split('\n').length <= 24, 'fits 24 rows');
		tmux('send-keys', '-t', 'td', 'f');
		const failure = await waitFor(/root cause/);
		assert.match(failure, /disburse/);
		tmux('send-keys', '-t', 'td', 'Enter');
		const detail = await waitFor(/ERROR/);
		assert.match(detail, /PATH FROM ROOT/);
		assert.match(detail, new RegExp(run.failed_step ?? 'disburse'));
		const error = /ERROR\n\s+(.+)/.exec(detail)?.[1] ?? '';
		assert.notEqual(error.trim(), '', 'the error message is shown under ERROR');
		tmux('send-keys', '-t', 'td', 'q');
	} finally {
		spawnSync('tmux', ['-L', socket, 'kill-server']);
	}
});
