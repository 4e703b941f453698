import assert from 'node:assert/strict';
import {test} from 'node:test';
import {ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, terminalGuard, type TerminalGuardOptions} from '../../source/tui/terminal-guard.js';

/** A guard over fake streams; `log` holds what happened, in order. */
function fakeGuard(overrides: Partial<TerminalGuardOptions> = {}) {
	const log: string[] = [];
	const exits: number[] = [];
	const guard = terminalGuard({
		stdout: {isTTY: true, write: text => log.push(`out ${JSON.stringify(text)}`), on: () => undefined},
		stdin: {isTTY: true, setRawMode: mode => log.push(`raw ${mode}`)},
		stderr: {write: text => log.push(`err ${text.trim()}`)},
		stop: () => log.push('stop'),
		close: async () => {
			log.push('close');
		},
		exit: code => exits.push(code),
		...overrides,
	});
	return {guard, log, exits};
}

const LEAVE = `out ${JSON.stringify(`${LEAVE_ALT_SCREEN}\u001b[?25h`)}`;

test('a crash gives the terminal back before printing (else the message vanishes with the alternate screen), then exits 70', async () => {
	const {guard, log, exits} = fakeGuard();
	guard.enter();
	await guard.onCrash(new Error('boom\u001b[31m!'));
	assert.deepEqual(log, [`out ${JSON.stringify(ENTER_ALT_SCREEN)}`, 'stop', 'raw false', LEAVE, 'err tracedeck: internal error: boom! (set TRACEDECK_DEBUG=1 for details)', 'close']);
	assert.deepEqual(exits, [70]);
});

test('each signal: restore once, close, exit 128 + its number; a second signal changes nothing', async () => {
	for (const [signal, code] of [
		['SIGHUP', 129],
		['SIGINT', 130],
		['SIGTERM', 143],
	] as const) {
		const {guard, log, exits} = fakeGuard();
		guard.enter();
		// eslint-disable-next-line no-await-in-loop
		await Promise.all([guard.onSignal(signal), guard.onSignal('SIGTERM')]);
		guard.restore();
		assert.deepEqual(log.slice(1), ['stop', 'raw false', LEAVE, 'close']);
		assert.deepEqual(exits, [code]);
	}
});

test('a terminal that hung up (EIO on a write) ends the console as SIGHUP does, silently, however many errors follow', async () => {
	const {guard, log, exits} = fakeGuard();
	guard.enter();
	const eio = Object.assign(new Error('write EIO'), {code: 'EIO'});
	await Promise.all([guard.onCrash(eio), guard.onCrash(eio), guard.onCrash(new Error('later'))]);
	assert.ok(!log.some(line => line.startsWith('err ')), 'nothing reported on the dead terminal');
	assert.ok(!log.slice(1).some(line => line.startsWith('out ')), 'nothing more drawn on it');
	assert.deepEqual(exits, [129]);
});

test('a store that never closes does not keep the process: it exits after the timeout', async () => {
	const {guard, exits} = fakeGuard({close: async () => new Promise(() => undefined), closeTimeoutMs: 1});
	await guard.onSignal('SIGTERM');
	assert.deepEqual(exits, [143]);
});

test('not a terminal: nothing written; the alternate screen is left only when it was entered', () => {
	const {guard, log} = fakeGuard({stdout: {isTTY: false, write: () => assert.fail('wrote'), on: () => undefined}});
	guard.enter();
	guard.restore();
	assert.deepEqual(log, ['stop', 'raw false']);
	const tty = fakeGuard();
	tty.guard.restore();
	assert.deepEqual(tty.log, ['stop', 'raw false', `out ${JSON.stringify('\u001b[?25h')}`]);
});
