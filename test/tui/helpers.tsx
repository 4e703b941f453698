import {render} from 'ink-testing-library';
import type {TraceEvent} from '../../source/core/trace-event.js';
import type {ChangeFeed, LiveStatus} from '../../source/live/change-feed.js';
import type {RunIndex} from '../../source/store/run-index.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {App, type AppProps} from '../../source/tui/app.js';
import {tempIndex} from '../helpers/temp-index.js';

export const T0 = Date.parse('2026-01-14T10:15:00.000Z');

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** A terse TraceEvent: trace, span, parent (null = root), type, time, data. */
export function ev(trace: string, span: string, parent: string | null, type: string, at: number, data?: Record<string, unknown>, status?: TraceEvent['status']): TraceEvent {
	const event: TraceEvent = {trace_id: trace, span_id: span, event_type: type, timestamp: iso(at)};
	if (parent !== null) {
		event.parent_span_id = parent;
	}

	if (data) {
		event.data = data;
	}

	if (status) {
		event.status = status;
	}

	return event;
}

/** A finished span: start and end events. */
export function spanEvents(trace: string, span: string, parent: string | null, kind: string, name: string, start: number, end: number, extra: {failed?: boolean; start?: Record<string, unknown>; end?: Record<string, unknown>} = {}): TraceEvent[] {
	return [ev(trace, span, parent, `${kind}:started`, start, {name, ...extra.start}), ev(trace, span, parent, extra.failed ? `${kind}:failed` : `${kind}:completed`, end, extra.end, extra.failed ? 'failed' : 'success')];
}

/** "deploy api" on prod that fails at migrate (with input, error, stderr, retries). */
export function failedDeploy(trace = 'trace-deploy-failed', runId = 'run-20260114-101500-abc1234', base = T0): TraceEvent[] {
	return [
		ev(trace, 'root', null, 'workflow:started', base, {name: 'deploy api', run_id: runId, env: 'prod', target: 'api', total_steps: 3, user: 'alice', git: {sha: 'abc1234def', branch: 'main'}}),
		...spanEvents(trace, 'build', 'root', 'stage', 'build', base + 100, base + 20_100),
		ev(trace, 'migrate', 'root', 'stage:started', base + 20_200, {name: 'migrate', input: {database: 'orders', version: 42}}),
		ev(trace, 'migrate', 'root', 'stage:retry', base + 25_000, {retry: {n: 1, exit_code: 1}}),
		ev(trace, 'migrate', 'root', 'log:stderr', base + 25_100, {line: 'psql: could not connect to server \u001b[31mred\u001b[0m'}),
		ev(trace, 'migrate', 'root', 'stage:failed', base + 30_200, {error: {message: 'connection refused: db:5432', stack: 'Error: connection refused\n    at connect (db.ts:12)'}}, 'failed'),
		ev(trace, 'root', null, 'workflow:failed', base + 30_500, {error: 'deploy failed at migrate'}, 'failed'),
	];
}

/** The same deploy, succeeding, a day earlier; migrate took longer, and a smoke stage ran. */
export function okDeploy(trace = 'trace-deploy-ok', runId = 'run-20260113-101500-fff0000', base = T0 - 86_400_000): TraceEvent[] {
	return [
		ev(trace, 'root', null, 'workflow:started', base, {name: 'deploy api', run_id: runId, env: 'prod', target: 'api', total_steps: 3}),
		...spanEvents(trace, 'build', 'root', 'stage', 'build', base + 100, base + 20_000),
		...spanEvents(trace, 'migrate', 'root', 'stage', 'migrate', base + 20_100, base + 80_100),
		...spanEvents(trace, 'smoke', 'root', 'stage', 'smoke', base + 80_200, base + 90_000),
		ev(trace, 'root', null, 'workflow:completed', base + 90_100, undefined, 'success'),
	];
}

/** A running deploy: step 1 done, step 2 of 4 open since `quietMs` ago, its last event. */
export function runningDeploy(now: number, quietMs = 5000, trace = 'trace-running', name = 'deploy web'): TraceEvent[] {
	const start = now - quietMs - 65_000;
	return [ev(trace, 'root', null, 'workflow:started', start, {name, run_id: `run-${trace}`, env: 'staging', target: 'web', total_steps: 4}), ...spanEvents(trace, 's1', 'root', 'step', 'compile', start + 100, start + 60_000), ev(trace, 's2', 'root', 'step:started', now - quietMs, {name: 'upload'})];
}

export interface Harness {
	dir: string;
	/** The index under the store, for writes the test makes (the console reads through `store`). */
	index: RunIndex;
	store: SqliteStore;
	feed: ManualFeed;
	frame: () => string;
	press: (...keys: string[]) => Promise<void>;
	type: (text: string) => Promise<void>;
	wait: (ms?: number) => Promise<void>;
	/** Until the frame has held still (after a render, a rerender, a live change). */
	ready: () => Promise<void>;
	rerender: (props?: Partial<AppProps>) => void;
	cleanup: () => void;
}

