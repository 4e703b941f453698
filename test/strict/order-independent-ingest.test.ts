import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import fc from 'fast-check';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {generateRun, RUN_KINDS, type RunOutcome} from '../../source/demo/generate.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/**
 * Issue 14, item 10, end to end: a run's events ingested as a shuffled file,
 * or as a shuffled file cut in several ingested one after another (a late
 * export), give the same `runs show --json`, ids and the run row included,
 * as the file in order. Two homes for the file, one run each per case.
 */

const inOrder = tempHome('tracedeck-order-a-');
const shuffled = tempHome('tracedeck-order-b-');
const files = tempHome('tracedeck-order-files-');
let cases = 0;

function shuffle<T>(items: readonly T[], order: readonly number[]): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = order[i % order.length]! % (i + 1);
		[out[i], out[j]] = [out[j]!, out[i]!];
	}

	return out;
}

function jsonl(name: string, events: readonly TraceEvent[]): string {
	const at = path.join(files, `${cases}-${name}.jsonl`);
	fs.writeFileSync(at, events.map(event => `${JSON.stringify(event)}\n`).join(''));
	return at;
}

/**
 * The report, with only what has no order of its own put in one: log lines
 * printed at one instant keep the order they were given in (core/fold.ts),
 * so a span's stderr tail is compared as a multiset.
 */
function normalized(text: string): unknown {
	return JSON.parse(text, (key, value: unknown) => (key === 'stderr' && Array.isArray(value) ? [...(value as string[])].sort() : value));
}

async function show(home: string, run: string): Promise<unknown> {
	const result = await runInProcess(['runs', 'show', run, '--json'], {home});
	assert.equal(result.code, 0, result.stderr);
	return normalized(result.stdout);
}

const runs = fc.record({
	kind: fc.constantFrom(...RUN_KINDS),
	seed: fc.integer({min: 0, max: 10_000}),
	outcome: fc.constantFrom<RunOutcome>('auto', 'success', 'failed'),
	retry: fc.boolean(),
});

test('order-independent ingest: a shuffled file, whole or cut in late parts, shows the same run as the file in order', async () => {
	await fc.assert(
		fc.asyncProperty(runs, fc.array(fc.nat(), {minLength: 1, maxLength: 64}), fc.array(fc.nat({max: 60}), {maxLength: 2}), async (run, order, cuts) => {
			cases++;
			// Each case a run of its own (the homes are shared): its trace and run ids made unique, the same in both homes.
			const events = generateRun(run.kind, run.seed, {outcome: run.outcome, forceRetry: run.retry}).map(event => ({
				...event,
				trace_id: `${event.trace_id}-${cases}`,
				...(event.data?.['run_id'] === undefined ? {} : {data: {...event.data, run_id: `${String(event.data['run_id'])}-${cases}`}}),
			}));
			const runId = events.map(event => event.data?.['run_id']).find(id => id !== undefined) ?? events[0]!.trace_id;
			const a = await runInProcess(['ingest', jsonl('in-order', events)], {home: inOrder});
			assert.equal(a.code, 0, a.stderr);
			const mixed = shuffle(events, order);
			let from = 0;
			for (const [i, cut] of [...[...cuts].sort((x, y) => x - y), mixed.length].entries()) {
				const to = Math.min(mixed.length, Math.max(from, cut));
				if (to > from) {
					const part = await runInProcess(['ingest', jsonl(`part-${i}`, mixed.slice(from, to))], {home: shuffled});
					assert.equal(part.code, 0, part.stderr);
				}

				from = to;
			}

			const expected = (await show(inOrder, String(runId))) as {run: {run_id: string}; spans: unknown[]};
			assert.equal(expected.run.run_id, runId);
			assert.equal(expected.spans.length, new Set(events.map(event => event.span_id)).size);
			assert.deepEqual(await show(shuffled, String(runId)), expected);
		}),
		{numRuns: 30},
	);
});
