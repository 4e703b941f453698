import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/**
 * Issue 14, items 2 and 7, at ingest: mutated TraceEvent JSON Lines and OTLP
 * JSON files are stored whole or refused whole (the rule: each file is
 * validated whole, then stored in one transaction) with one error line that
 * names the file, and in JSON Lines the line; the exit code is 0 or 2 (bad
 * input), never 70. In-process, through cli.ts's main: one home for the file.
 */

const home = tempHome('tracedeck-ingest-fuzz-');
const inputs = path.join(home, 'inputs');
fs.mkdirSync(inputs);
let files = 0;
let db: Database.Database;

function write(name: string, content: Uint8Array | string): string {
	const at = path.join(inputs, `${files++}-${name}`);
	fs.writeFileSync(at, content);
	return at;
}

/** Rows of every table an ingest writes: a refused file must leave all of them as they were. */
function counts(): Record<string, number> {
	const out: Record<string, number> = {};
	for (const table of ['events', 'spans', 'runs', 'service_logs']) {
		out[table] = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
	}

	return out;
}

const at = (s: number): string => new Date(Date.UTC(2026, 2, 2, 10, 0, s)).toISOString();
const EVENTS: Array<Record<string, unknown>> = [
	{trace_id: 'fuzz-trace', span_id: 'root', event_type: 'workflow:started', timestamp: at(0), data: {name: 'deploy', run_id: 'run-fuzz', env: 'prod', target: 'api'}},
	{trace_id: 'fuzz-trace', span_id: 'build', parent_span_id: 'root', event_type: 'step:started', timestamp: at(1), data: {name: 'build', input: {args: ['--prod'], n: 2}}},
	{trace_id: 'fuzz-trace', span_id: 'build', parent_span_id: 'root', event_type: 'log:stderr', timestamp: at(2), data: {line: 'warning: café'}},
	{trace_id: 'fuzz-trace', span_id: 'build', parent_span_id: 'root', event_type: 'step:failed', timestamp: at(3), status: 'failed', data: {error: {message: 'exit 1'}, exit_code: 1}},
	{trace_id: 'fuzz-trace', span_id: 'root', event_type: 'workflow:failed', timestamp: at(4), status: 'failed'},
];

const OTLP = {
	resourceSpans: [
		{
			resource: {
				attributes: [
					{key: 'service.name', value: {stringValue: 'shop'}},
					{key: 'devcmd.env', value: {stringValue: 'prod'}},
				],
			},
			scopeSpans: [
				{
					scope: {name: 'shop'},
					spans: [
						{traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'checkout', startTimeUnixNano: '1772445600000000000', endTimeUnixNano: '1772445600040000000', status: {code: 2, message: 'boom'}},
						{
							traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
							spanId: '53995c3f42cd8ad8',
							parentSpanId: '00f067aa0ba902b7',
							name: 'charge',
							startTimeUnixNano: '1772445600005000000',
							endTimeUnixNano: '1772445600030000000',
							attributes: [
								{key: 'tracedeck.input', value: {stringValue: '{"order":[1,2]}'}},
								{key: 'n', value: {intValue: '3'}},
							],
						},
					],
				},
			],
		},
	],
};

