import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import React from 'react';
import {deepTrace} from '../../fixtures/big-trace.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {ChangeFeed, LiveStatus} from '../../source/live/change-feed.js';
import {RunIndex} from '../../source/store/run-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {App} from '../../source/tui/app.js';
import {tempHome} from '../helpers/temp-home.js';
import {HOSTILE_RUN, hostileRun} from './hostile-events.js';

/*
 * The console side of hostile data: the trace screen, the failure, the span
 * detail (stderr, error, input), the compensation and decision tabs, drawn
 * with ink-testing-library over a real run index. No frame may carry an
 * escape from the data; a 10,000-level tree must draw without overflowing.
 */

/** A feed that never fires: these runs are finished. */
const quietFeed: ChangeFeed = {
	status: (): LiveStatus => ({source: 'polling', lagMs: null}),
	onChange: () => () => undefined,
	onStatus: () => () => undefined,
	close: async () => undefined,
};

const CONTROL = /[\u001b\u009b\u0007]/;
const KEYS = {enter: '\r', esc: '\u001b', pageDown: '\u001b[6~'};

const sleep = async (ms: number): Promise<void> =>
	new Promise(resolve => {
		setTimeout(resolve, ms);
	});

interface Drawn {
	frames: string[];
	lastFrame(): string | undefined;
	stdin: {write(data: string): void};
	unmount(): void;
	cleanup(): void;
}

async function drawTrace(events: readonly TraceEvent[], run: string): Promise<{drawn: Drawn; index: RunIndex; press(...keys: string[]): Promise<void>}> {
	const home = tempHome('tracedeck-hostile-tui-');
	const writer = RunIndex.open(home);
	writer.appendEvents(events);
	writer.close();
	const index = RunIndex.open(home, {readonly: true});
	const drawn = render(React.createElement(App, {store: new SqliteStore(index), feed: quietFeed, initial: {screen: 'trace', run}, columns: 120, rows: 40, ascii: false, color: false, tickMs: 0})) as unknown as Drawn;
	const press = async (...keys: string[]): Promise<void> => {
		for (const key of keys) {
			drawn.stdin.write(key);
			await sleep(60);
		}
	};

	// The trace loads after the first frame.
	for (let i = 0; i < 100 && !/failed|✗/.test(drawn.lastFrame() ?? ''); i++) {
		await sleep(50);
	}

	return {drawn, index, press};
}

function assertInertFrames(frames: readonly string[]): void {
	for (const [i, frame] of frames.entries()) {
		const at = frame.search(CONTROL);
		assert.equal(at, -1, `frame ${i}: control byte at ${at}: ${JSON.stringify(frame.slice(Math.max(0, at - 60), at + 40))}`);
	}
}

test('console: hostile names, ids, stderr (10 MB line), errors and decisions draw as inert text on every screen', {timeout: 120_000}, async () => {
	const {drawn, index, press} = await drawTrace(hostileRun(), HOSTILE_RUN);
	try {
		// Failure, its detail (stderr, error, stack), expanded data, back; the tree; compensations; decisions and their detail.
		await press('f', KEYS.enter, 'e', KEYS.esc, 'g', 'j', 'j', 'j', KEYS.enter, KEYS.esc, 'c', 'C', KEYS.enter, KEYS.esc, 'a', KEYS.enter, 'e', KEYS.esc, '?', KEYS.esc);
		assert.ok(drawn.frames.length > 5, 'the console drew');
		const all = drawn.frames.join('\n');
		// What survives sanitizing: the visible words of the payloads, in the tree and in the span detail.
		assert.match(all, /click me/, 'the hostile names were on screen');
		assert.match(all, /stderr red/, 'the failing span detail with its stderr was on screen');
		assertInertFrames(drawn.frames);
	} finally {
		drawn.unmount();
		drawn.cleanup();
		index.close();
	}
});

test('console: a trace 10,000 levels deep opens, jumps to its failure and pages without overflowing', {timeout: 120_000}, async () => {
	const depth = 10_000;
	const events = deepTrace(depth, {failLeaf: true});
	const {drawn, index, press} = await drawTrace(events, String(events[0]!.data?.['run_id']));
	try {
		await press('f', KEYS.pageDown, KEYS.pageDown, 'G', 'g', KEYS.enter, KEYS.esc);
		const frame = drawn.lastFrame() ?? '';
		assert.match(frame, /level|deep/, 'the tree is drawn');
		assert.doesNotMatch(drawn.frames.join('\n'), /Maximum call stack|RangeError/);
	} finally {
		drawn.unmount();
		drawn.cleanup();
		index.close();
	}
});
