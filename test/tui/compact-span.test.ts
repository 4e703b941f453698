import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Span} from '../../source/core/span.js';
import {compact, type Strings} from '../../source/tui/hooks/use-trace.js';

const BODY =
	'{"trace_id":"t1","span_id":"s1","parent_span_id":null,"name":"task 5","kind":"task","last_event_type":"task:completed","start_ms":1,"end_ms":2,"start_iso":"x","status":"success","attributes":{},"retries":[],"stderr":[],"tags":[],"event_count":2,"service":null,"span_kind":null,"resource":null,"scope":null,"events":[],"links":[],"status_message":null,"logs":[],"parent_trace_id":null,"correlation_id":null}';

test('compact keeps a stored span as it is, with its empty lists and attributes shared', () => {
	const strings: Strings = new Map();
	const a = compact(JSON.parse(BODY) as Span, strings);
	const b = compact(JSON.parse(BODY.replace('"s1"', '"s2"')) as Span, strings);
	assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(BODY));
	assert.equal(JSON.stringify(a), BODY);
	assert.equal(a.events, b.events);
	assert.equal(a.logs, b.logs);
	assert.equal(a.attributes, b.attributes);
	assert.equal(b.span_id, 's2');
});

test('compact leaves lists and attributes that hold something alone', () => {
	const span = JSON.parse(BODY.replace('"attributes":{}', '"attributes":{"k":1}').replace('"tags":[]', '"tags":["x"]')) as Span;
	const {attributes, tags} = span;
	compact(span);
	assert.equal(span.attributes, attributes);
	assert.equal(span.tags, tags);
	assert.deepEqual(span.attributes, {k: 1});
});
