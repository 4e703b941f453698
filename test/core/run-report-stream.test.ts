import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {bigTrace, deepTrace} from '../../fixtures/big-trace.js';
import {foldEvents} from '../../source/core/fold.js';
import {writeJsonChunks} from '../../source/core/json-chunks.js';
import type {Run} from '../../source/core/run.js';
import {buildRunReport, runReportDocument} from '../../source/core/run-report.js';
import {summarizeRun} from '../../source/core/run-summary.js';
import type {Span} from '../../source/core/span.js';
import {escapeTerminalUnsafe, terminalSafeJson} from '../../source/core/terminal-json.js';
import {generateRun, RUN_KINDS, type RunOutcome} from '../../source/demo/generate.js';
import {buildRunReport as referenceReport} from '../helpers/report-reference/run-report.js';
import {span} from './span-builder.js';

/*
 * Issue 20: `runs show --json` is built from an indexed tree and streamed in
 * chunks. Its bytes must be what they were: JSON.stringify of the report as
 * computed before (test/helpers/report-reference, a frozen copy), written by
 * writeJson (terminalSafeJson, indented). Checked pretty and compact, on
 * generated runs and on random trees with every odd shape a trace can have.
 */

function streamed(run: Run, spans: readonly Span[], now: number, indent: number | undefined): string {
	const chunks: string[] = [];
	writeJsonChunks(runReportDocument(run, spans, now), {indent, write: chunk => chunks.push(chunk), map: escapeTerminalUnsafe, chunkSize: 4096});
	return chunks.join('');
}

function assertSameDocument(run: Run, spans: readonly Span[], now: number): void {
	const reference = referenceReport(run, spans, now);
	for (const indent of [2, undefined]) {
		assert.equal(streamed(run, spans, now, indent), terminalSafeJson(reference, indent), `streamed, indent ${indent}`);
		assert.equal(JSON.stringify(buildRunReport(run, spans, now), null, indent), JSON.stringify(reference, null, indent), `buildRunReport, indent ${indent}`);
	}
}

function runOf(spans: readonly Span[]): Run {
	const run = summarizeRun(spans);
	assert.ok(run, 'the trace makes a run');
	return run;
}

test('runs show document: generated runs of every kind give the same bytes as before, streamed or built', () => {
	fc.assert(
		fc.property(fc.constantFrom(...RUN_KINDS), fc.integer({min: 0, max: 10_000}), fc.constantFrom<RunOutcome>('auto', 'success', 'failed'), fc.boolean(), (kind, seed, outcome, retry) => {
			const spans = foldEvents(generateRun(kind, seed, {outcome, forceRetry: retry}));
			assertSameDocument(runOf(spans), spans, Date.parse('2026-03-01T12:00:00.000Z'));
		}),
		{numRuns: 60},
	);
});

test('runs show document: a big trace and a chain deeper than a step path keeps names', () => {
	for (const events of [bigTrace(3000, 5), deepTrace(80)]) {
		const spans = foldEvents(events);
		assertSameDocument(runOf(spans), spans, Date.parse('2026-03-01T12:00:00.000Z'));
	}
});

const oddText = fc.oneof(fc.string({unit: 'binary', maxLength: 6}), fc.constantFrom('', 'a/b', '\ud800', 'x\udfff', '\u2028', '\u009b[2J', '"\\\n', '😀', '__proto__', 'toJSON'));
const oddNumber = fc.oneof(fc.integer({min: -5, max: 60}), fc.constantFrom(-0, 0.5, 1e21, 2 ** 53 + 1, -1e-7, Number.MAX_VALUE));
const kinds = fc.constantFrom('step', 'stage', 'saga', 'ai', 'workflow', '');

/**
 * Random trees: parents drawn from all ids and from unknown ones (broken
 * links, self links, cycles), chains deeper than MAX_PATH_SEGMENTS, open
 * spans, failures, producer/consumer pairs, follows-from links,
 * compensations and decisions, names and values with odd characters.
 */
const randomTraces = fc
	.array(
		fc.record({
			parent: fc.option(fc.nat({max: 60}), {nil: null, freq: 6}),
			chain: fc.boolean(),
			start: fc.oneof(fc.integer({min: -5, max: 60}), fc.constantFrom(-0, 0.25, 7.000001)),
			length: fc.option(fc.integer({min: 0, max: 30}), {nil: null, freq: 6}),
			name: oddText,
			kind: kinds,
			status: fc.constantFrom('success', 'failed', 'pending'),
			spanKind: fc.constantFrom(null, 'producer', 'consumer', 'internal'),
			follows: fc.boolean(),
			compensates: fc.option(fc.nat({max: 60}), {nil: undefined, freq: 4}),
			decision: fc.boolean(),
			value: fc.oneof(oddText, oddNumber, fc.constant(null)),
		}),
		{minLength: 1, maxLength: 70, size: 'max'},
	)
	.chain(rows => fc.tuple(fc.constant(rows), fc.boolean()))
	.map(([rows, deep]) =>
		rows.map((row, i): Span => {
			// A deep trace is mostly one chain, so step paths get cut ("…/") past MAX_PATH_SEGMENTS.
			const parent = (deep || row.chain) && i > 0 && !(deep && row.parent === 0) ? `s${i - 1}` : row.parent === null ? null : row.parent === 60 ? 'missing' : `s${row.parent % rows.length}`;
			const end = row.length === null ? null : row.start + row.length;
			const kind = row.compensates !== undefined ? 'saga' : row.kind;
			return span(`s${i}`, parent, row.start, end, {
				name: row.name,
				kind,
				...(row.decision ? {last_event_type: 'ai:decision'} : {}),
				status: end === null ? 'pending' : (row.status as Span['status']),
				span_kind: row.spanKind as Span['span_kind'],
				attributes: {
					value: row.value,
					...(row.compensates === undefined ? {} : {original_span_id: `s${row.compensates % rows.length}`}),
					...(row.decision ? {decision: row.name, alternatives: [{option: row.name, score: row.value}], confidence: 0.5} : {}),
				},
				links: row.follows && parent !== null ? [{trace_id: 't1', span_id: parent, attributes: {'opentracing.ref_type': 'follows_from'}}] : [],
				...(row.status === 'failed' ? {error: {message: row.name}, input: {value: row.value}} : {}),
			});
		}),
	);

test('runs show document: random trees (cycles, lost parents, deep chains, odd text) give the same bytes as before', () => {
	fc.assert(
		fc.property(randomTraces, fc.option(fc.integer({min: 0, max: 100}), {nil: undefined}), (spans, now) => {
			const run = summarizeRun(spans);
			if (run === null) {
				return;
			}

			assertSameDocument(run, spans, now ?? Date.parse('2026-03-01T12:00:00.000Z'));
		}),
		{numRuns: 400},
	);
});
