import assert from 'node:assert/strict';
import {test} from 'node:test';
import {foldEvents} from '../../source/core/fold.js';
import {LOG_RECORD_EVENT_TYPE} from '../../source/core/log-record.js';
import {severityLevel, severityName} from '../../source/core/log-severity.js';
import type {ServiceLog} from '../../source/core/service-log.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {matchesLevel} from '../../source/live/tail-events.js';
import {InputOccurrences} from '../../source/store/event-digest.js';
import {RunIndex} from '../../source/store/run-index.js';
import {searchRuns} from '../../source/store/search.js';
import {at} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

const log = (span: string, s: number, line: string, severity = 9, extras: Record<string, unknown> = {}): TraceEvent => ({
	trace_id: 'tl',
	span_id: span,
	event_type: LOG_RECORD_EVENT_TYPE,
	timestamp: at(s),
	data: {line, severity_number: severity, severity_text: '', attributes: {}, ...extras},
});

/** root [0, 10] ✓ with step "charge" [1, 9] ✗; log records on charge before, within and after its events, and one for "ghost", which never arrives. */
const EVENTS: TraceEvent[] = [
	log('c', 2, 'charging card', 9),
	log('ghost', 3, 'from a span never sent', 17),
	{trace_id: 'tl', span_id: 'r', event_type: 'workflow:started', timestamp: at(0), data: {name: 'checkout'}},
	{trace_id: 'tl', span_id: 'c', parent_span_id: 'r', event_type: 'step:started', timestamp: at(1), data: {name: 'charge'}},
	log('c', 5, 'card declined', 17),
	{trace_id: 'tl', span_id: 'c', event_type: 'step:failed', status: 'failed', timestamp: at(9), data: {error: {message: 'declined'}}},
	// Outside the span's times: it still only joins the span's logs.
	log('c', 12, 'late retry note', 13),
	log('c', 12, 'late retry note', 13),
	{trace_id: 'tl', span_id: 'r', event_type: 'workflow:completed', status: 'success', timestamp: at(10)},
];

test('log records join their span whatever the order, never make or change a span, and stray ones stay with the run', () => {
	const folded = foldEvents(EVENTS);
	assert.deepEqual(
		folded.map(span => span.span_id),
		['r', 'c'],
		'no span for "ghost"',
	);
	const charge = folded.find(span => span.span_id === 'c')!;
	assert.deepEqual([charge.start_ms, charge.end_ms, charge.status, charge.name, charge.kind], [Date.parse(at(1)), Date.parse(at(9)), 'failed', 'charge', 'step']);
	assert.deepEqual(
		charge.logs.map(entry => [entry.body, entry.severity_number]),
		[
			['charging card', 9],
			['card declined', 17],
			['late retry note', 13],
			['late retry note', 13],
		],
	);

	// The run index folds incrementally: every split of the events gives the spans foldEvents gives.
	for (const split of [1, 3, 5, EVENTS.length]) {
		const index = RunIndex.open(tempHome());
		try {
			// One input in parts, so the two identical late notes stay two.
			const input = new InputOccurrences();
			for (let i = 0; i < EVENTS.length; i += split) {
				index.appendEvents(EVENTS.slice(i, i + split), {input});
			}

			const stored = index.spans('tl');
			assert.deepEqual(stored.map(span => span.span_id).sort(), ['c', 'r'], `split ${split}`);
			assert.deepEqual(stored.find(span => span.span_id === 'c')!.logs, charge.logs, `split ${split}`);
			assert.deepEqual(
				index.strayLogs('tl').map(entry => [entry.span_id, entry.body]),
				[['ghost', 'from a span never sent']],
			);
			const run = index.resolveRun('tl');
			assert.deepEqual([run.status, run.ended_at], ['success', at(10)], 'logs leave the run alone');
			assert.equal(index.appendEvents(EVENTS).inserted.length, 0, 'the same input again adds nothing');
		} finally {
			index.close();
		}
	}
});

test('severity: the number decides, the text only when the number is unspecified; tail levels follow it', () => {
	assert.deepEqual(
		[17, 21, 24, 13, 16, 9, 1].map(n => severityLevel(n, 'INFO')),
		['error', 'error', 'error', 'warn', 'warn', 'info', 'info'],
	);
	assert.deepEqual(
		['ERROR', 'fatal', 'Warning', 'info', ''].map(text => severityLevel(0, text)),
		['error', 'error', 'warn', 'info', 'info'],
	);
	assert.deepEqual(
		[0, 9, 10, 17, 24].map(n => severityName(n)),
		['', 'INFO', 'INFO2', 'ERROR', 'FATAL4'],
	);
	const error = log('c', 0, 'boom', 17);
	const info = log('c', 0, 'fine', 9);
	const warnText = log('c', 0, 'hmm', 0, {severity_text: 'WARN'});
	assert.deepEqual(
		[error, info, warnText].map(event => matchesLevel(event, 'error')),
		[true, false, false],
	);
	assert.deepEqual(
		[error, info, warnText].map(event => matchesLevel(event, 'warn')),
		[true, false, true],
	);
	assert.deepEqual(
		[error, info, warnText].map(event => matchesLevel(event, 'info')),
		[true, true, true],
	);
});

test('service logs: redacted, repeated records kept, a re-send adds nothing; grep finds them, log records on runs and on traces without a run', () => {
	const index = RunIndex.open(tempHome());
	try {
		const record: ServiceLog = {
			service: 'billing',
			env: 'prod',
			time: at(20),
			severity_number: 17,
			severity_text: 'ERROR',
			body: 'ledger sync failed with Authorization: Bearer abcdefghijklmnop1234',
			attributes: {password: 'hunter2', shard: 3},
			resource: {'service.name': 'billing'},
		};
		assert.deepEqual(index.appendServiceLogs([record, record]), {inserted: 2, duplicates: 0});
		assert.deepEqual(index.appendServiceLogs([record, record]), {inserted: 0, duplicates: 2});
		const row = index.db.prepare('SELECT body, attributes_json FROM service_logs LIMIT 1').get() as {body: string; attributes_json: string};
		assert.doesNotMatch(row.body, /abcdefghijklmnop1234/);
		assert.doesNotMatch(row.attributes_json, /hunter2/);

		index.appendEvents([...EVENTS, {...log('x', 4, 'ledger sync retried', 13), trace_id: 'only-logs'}]);
		const hits = searchRuns(index.db, {pattern: 'ledger sync'});
		assert.deepEqual(
			hits.map(hit => [hit.source, hit.service, hit.trace_id, hit.span_id, hit.field]),
			[
				['service', 'billing', null, null, 'log'],
				['service', 'billing', null, null, 'log'],
				['trace', null, 'only-logs', 'x', 'log'],
			],
		);
		assert.match(hits[0]!.snippet, /«ledger sync» failed/);
		const declined = searchRuns(index.db, {pattern: 'card declined'});
		assert.deepEqual(
			declined.map(hit => [hit.source, hit.run_id, hit.path, hit.field]),
			[['run', 'tl', 'charge', 'log']],
		);
		assert.deepEqual(searchRuns(index.db, {pattern: 'ledger', env: 'staging'}), [], '--env filters service logs by their resource');
		assert.equal(searchRuns(index.db, {pattern: 'sync failed', like: true})[0]?.source, 'service');
	} finally {
		index.close();
	}
});
