import assert from 'node:assert/strict';
import test from 'node:test';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import type React from 'react';
import type {Span} from '../../source/core/span.js';
import {useRuns} from '../../source/tui/hooks/use-runs.js';
import {useTrace, type TraceData} from '../../source/tui/hooks/use-trace.js';
import {ev, failedDeploy, ManualFeed, runningDeploy, sleep} from './helpers.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {tempIndex} from '../helpers/temp-index.js';

async function until(check: () => boolean, ms = 2000): Promise<void> {
	const start = Date.now();
	while (!check() && Date.now() - start < ms) {
		// eslint-disable-next-line no-await-in-loop
		await sleep(5);
	}
}

function bySpanId(spans: readonly Span[]): Span[] {
	return [...spans].map(span => ({...span, retries: [...span.retries], stderr: [...span.stderr], tags: [...span.tags]})).sort((a, b) => (a.span_id < b.span_id ? -1 : 1));
}

test('useTrace: reads a snapshot, then folds live events into the same spans a full re-read gives', async () => {
	const now = Date.now();
	const {index, cleanup} = tempIndex(runningDeploy(now, 1000));
	const store = new SqliteStore(index);
	const feed = new ManualFeed();
	let latest: TraceData | undefined;
	function Probe(): React.JSX.Element {
		latest = useTrace(store, feed, 'trace-running', 5);
		return <Text>{latest.spans.length}</Text>;
	}

	const {unmount} = render(<Probe />);
	await until(() => latest?.spans.length === 3);
	assert.equal(latest?.spans.length, 3);
	assert.equal(latest?.run?.status, 'running');
	assert.equal(latest?.eventsSeen, 0);
	index.appendEvents([ev('trace-running', 's2', 'root', 'log:stderr', now + 1, {line: 'uploading'}), ev('trace-running', 's2', 'root', 'step:completed', now + 2, {retry: {n: 1, exit_code: 2}}, 'success'), ev('trace-running', 's3', 'root', 'step:started', now + 3, {name: 'verify'})]);
	feed.changed(['another-trace']);
	await sleep(30);
	assert.equal(latest?.spans.length, 3, 'changes to other traces are not read');
	feed.changed(['trace-running']);
	await until(() => latest?.spans.length === 4);
	assert.equal(latest?.spans.length, 4);
	assert.equal(latest?.eventsSeen, 3);
	assert.deepEqual(bySpanId(latest!.spans), bySpanId(index.spans('trace-running')));
	unmount();
	cleanup();
});

test('useTrace: an unknown trace says so', async () => {
	const {index, cleanup} = tempIndex([]);
	const store = new SqliteStore(index);
	const feed = new ManualFeed();
	let latest: TraceData | undefined;
	function Probe(): React.JSX.Element {
		latest = useTrace(store, feed, 'nope', 5);
		return <Text>x</Text>;
	}

	const {unmount} = render(<Probe />);
	await until(() => latest?.error !== null && latest?.error !== undefined);
	assert.match(latest?.error ?? '', /no run or trace "nope"/);
	unmount();
	cleanup();
});

test('useRuns: reloads on a change, coalescing bursts', async () => {
	const {index, cleanup} = tempIndex(failedDeploy());
	const store = new SqliteStore(index);
	const feed = new ManualFeed();
	let versions: number[] = [];
	let count = 0;
	function Probe(): React.JSX.Element {
		const data = useRuns(store, feed, 20);
		versions.push(data.version);
		count = data.runs.length;
		return <Text>{data.runs.length}</Text>;
	}

	const {unmount} = render(<Probe />);
	await until(() => count === 1);
	versions = [];
	index.appendEvents(runningDeploy(Date.now()));
	for (let i = 0; i < 10; i++) {
		feed.changed(['trace-running']);
	}

	await until(() => count === 2);
	await sleep(60);
	assert.equal(count, 2);
	assert.equal(Math.max(...versions), 1, 'ten changes, one reload');
	unmount();
	cleanup();
});
