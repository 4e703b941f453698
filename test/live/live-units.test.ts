import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareStreamIds, decodeEntry, entryFields, streamIdAt} from '../../source/live/redis-entry.js';
import {traceStream} from '../../source/live/redis-keys.js';
import {redactRedisUrl} from '../../source/live/live-logger.js';
import {SeenSet} from '../../source/live/seen-set.js';
import {eventMessage, matchesLevel, SpanPaths} from '../../source/live/tail-events.js';
import {foldEvents} from '../../source/core/fold.js';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {buildTree, stepPath} from '../../source/core/tree.js';

const at = '2025-03-14T09:00:00.000Z';
const ev = (span_id: string, event_type: string, extra: Partial<TraceEvent> = {}): TraceEvent => ({trace_id: 't', span_id, event_type, timestamp: at, ...extra});

test('stream ids order numerically, not as strings', () => {
	assert.ok(compareStreamIds('999-5', '1000-0') < 0);
	assert.ok(compareStreamIds('1000-10', '1000-9') > 0);
	assert.equal(compareStreamIds('5-1', '5-1'), 0);
	assert.equal(streamIdAt(1234.9), '1234-0');
	assert.equal(streamIdAt(-5), '0-0');
	assert.equal(traceStream('abc'), 'trace:{abc}');
});

test('entries decode to events; foreign or broken entries are skipped', () => {
	const event = ev('s', 'step:started');
	const body = JSON.stringify(event);
	assert.deepEqual(decodeEntry('1-0', entryFields(body, 42)), {id: '1-0', body, event, storedId: 42});
	assert.equal(decodeEntry('1-0', entryFields(body, undefined))?.storedId, undefined);
	assert.equal(decodeEntry('1-0', ['other', 'x']), undefined);
	assert.equal(decodeEntry('1-0', ['e', '{not json']), undefined);
	assert.equal(decodeEntry('1-0', ['e', '{"trace_id": 1}']), undefined);
	assert.equal(decodeEntry('1-0', ['e', body, 'i', 'NaN'])?.storedId, undefined);
});

test('the seen-set forgets the oldest digests first', () => {
	const seen = new SeenSet(3);
	assert.equal(seen.add('a'), true);
	assert.equal(seen.add('a'), false);
	seen.add('b');
	seen.add('c');
	seen.add('d');
	assert.equal(seen.size, 3);
	assert.equal(seen.has('a'), false);
	assert.equal(seen.has('d'), true);
});

test('Redis URLs lose their password in logs', () => {
	assert.equal(redactRedisUrl('redis://user:hunter2@cache:6379/0'), 'redis://user:***@cache:6379/0');
	assert.equal(redactRedisUrl('redis://cache:6379'), 'redis://cache:6379');
});

test('levels: error = failures and stderr; warn = + retries and compensations; info = all', () => {
	const failed = ev('s', 'step:failed');
	const stderr = ev('s', 'log:stderr', {data: {line: 'x'}});
	const retry = ev('s', 'step:retrying', {data: {retry: {n: 1}}});
	const compensating = ev('c', 'saga:compensating', {data: {original_span_id: 's'}});
	const started = ev('s', 'step:started');
	const keep = (level: 'error' | 'warn' | 'info') => [failed, stderr, retry, compensating, started].filter(e => matchesLevel(e, level)).map(e => e.event_type);
	assert.deepEqual(keep('error'), ['step:failed', 'log:stderr']);
	assert.deepEqual(keep('warn'), ['step:failed', 'log:stderr', 'step:retrying', 'saga:compensating']);
	assert.equal(keep('info').length, 5);
});

test('step paths leave out the root, like runs show; messages say what an event carries', () => {
	const paths = new SpanPaths();
	for (const event of [ev('root', 'workflow:started', {data: {name: 'deploy api'}}), ev('d', 'stage:started', {parent_span_id: 'root', data: {name: 'Deploy'}}), ev('r', 'step:started', {parent_span_id: 'd', data: {name: 'reserve'}}), ev('x', 'step:started', {parent_span_id: 'd'})]) {
		paths.apply(event);
	}

	assert.equal(paths.pathOf('root'), '');
	assert.equal(paths.label('root'), 'deploy api');
	assert.equal(paths.pathOf('r'), 'Deploy/reserve');
	assert.equal(paths.pathOf('x'), 'Deploy/step x');
	assert.equal(paths.label('unknown'), 'unknown');
	assert.equal(eventMessage(ev('c', 'saga:compensated', {data: {original_span_id: 'r'}}), paths), 'undoes Deploy/reserve');
	assert.equal(eventMessage(ev('r', 'step:failed', {data: {error: {message: 'boom'}, exit_code: 2}}), paths), 'boom');
	assert.equal(eventMessage(ev('r', 'step:failed', {data: {exit_code: 2}}), paths), 'exit 2');
	assert.equal(eventMessage(ev('r', 'step:retrying', {data: {retry: {n: 2, exit_code: 7}}}), paths), 'retry 2 (exit 7)');
	assert.equal(eventMessage(ev('a', 'ai:decision', {data: {decision: 'B', confidence: 0.7, alternatives: [{option: 'A'}, {option: 'B'}], reasoning: 'cheaper'}}), paths), 'chose B (confidence 0.7) over A: cheaper');
	assert.equal(eventMessage(ev('r', 'step:started'), paths), '');
});

test('one step path: tail spells a deep step exactly as runs show does, cap included', () => {
	const events: TraceEvent[] = [{trace_id: 't', span_id: 's0', event_type: 'workflow:started', timestamp: '2026-01-01T00:00:00.000Z', data: {name: 'root'}}];
	for (let i = 1; i <= 40; i++) {
		events.push({trace_id: 't', span_id: `s${i}`, parent_span_id: `s${i - 1}`, event_type: 'step:started', timestamp: '2026-01-01T00:00:01.000Z', data: {name: `level${i}`}});
	}

	const paths = new SpanPaths();
	for (const event of events) {
		paths.apply(event);
	}

	const tree = buildTree(foldEvents(events));
	assert.equal(paths.pathOf('s40'), stepPath(tree, 's40'));
	assert.ok(paths.pathOf('s40').startsWith('…/'), 'past 32 names the path is cut at its start');
	// A span whose parent never arrived is a root in both.
	paths.apply({trace_id: 't', span_id: 'lost', parent_span_id: 'nowhere', event_type: 'step:started', timestamp: '2026-01-01T00:00:02.000Z', data: {name: 'lost'}});
	assert.equal(paths.pathOf('lost'), '');
});