/** Values that break a limit, or only look as if they might: huge and blank ids, dates that do not exist, hidden characters, deep nesting. */
const hostileValue = fc.oneof(
	fc.integer({min: 120, max: 5000}).map(n => 'x'.repeat(n)),
	fc.constantFrom('', ' ', 'a b', 'prod\u202e', 'api\u200b', 'bob\u001b[31m', 'a\ud800', '2026-02-30T10:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:60Z', '2026-01-01', 'yesterday', '1772445600000000000', '99999999999999999999999'),
	fc.integer({min: 200, max: 400}).map(depth => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
	fc.integer({min: 200, max: 400}).map(depth => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
	fc.jsonValue({maxDepth: 3}),
);

/** One change to one line (or document) of valid JSON: a field replaced, bytes flipped, put in or cut, invalid UTF-8. */
const lineEdit = fc.oneof(
	// Mostly fields: they keep the JSON well-formed, so the checks behind the parser are reached.
	{
		weight: 4,
		arbitrary: fc.record({
			kind: fc.constant('field' as const),
			path: fc.constantFrom('trace_id', 'span_id', 'parent_span_id', 'event_type', 'timestamp', 'status', 'data', 'data.name', 'data.env', 'data.run_id', 'data.input', 'traceId', 'spanId', 'name', 'startTimeUnixNano', 'attributes', 'status.code'),
			value: hostileValue,
		}),
	},
	fc.record({kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({min: 1, max: 255})}),
	fc.record({
		kind: fc.constant('insert' as const),
		at: fc.nat(),
		bytes: fc.oneof(
			fc.uint8Array({minLength: 1, maxLength: 6}),
			// Not UTF-8: a stray continuation, a cut sequence, an overlong form, a surrogate, past U+10FFFF.
			fc.constantFrom(Uint8Array.of(0x80), Uint8Array.of(0xc3), Uint8Array.of(0xc0, 0x80), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xff)),
		),
	}),
	fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
);
type LineEdit = typeof lineEdit extends fc.Arbitrary<infer E> ? E : never;

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
	const [head, ...rest] = dotted.split('.');
	if (rest.length === 0) {
		target[head!] = value;
		return;
	}

	const inner = target[head!];
	const next = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
	target[head!] = next;
	setPath(next, rest.join('.'), value);
}

/** `value` as JSON with the edits made; never a newline inside, so a line stays one line. */
function edited(value: Record<string, unknown>, edits: readonly LineEdit[], setField: (copy: Record<string, unknown>, path: string, value: unknown) => void): Buffer {
	const copy = structuredClone(value);
	for (const change of edits) {
		if (change.kind === 'field') {
			setField(copy, change.path, change.value);
		}
	}

	let bytes = Buffer.from(JSON.stringify(copy));
	for (const change of edits) {
		const i = bytes.length === 0 ? 0 : change.kind === 'field' ? 0 : change.at % bytes.length;
		if (change.kind === 'flip') {
			bytes[i] = bytes[i]! ^ change.mask;
		} else if (change.kind === 'insert') {
			bytes = Buffer.concat([bytes.subarray(0, i), change.bytes, bytes.subarray(i)]);
		} else if (change.kind === 'truncate') {
			bytes = bytes.subarray(0, i);
		}
	}

	return Buffer.from(bytes.map(byte => (byte === 0x0a ? 0x20 : byte)));
}

before(async () => {
	// A first good file makes the home and its runs.db, which the checks then read beside the ingests.
	const first = await runInProcess(['ingest', write('seed.jsonl', `${EVENTS.map(event => JSON.stringify(event)).join('\n')}\n`)], {home});
	assert.equal(first.code, 0, first.stderr);
	db = new Database(path.join(home, 'runs.db'), {readonly: true});
});
after(() => db.close());

interface Ingested {
	code: number;
	stdout: string;
	stderr: string;
}

/** What every ingest of one file answers: stored whole (exit 0, its events counted) or refused whole (exit 2, one line naming the place, nothing stored). */
function assertWholeOrNothing(result: Ingested, before: Record<string, number>, file: string, place: RegExp, sent: number | undefined): void {
	assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
	if (result.code === 2) {
		const lines = result.stderr.trimEnd().split('\n');
		assert.equal(lines.length, 1, result.stderr);
		assert.ok(lines[0]!.startsWith(`tracedeck: ${file}`), lines[0]);
		assert.match(lines[0]!.slice(`tracedeck: ${file}`.length), place);
		assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]|internal error/);
		assert.deepEqual(counts(), before, 'a refused file stores nothing');
		return;
	}

	const report = JSON.parse(result.stdout) as {events: number; duplicates: number};
	if (sent !== undefined) {
		assert.equal(report.events + report.duplicates, sent, 'a stored file is stored whole');
	}

	assert.equal(counts()['events'], before['events']! + report.events);
}

