import assert from 'node:assert/strict';
import {test} from 'node:test';
import {expandLinkTemplate, type LinkValues, spanLinks, spanLinkValues, unknownPlaceholders} from '../../source/core/link-template.js';
import {wantsHyperlinks} from '../../source/core/terminal-env.js';

const VALUES: LinkValues = {run_id: 'run-1', trace_id: 'abc', span_id: 'def', service: 'api', env: 'prod', target: 'web', start: '2026-01-02T03:04:05.006Z', end: null, start_ms: '1767323045006', end_ms: null};

test('link template: each placeholder is replaced by its value; a missing value is empty', () => {
	assert.equal(expandLinkTemplate('https://logs.example/?trace={trace_id}&span={span_id}&svc={service}&from={start}&to={end}', VALUES), 'https://logs.example/?trace=abc&span=def&svc=api&from=2026-01-02T03%3A04%3A05.006Z&to=');
	assert.equal(expandLinkTemplate('https://g/{env}/{target}/{run_id}?t={start_ms}', VALUES), 'https://g/prod/web/run-1?t=1767323045006');
});

test('link template: hostile values are encoded: escapes, spaces, unicode, braces, & and #, lone surrogates', () => {
	const hostile = {...VALUES, service: '\u001b]8;;http://evil\u0007x y&z=1#frag', env: '}{trace_id}', target: 'prød 🚀', run_id: 'a\ud800b'};
	const url = expandLinkTemplate('https://l/?s={service}&e={env}&t={target}&r={run_id}', hostile);
	assert.equal(url, 'https://l/?s=%1B%5D8%3B%3Bhttp%3A%2F%2Fevil%07x%20y%26z%3D1%23frag&e=%7D%7Btrace_id%7D&t=pr%C3%B8d%20%F0%9F%9A%80&r=a%EF%BF%BDb');
	assert.doesNotMatch(url, /[\u0000-\u001f\u007f-\u009f]/, 'no control character can reach the terminal');
	assert.equal(expandLinkTemplate('https://l/\u001b[2J?{span_id}', VALUES), 'https://l/[2J?def', 'controls in the template itself go too');
});

test('link template: unknown placeholders are named once each; stray braces are not placeholders', () => {
	assert.deepEqual(unknownPlaceholders('https://l/{trace}/{span_id}/{trace}/{}'), ['trace', '']);
	assert.deepEqual(unknownPlaceholders('https://l/?q={span_id}&x=}{'), []);
	assert.equal(expandLinkTemplate('https://l/?x=}{&s={span_id}', VALUES), 'https://l/?x=}{&s=def');
});

test('link template: a span gives ISO and epoch-ms times; links keep the config order', () => {
	const values = spanLinkValues({trace_id: 't', span_id: 's', service: null, start_ms: 1000.4, end_ms: 2000.2}, {run_id: 'r', env: null, target: 'x'});
	assert.deepEqual(values, {run_id: 'r', trace_id: 't', span_id: 's', service: null, env: null, target: 'x', start: '1970-01-01T00:00:01.000Z', end: '1970-01-01T00:00:02.000Z', start_ms: '1000', end_ms: '2001'});
	assert.deepEqual(spanLinks({b: 'https://b/{span_id}', a: 'https://a/{trace_id}'}, values), [
		{name: 'b', url: 'https://b/s'},
		{name: 'a', url: 'https://a/t'},
	]);
});

test('hyperlinks: known terminals (tmux from 3.4) yes; NO_COLOR, dumb, CI and unknown terminals no; FORCE_HYPERLINK decides', () => {
	assert.equal(wantsHyperlinks({TERM_PROGRAM: 'tmux', TERM_PROGRAM_VERSION: '3.4'}), true);
	assert.equal(wantsHyperlinks({TERM_PROGRAM: 'tmux', TERM_PROGRAM_VERSION: '3.3a'}), false);
	assert.equal(wantsHyperlinks({TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.5.0'}), true);
	assert.equal(wantsHyperlinks({VTE_VERSION: '7600'}), true);
	assert.equal(wantsHyperlinks({VTE_VERSION: '0.50.0'}), false);
	assert.equal(wantsHyperlinks({TERM: 'xterm-kitty'}), true);
	assert.equal(wantsHyperlinks({TERM: 'xterm-256color'}), false);
	assert.equal(wantsHyperlinks({TERM: 'xterm-kitty', NO_COLOR: '1'}), false);
	assert.equal(wantsHyperlinks({TERM: 'dumb', WT_SESSION: 'x'}), false);
	assert.equal(wantsHyperlinks({TERM: 'xterm-kitty', CI: 'true'}), false);
	assert.equal(wantsHyperlinks({FORCE_HYPERLINK: '1', TERM: 'dumb'}), true);
	assert.equal(wantsHyperlinks({FORCE_HYPERLINK: '0', TERM: 'xterm-kitty'}), false);
});
