import assert from 'node:assert/strict';
import {test} from 'node:test';
import {HEARTBEAT_EVENT_TYPE} from '../../source/core/heartbeat.js';
import {ev, KEYS, renderApp, runningDeploy, settle} from './helpers.js';

const NOW = Date.now();
const TRACE = 'trace-running';

/** The running deploy's open step "upload" has printed: two stdout lines, one stderr line, a heartbeat. */
function events() {
	return [
		...runningDeploy(NOW, 5000),
		ev(TRACE, 's2', 'root', 'log:stdout', NOW - 4000, {line: 'uploading layer 1/3', stream: 'stdout'}),
		ev(TRACE, 's2', 'root', 'log:stderr', NOW - 3500, {line: 'warning: slow registry', stream: 'stderr'}),
		ev(TRACE, 's2', 'root', HEARTBEAT_EVENT_TYPE, NOW - 3000, undefined, 'pending'),
		ev(TRACE, 's2', 'root', 'log:stdout', NOW - 2000, {line: 'uploading layer 2/3', stream: 'stdout'}),
	];
}

test('live lines: a running step shows its last lines, marked by stream; a new stdout line appears without a key', async () => {
	const h = renderApp(events());
	try {
		await h.ready();
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('LIVE upload'));
		let frame = h.frame();
		assert.match(frame, /LIVE upload · last 3 of 3 lines · level all/);
		assert.match(frame, /out │ uploading layer 1\/3/);
		assert.match(frame, /err │ warning: slow registry/);
		assert.doesNotMatch(frame, /progress/, 'a heartbeat is not a line');
		for (const line of frame.split('\n')) {
			assert.ok(line.length <= 80, line);
		}

		h.index.appendEvents([ev(TRACE, 's2', 'root', 'log:stdout', NOW - 1000, {line: 'uploading layer 3/3', stream: 'stdout'})]);
		h.feed.changed([TRACE]);
		await settle(h, f => f.includes('layer 3/3'));
		frame = h.frame();
		assert.match(frame, /out │ uploading layer 3\/3/);
		assert.match(frame, /last 4 of 4 lines/);
	} finally {
		h.cleanup();
	}
});

test('live lines: v cycles all → warn → error, hiding stdout (info) lines as runs tail --level does; :level all shows them again', async () => {
	const h = renderApp(events());
	try {
		await h.ready();
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('LIVE upload'));
		await h.press('v');
		let frame = h.frame();
		assert.match(frame, /level warn\+ \(2 hidden\)/);
		assert.doesNotMatch(frame, /uploading layer/);
		assert.match(frame, /err │ warning: slow registry/);
		await h.press('v');
		assert.match(h.frame(), /level error \(2 hidden\)/);
		await h.press(':');
		await h.type('level all');
		await h.press(KEYS.enter);
		frame = h.frame();
		assert.match(frame, /level all/);
		assert.match(frame, /uploading layer 1\/3/);
	} finally {
		h.cleanup();
	}
});

test('live lines: span detail of the running step shows them too; a finished step shows none', async () => {
	const h = renderApp(events());
	try {
		await h.ready();
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('LIVE upload'));
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('upload') && !frame.includes('compile'));
		assert.match(h.frame(), /LIVE upload/);
		h.index.appendEvents([ev(TRACE, 's2', 'root', 'step:completed', NOW - 500, undefined, 'success')]);
		h.feed.changed([TRACE]);
		await settle(h, f => !f.includes('LIVE upload'));
		assert.doesNotMatch(h.frame(), /LIVE upload/);
	} finally {
		h.cleanup();
	}
});