describe('ingest fuzz', () => {
	it('ingest fuzz: a TraceEvent JSON Lines file with one line mutated is stored whole, or refused naming file:line with exit 2, nothing stored', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({min: 1, max: EVENTS.length - 1}), fc.array(lineEdit, {minLength: 1, maxLength: 3}), async (line, edits) => {
				const lines: Buffer[] = EVENTS.map(event => Buffer.from(JSON.stringify(event)));
				lines[line] = edited(EVENTS[line]!, edits, setPath);
				const file = write('events.jsonl', Buffer.concat(lines.flatMap(bytes => [bytes, Buffer.from('\n')])));
				const nonBlank = lines.filter(bytes => bytes.toString('latin1').trim() !== '').length;
				const before = counts();
				// The lines before the mutated one are valid, so the refusal must name the mutated line itself.
				assertWholeOrNothing(await runInProcess(['ingest', file, '--json'], {home}), before, file, new RegExp(`^:${line + 1}: `), nonBlank);
			}),
			{numRuns: 100},
		);
	});

	it('ingest fuzz: an OTLP JSON file mutated anywhere is stored whole or refused naming the file with exit 2, nothing stored', async () => {
		const setOtlp = (copy: Record<string, unknown>, dotted: string, value: unknown): void => {
			const spans = (copy['resourceSpans'] as Array<{scopeSpans: Array<{spans: Array<Record<string, unknown>>}>}>)[0]!.scopeSpans[0]!.spans;
			setPath(spans[1]!, dotted === 'data.input' ? 'attributes' : dotted, dotted === 'data.input' ? [{key: 'tracedeck.input', value: {stringValue: JSON.stringify(value)}}] : value);
		};

		await fc.assert(
			fc.asyncProperty(fc.array(lineEdit, {minLength: 1, maxLength: 3}), async edits => {
				const file = write('otlp.json', edited(OTLP, edits, setOtlp));
				const before = counts();
				assertWholeOrNothing(await runInProcess(['ingest', file, '--json'], {home}), before, file, /^(:1)?: /, undefined);
			}),
			{numRuns: 100},
		);
	});

	it('ingest: the rule is per file: valid lines of a refused file are not stored; beside it a good file is, and the exit is 2', async () => {
		const good = EVENTS.map(event => JSON.stringify({...event, trace_id: 'rule-good'})).join('\n');
		const bad = [...EVENTS.map(event => JSON.stringify({...event, trace_id: 'rule-bad'})), JSON.stringify({...EVENTS[0], trace_id: 'rule-bad', timestamp: '2026-02-30T10:00:00Z'})].join('\n');
		const badFile = write('bad.jsonl', `${bad}\n`);
		const alone = await runInProcess(['ingest', badFile], {home});
		assert.equal(alone.code, 2);
		assert.match(alone.stderr, new RegExp(`^tracedeck: ${badFile.replaceAll('.', '\\.')}:6: .*timestamp: day 30 does not exist`));
		const together = await runInProcess(['ingest', write('good.jsonl', `${good}\n`), badFile, '--json'], {home});
		assert.equal(together.code, 2);
		const report = JSON.parse(together.stdout) as {files: number; refused: number; inputs: Array<{status: string}>};
		assert.deepEqual([report.files, report.refused, report.inputs.map(input => input.status)], [1, 1, ['stored', 'refused']]);
		assert.equal(db.prepare("SELECT count(*) FROM events WHERE trace_id = 'rule-bad'").pluck().get(), 0, 'none of the five valid lines of the refused file');
		assert.equal(db.prepare("SELECT count(*) FROM events WHERE trace_id = 'rule-good'").pluck().get(), 5);
		const shown = await runInProcess(['runs', 'show', 'rule-bad', '--json'], {home});
		assert.equal(shown.code, 3);
	});
});
