import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Run} from '../../source/core/run.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {RunCounts, RunFigures, RunListing, RunPage} from '../../source/store/run-page.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {RunsLoader, type ListingQuery, type PageState} from '../../source/tui/hooks/runs-loader.js';
import {tempIndex} from '../helpers/temp-index.js';
import {ev} from './helpers.js';

/** A store that answers only when the test says so, like a database across a slow network; it counts reads at once. */
class HeldStore extends SqliteStore {
	readonly held: Array<{what: string; release: () => void}> = [];
	atOnce = 0;
	mostAtOnce = 0;

	private async hold<T>(what: string, read: () => Promise<T>): Promise<T> {
		this.atOnce += 1;
		this.mostAtOnce = Math.max(this.mostAtOnce, this.atOnce);
		try {
			await new Promise<void>(resolve => {
				this.held.push({what, release: resolve});
			});
			return await read();
		} finally {
			this.atOnce -= 1;
		}
	}

	override async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		return this.hold('first', async () => super.firstRuns(listing, limit));
	}

	override async runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage> {
		return this.hold(`page ${listing.order}`, async () => super.runPage(listing, selection, size));
	}

	override async runsBetween(listing: RunListing, counts: RunCounts, from: number, to: number): Promise<Run[]> {
		return this.hold(`window ${from}`, async () => super.runsBetween(listing, counts, from, to));
	}

	override async runFigures(listing: RunListing): Promise<RunFigures> {
		return this.hold('figures', async () => super.runFigures(listing));
	}
}

const NOW = Date.parse('2026-01-14T12:00:00.000Z');

/** `n` finished runs, run-0 the newest; every third failed. */
function runs(n: number): TraceEvent[] {
	const events: TraceEvent[] = [];
	for (let i = 0; i < n; i++) {
		const trace = `trace-${i}`;
		const at = NOW - (i + 1) * 60_000;
		events.push(ev(trace, 'root', null, 'workflow:started', at, {name: `deploy ${i}`, run_id: `run-${i}`}));
		events.push(ev(trace, 'root', null, i % 3 === 0 ? 'workflow:failed' : 'workflow:completed', at + 1000, undefined, i % 3 === 0 ? 'failed' : 'success'));
	}

	return events;
}

const tick = async (): Promise<void> =>
	new Promise(resolve => {
		setImmediate(resolve);
	});

/** Answer the oldest read held, and let what follows it run. */
async function answer(store: HeldStore, what?: RegExp): Promise<string> {
	// The count after the first screenful is asked for on a timer (once that screen is drawn).
	for (let i = 0; i < 100 && store.held.length === 0; i++) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 1);
		});
	}

	const next = store.held.shift();
	assert.ok(next, 'a read is waiting');
	if (what) {
		assert.match(next.what, what);
	}

	next.release();
	await tick();
	await tick();
	return next.what;
}

function setup(n: number): {store: HeldStore; loader: RunsLoader; query: ListingQuery; pages: PageState[]; cleanup: () => void} {
	const {index, cleanup} = tempIndex(runs(n));
	const store = new HeldStore(index);
	const query: ListingQuery = {filter: '', sort: 'started', nowMs: NOW, stuckAfterMs: 300_000};
	const pages: PageState[] = [];
	const loader = new RunsLoader(
		store,
		() => ({...query}),
		() => ({traceId: null, index: 0}),
		page => pages.push(page),
	);
	return {store, loader, query, pages, cleanup};
}

test('RunsLoader: nothing held is a placeholder, not an error; rows arrive with the answer', async () => {
	const {store, loader, pages, cleanup} = setup(1000);
	loader.start();
	assert.equal(loader.current.loaded, false);
	assert.equal(loader.fetch(5, 18), undefined);
	assert.equal(loader.count(), 0);
	await answer(store, /first/);
	assert.equal(loader.current.loaded, true);
	assert.equal(loader.current.runs[5]?.run_id, 'run-5');
	// The count follows the first screenful.
	await answer(store, /page/);
	assert.equal(loader.current.total, 1000);
	assert.equal(pages.at(-1)?.version, 1);
	loader.close();
	cleanup();
});