/** A feed the test drives: `changed(ids)` is what Redis or the poller would say. */
export class ManualFeed implements ChangeFeed {
	private readonly changeListeners = new Set<(ids: readonly string[]) => void>();
	private readonly statusListeners = new Set<(status: LiveStatus) => void>();
	current: LiveStatus = {source: 'polling', lagMs: null};

	status(): LiveStatus {
		return this.current;
	}

	onChange(listener: (ids: readonly string[]) => void): () => void {
		this.changeListeners.add(listener);
		return () => this.changeListeners.delete(listener);
	}

	onStatus(listener: (status: LiveStatus) => void): () => void {
		this.statusListeners.add(listener);
		return () => this.statusListeners.delete(listener);
	}

	changed(ids: readonly string[]): void {
		for (const listener of this.changeListeners) {
			listener(ids);
		}
	}

	setStatus(status: LiveStatus): void {
		this.current = status;
		for (const listener of this.statusListeners) {
			listener(status);
		}
	}

	async close(): Promise<void> {
		this.changeListeners.clear();
	}
}

export const sleep = async (ms: number): Promise<void> =>
	new Promise(resolve => {
		setTimeout(resolve, ms);
	});

/** Wait until the frame satisfies `until` (or `ms` pass): for what loads after a key, such as a trace's spans. */
export async function settle(h: Harness, until: (frame: string) => boolean, ms = 5000): Promise<void> {
	const start = Date.now();
	while (!until(h.frame()) && Date.now() - start < ms) {
		// eslint-disable-next-line no-await-in-loop
		await sleep(10);
	}
}

/** What the console shows while the store has not answered yet (the runs list, a run named at start, a trace, a diff). */
const STILL_READING = /… reading runs|… opening |loading…/;

/** Render the App at 80x24 (by default) over a fresh home holding `events`. */
export function renderApp(events: readonly TraceEvent[], props: Partial<AppProps> = {}): Harness {
	const {home: dir, index, cleanup: removeHome} = tempIndex(events, 'tracedeck-tui-');
	const store = new SqliteStore(index);
	const feed = new ManualFeed();
	const base: AppProps = {store, feed, columns: 80, rows: 24, ascii: false, color: false, tickMs: 0, reloadMs: 5, ...props};
	const instance = render(<App {...base} />);
	const wait = async (ms = 30): Promise<void> => sleep(ms);
	/**
	 * After a key: until the frame changes (or a while passes: not every key
	 * changes it), then until it has held still, so the key and the renders it
	 * caused are done even on a loaded machine.
	 */
	const settled = async (before: string | undefined): Promise<void> => {
		const start = Date.now();
		while (instance.lastFrame() === before && Date.now() - start < 400) {
			// eslint-disable-next-line no-await-in-loop
			await sleep(5);
		}

		let last = instance.lastFrame();
		let stableSince = Date.now();
		// The store answers after the frame that asked: a frame still reading is not one to hold still on.
		while ((Date.now() - stableSince < 40 || STILL_READING.test(last ?? '')) && Date.now() - start < 5000) {
			// eslint-disable-next-line no-await-in-loop
			await sleep(5);
			const now = instance.lastFrame();
			if (now !== last) {
				last = now;
				stableSince = Date.now();
			}
		}
	};

	return {
		dir,
		index,
		store,
		feed,
		frame: () => instance.lastFrame() ?? '',
		async press(...keys: string[]) {
			for (const key of keys) {
				const before = instance.lastFrame();
				instance.stdin.write(key);
				// eslint-disable-next-line no-await-in-loop
				await settled(before);
			}
		},
		async type(text: string) {
			// One read, as a fast typist or a paste gives it: the console takes it key by key.
			instance.stdin.write(text);
			const start = Date.now();
			const tail = text.slice(-12);
			while (!(instance.lastFrame() ?? '').split('\n').at(-1)!.includes(tail) && Date.now() - start < 10_000) {
				// eslint-disable-next-line no-await-in-loop
				await wait(5);
			}

			await wait(20);
		},
		wait,
		async ready() {
			await settled(undefined);
		},
		rerender(next = {}) {
			instance.rerender(<App {...base} {...next} />);
		},
		cleanup() {
			instance.unmount();
			instance.cleanup();
			removeHome();
		},
	};
}

export const KEYS = {
	enter: '\r',
	esc: '\u001b',
	up: '\u001b[A',
	down: '\u001b[B',
	right: '\u001b[C',
	left: '\u001b[D',
	pageDown: '\u001b[6~',
	pageUp: '\u001b[5~',
	tab: '\t',
	backspace: '\u007f',
} as const;
