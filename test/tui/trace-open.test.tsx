import assert from 'node:assert/strict';
import test from 'node:test';
import {render} from 'ink-testing-library';
import {bigTrace} from '../../fixtures/big-trace.js';
import type {Span} from '../../source/core/span.js';
import {buildTree, walk} from '../../source/core/tree.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {App} from '../../source/tui/app.js';
import {PIECEMEAL_ABOVE} from '../../source/tui/hooks/use-trace.js';
import {tempIndex} from '../helpers/temp-index.js';
import {ev, ManualFeed, sleep} from './helpers.js';

/** A store whose pages of spans wait until the test lets them through: the trace stays half-read as long as it likes. */
class GatedStore extends SqliteStore {
	pagesRead = 0;
	private open!: () => void;
	private gate = new Promise<void>(resolve => {
		this.open = resolve;
	});

	release(): void {
		this.open();
	}

	override async traceSpansPage(traceId: string, after: string, limit: number): Promise<Span[]> {
		await this.gate;
		this.pagesRead++;
		return super.traceSpansPage(traceId, after, limit);
	}
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
	const start = Date.now();
	while (!check() && Date.now() - start < ms) {
		// eslint-disable-next-line no-await-in-loop
		await sleep(10);
	}
}

function ids(spans: readonly Span[]): string[] {
	return walk(buildTree(spans)).map(span => span.span_id);
}

// Big enough to open in pieces, and of a shape (bigTrace's) whose first two levels fill a screen.
const SPANS = Math.max(PIECEMEAL_ABOVE + 1000, 11_000);
const events = bigTrace(SPANS, 3);
const root = events.find(event => event.parent_span_id === undefined)!;
const runId = String(root.data?.['run_id']);
const rootName = String(root.data?.['name']);

test('trace screen: a big trace shows its first rows before its spans are read, answers keys meanwhile, and ends with the full read', async () => {
	const {index, cleanup} = tempIndex(events, 'tracedeck-open-');
	const store = new GatedStore(index);
	const feed = new ManualFeed();
	const instance = render(<App store={store} feed={feed} columns={100} rows={30} ascii={false} color={false} tickMs={0} reloadMs={5} initial={{screen: 'trace', run: runId}} />);
	const frame = (): string => instance.lastFrame() ?? '';
	try {
		await until(() => frame().includes(`loading 0/${SPANS.toLocaleString('en-US')}`) && frame().includes(rootName));
		assert.match(frame(), new RegExp(`loading 0/${SPANS.toLocaleString('en-US')}`), 'the count of what is read so far');
		assert.equal(store.pagesRead, 0, 'no page of spans was read yet');
		assert.match(frame(), /▾ ✗ /, 'the root row, open');
		// Rows under the root: the tree's top, opened two levels deep as the full trace will open.
		const rowsShown = frame()
			.split('\n')
			.filter(line => /[▾▸·] [✓✗…]/.test(line) || /^\s*›?\s+[✓✗] /.test(line));
		assert.ok(rowsShown.length >= 10, `a screen of rows: ${frame()}`);
		assert.match(frame(), /1\/\d+/);
		const early = frame();
		instance.stdin.write('j');
		await until(() => /2\/\d+/.test(frame()));
		assert.match(frame(), /2\/\d+/, 'j moved the selection while the trace loads');
		assert.equal(store.pagesRead, 0);

		const whole = await store.traceSnapshot(root.trace_id);
		store.release();
		await until(() => frame().includes(`${SPANS} spans`));
		assert.match(frame(), new RegExp(`${SPANS} spans`), 'loaded: the status line counts the spans');
		assert.ok(store.pagesRead >= 2, `read in pages: ${store.pagesRead}`);
		assert.match(frame(), /2\/\d+/, 'the selection stayed where the key put it');
		assert.doesNotMatch(frame(), /loading/);
		// The same rows as a trace opened whole.
		const {unmount: unmountWhole, lastFrame: wholeFrame} = render(<App store={new SqliteStore(index)} feed={new ManualFeed()} columns={100} rows={30} ascii={false} color={false} tickMs={0} reloadMs={5} initial={{screen: 'trace', run: runId}} />);
		await until(() => (wholeFrame() ?? '').includes(`${SPANS} spans`));
		const body = (text: string): string => text.split('\n').slice(3, -4).join('\n').replace(/›/g, ' ');
		if (process.env['SHOW_FRAMES'] === '1') {
			process.stdout.write(`${frame()}\n----\n${wholeFrame()}\n`);
		}

		assert.equal(body(frame()), body(wholeFrame() ?? ''), 'the tree drawn after loading is the one a whole read draws');
		// The first rows do not move when the rest comes in: names, twisties and times as the whole trace has them
		// (the critical path's marks come with the whole trace).
		const treeColumn = (text: string): string[] =>
			text
				.split('\n')
				.slice(4, -4)
				.map(line => line.slice(0, 62).replace(/[›◆]/g, ' '));
		assert.deepEqual(treeColumn(early), treeColumn(wholeFrame() ?? ''), 'the first rows are the ones the whole trace shows first');
		unmountWhole();
		assert.equal(whole.spans.length, SPANS);
	} finally {
		instance.unmount();
		cleanup();
	}
});

test('useTrace in pieces: events stored while the pages are read end up in the spans, as a whole read after them gives', async () => {
	const {useTrace} = await import('../../source/tui/hooks/use-trace.js');
	const {Text} = await import('ink');
	const {index, cleanup} = tempIndex(events, 'tracedeck-open-');
	const store = new GatedStore(index);
	const feed = new ManualFeed();
	let latest: ReturnType<typeof useTrace> | undefined;
	function Probe(): React.JSX.Element {
		latest = useTrace(store, feed, root.trace_id, 5);
		return <Text>{latest.spans.length}</Text>;
	}

	const {unmount} = render(<Probe />);
	try {
		await until(() => latest?.progress !== null && latest?.progress !== undefined);
		assert.deepEqual(latest?.progress, {loaded: 0, total: SPANS});
		assert.ok(latest!.spans.length < SPANS && latest!.spans.length > 0, 'the head only');
		// A stderr line on a stored span and a new span, both after the head's cursor.
		const some = events.find(event => event.parent_span_id === root.span_id)!;
		index.appendEvents([ev(root.trace_id, some.span_id, root.span_id, 'log:stderr', Date.parse(some.timestamp) + 1, {line: 'late line'}), ev(root.trace_id, 'late-span', root.span_id, 'step:started', Date.parse(some.timestamp) + 2, {name: 'late'})]);
		feed.changed([root.trace_id]);
		store.release();
		await until(() => latest?.progress === null && latest.spans.length === SPANS + 1);
		assert.equal(latest?.progress, null);
		assert.equal(latest?.loading, false);
		const now = await store.traceSnapshot(root.trace_id);
		const bySpan = (spans: readonly Span[]) => [...spans].map(span => ({...span, retries: [...span.retries], stderr: [...span.stderr], tags: [...span.tags]})).sort((a, b) => (a.span_id < b.span_id ? -1 : 1));
		assert.deepEqual(bySpan(latest!.spans), bySpan(now.spans), 'the spans of a whole read after the writes');
		assert.deepEqual(ids(latest!.spans), ids(now.spans), 'the same tree');
		assert.ok(latest!.spans.find(span => span.span_id === some.span_id)!.stderr.includes('late line'));
		// Nothing folded twice: a change after the load folds only what is new.
		assert.equal(latest?.eventsSeen, 0);
	} finally {
		unmount();
		cleanup();
	}
});