test('RunsLoader: an answer for a filter no longer asked for is dropped, and the filter now asked for is read', async () => {
	const {store, loader, query, cleanup} = setup(100);
	loader.start();
	await answer(store, /first/);
	await answer(store, /page/);
	query.filter = 'status:failed';
	loader.reload();
	await tick();
	// Typed over while the read is under way.
	query.filter = 'status:failed deploy 9';
	loader.reload();
	await answer(store, /page/);
	assert.equal(loader.current.filter, '', "the older filter's answer is not shown");
	await answer(store, /page/);
	assert.equal(loader.current.filter, 'status:failed deploy 9');
	assert.ok(loader.current.runs.length > 0 && loader.current.runs.every(run => run.status === 'failed' && run.name.includes('9')));
	assert.equal(store.mostAtOnce, 1, 'one read at a time');
	loader.close();
	cleanup();
});

test('RunsLoader: the next window is asked for before the selection reaches the edge; a window asked for during a reload is read from the reloaded list', async () => {
	const {store, loader, cleanup} = setup(2000);
	loader.start();
	await answer(store, /first/);
	await answer(store, /page/);
	const {offset, runs: held} = loader.current;
	assert.equal(offset, 0);
	// Still held, but within reach of the edge: the row is given now, and a window is asked for.
	const near = held.length - 60;
	assert.equal(loader.fetch(near, 18)?.run_id, `run-${near}`);
	await answer(store, /window/);
	assert.ok(loader.current.offset > 0, 'the window moved ahead');
	assert.equal(loader.current.runs[near - loader.current.offset]?.run_id, `run-${near}`);
	// A jump while a reload is read: the row is not there yet (a placeholder), and its window waits for the reload.
	loader.reload();
	await tick();
	const far = 1500;
	assert.equal(loader.fetch(far, 18), undefined);
	const version = loader.current.version;
	await answer(store, /page/);
	assert.equal(loader.current.version, version + 1);
	await answer(store, /window/);
	assert.equal(loader.current.runs[far - loader.current.offset]?.run_id, `run-${far}`);
	for (const [i, run] of loader.current.runs.entries()) {
		assert.equal(run.run_id, `run-${loader.current.offset + i}`, 'every row held is the run at its position');
	}

	assert.equal(store.mostAtOnce, 1, 'one read at a time');
	loader.close();
	cleanup();
});

/** A store across a network that is down: every list read fails. */
class DownStore extends SqliteStore {
	down = true;

	override async firstRuns(listing: RunListing, limit: number): Promise<Run[]> {
		if (this.down) {
			throw new Error('connection to the run index lost');
		}

		return super.firstRuns(listing, limit);
	}

	override async runPage(listing: RunListing, selection: {traceId: string | null; index: number}, size: number): Promise<RunPage> {
		if (this.down) {
			throw new Error('connection to the run index lost');
		}

		return super.runPage(listing, selection, size);
	}
}

test('RunsLoader: a read that fails is an error to show, nothing unhandled; the clock tries again', async () => {
	const {index, cleanup} = tempIndex(runs(10));
	const store = new DownStore(index);
	const loader = new RunsLoader(
		store,
		() => ({filter: '', sort: 'started', nowMs: NOW, stuckAfterMs: 300_000}),
		() => ({traceId: null, index: 0}),
		() => undefined,
	);
	loader.start();
	await tick();
	assert.equal(loader.current.error, 'connection to the run index lost');
	assert.equal(loader.current.loaded, false);
	store.down = false;
	loader.tick(NOW + 1000);
	await tick();
	assert.equal(loader.current.error, null);
	assert.equal(loader.current.total, 10);
	loader.close();
	cleanup();
});
