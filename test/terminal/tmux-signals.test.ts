import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {failedSaga} from '../../fixtures/canonical.js';
import {RunIndex} from '../../source/store/run-index.js';
import {CONSOLE_SIGNALS, type ConsoleSignal} from '../../source/tui/terminal-guard.js';
import {sourceCliArgv} from '../helpers/source-cli.js';
import {tempHome} from '../helpers/temp-home.js';
import {REPO} from '../helpers/repo-root.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const home = tempHome();

/**
 * Issue 18.4: a signal must give the terminal back. The console runs in a real
 * terminal (tmux, 80x24) under a shell that, once the console has gone,
 * records its exit status and the terminal's modes; tmux says whether the
 * pane is still in the alternate screen and whether the cursor shows. The
 * signals run side by side, each in a tmux server of its own: they mostly wait.
 */
describe('a signal restores the terminal: alternate screen left, cursor shown, raw mode off, exit 128+n', {skip: hasTmux ? false : 'tmux is not installed', timeout: 120_000, concurrency: true}, () => {
	const index = RunIndex.open(home);
	index.appendEvents(failedSaga());
	index.close();

	for (const signal of Object.keys(CONSOLE_SIGNALS) as ConsoleSignal[]) {
		it(signal, async () => {
			const socket = `tracedeck-signal-${process.pid}-${signal}`;
			const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
			const format = (what: string): string => tmux('display-message', '-p', '-t', 'td', what).trim();
			const after = path.join(home, `after-${signal}`);
			const waitFor = async (check: () => boolean, what: string): Promise<void> => {
				for (let i = 0; i < 200; i++) {
					if (check()) {
						return;
					}

					await delay(100);
				}

				assert.fail(`never: ${what}\n${tmux('capture-pane', '-p', '-t', 'td')}`);
			};

			// The source through tsx, so that no build is needed; the shell stays after the console.
			const consoleCommand = ['env', `TRACEDECK_HOME=${home}`, 'TRACEDECK_REDIS_URL=', 'LANG=C.UTF-8', 'NODE_ENV=production', process.execPath, ...sourceCliArgv([])].map(word => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
			const shell = `cd '${REPO}'; ${consoleCommand}; echo "status=$?" > '${after}'; stty -a >> '${after}'; sleep 30`;
			tmux('new-session', '-d', '-s', 'td', '-x', '80', '-y', '24', 'sh', '-c', shell);
			try {
				await waitFor(() => /tracedeck › runs/.test(tmux('capture-pane', '-p', '-t', 'td')) && /loan-approval/.test(tmux('capture-pane', '-p', '-t', 'td')), 'the runs list');
				assert.equal(format('#{alternate_on}'), '1', 'the console draws in the alternate screen');
				// The console is the shell's child (node, tsx loads in-process).
				const shellPid = format('#{pane_pid}');
				const consolePid = execFileSync('pgrep', ['-P', shellPid], {encoding: 'utf8'}).trim().split('\n')[0]!;
				process.kill(Number(consolePid), signal);
				await waitFor(() => fs.existsSync(after) && fs.readFileSync(after, 'utf8').includes('speed'), 'the shell after the console');
				const record = fs.readFileSync(after, 'utf8');
				assert.match(record, new RegExp(`status=${128 + CONSOLE_SIGNALS[signal]}\\b`));
				assert.equal(format('#{alternate_on}'), '0', 'left the alternate screen');
				assert.equal(format('#{cursor_flag}'), '1', 'the cursor shows');
				// Raw mode off: the line discipline is back to canonical mode with echo.
				assert.match(record, /(^|\s)icanon\b/);
				assert.match(record, /(^|\s)echo\b/);
			} finally {
				spawnSync('tmux', ['-L', socket, 'kill-server']);
			}
		});
	}
});
