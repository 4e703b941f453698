import assert from 'node:assert/strict';
import test from 'node:test';
import type {Run} from '../../source/core/run.js';
import type {Span} from '../../source/core/span.js';
import {buildTree} from '../../source/core/tree.js';
import {defaultExpandDepth, isExpanded, visibleRows} from '../../source/tui/components/tree-rows.js';
import {scrollTop} from '../../source/tui/components/virtual-list.js';
import {layoutColumns, type Column} from '../../source/tui/components/virtual-table.js';
import {cellsOf, waterfallBar} from '../../source/tui/components/waterfall-bar.js';
import {BINDINGS, bindingsFor, footerHints, noKey, resolveAction} from '../../source/tui/keymap.js';
import {parseConsoleCommand} from '../../source/tui/state/console-command.js';
import {moveIndex, resolveIndex} from '../../source/tui/state/list-motion.js';
import {isStuck} from '../../source/core/active-runs.js';
import {filterRuns, matchesRun, orderRuns, parseRunQuery} from '../../source/tui/state/run-filter.js';
import {ASCII, UNICODE} from '../../source/core/symbols.js';
import {span as buildSpan} from '../core/span-builder.js';
import {wantsAscii, wantsColor} from '../../source/core/terminal-env.js';
import {clean, cleanLines, fit, fitLine, prettyLines, textWidth, truncate, truncateStart, wrap} from '../../source/tui/text.js';
import {splitBurst} from '../../source/tui/hooks/use-keymap.js';

function span(id: string, parent: string | null, start: number, end: number | null, extra: Partial<Span> = {}): Span {
	return buildSpan(id, parent, start, end, {trace_id: 't', last_event_type: 'step:completed', event_count: 2, ...extra});
}

function run(id: string, extra: Partial<Run> = {}): Run {
	return {
		run_id: id,
		trace_id: `t-${id}`,
		env: 'prod',
		target: 'api',
		plan_hash: null,
		status: 'success',
		started_at: '2026-01-14T10:00:00.000Z',
		ended_at: '2026-01-14T10:01:00.000Z',
		failed_step: null,
		retries: 0,
		runner: null,
		git: {branch: 'main'},
		user: 'alice',
		progress: {completed: 3, total: 3},
		policy: null,
		name: 'deploy api',
		last_event_ms: Date.parse('2026-01-14T10:01:00.000Z'),
		parent_trace_id: null,
		correlation_id: null,
		current_step: null,
		...extra,
	};
}

const NOW = Date.parse('2026-01-14T12:00:00.000Z');

test('run query: fields, aliases and free text, all of which must match', () => {
	const q = parseRunQuery('status:failed env:prod API');
	assert.deepEqual(q.status, ['failed']);
	assert.deepEqual(q.env, ['prod']);
	assert.deepEqual(q.text, ['api']);
	assert.deepEqual(parseRunQuery('status:ok,error').status, ['success', 'failed']);
	const failed = run('r1', {status: 'failed', failed_step: 'deploy/migrate'});
	assert.ok(matchesRun(failed, q, NOW, 300_000));
	assert.ok(!matchesRun(run('r2'), q, NOW, 300_000));
	assert.ok(matchesRun(failed, parseRunQuery('migrate'), NOW, 300_000), 'free text matches the failed step');
	assert.ok(!matchesRun(failed, parseRunQuery('env:staging'), NOW, 300_000));
	assert.ok(matchesRun(failed, parseRunQuery('branch:main user:ali'), NOW, 300_000));
});

test('stuck: a running run with no event for longer than the threshold', () => {
	const quiet = run('r', {status: 'running', ended_at: null, last_event_ms: NOW - 6 * 60_000});
	assert.ok(isStuck(quiet, NOW, 5 * 60_000));
	assert.ok(!isStuck(quiet, NOW, 10 * 60_000));
	assert.ok(matchesRun(quiet, parseRunQuery('status:stuck'), NOW, 5 * 60_000));
	assert.ok(!isStuck(run('done'), NOW, 1));
});

test('runs order: running first, then by the sort key, newest first on ties', () => {
	const runs = [run('old-fail', {status: 'failed', started_at: '2026-01-14T09:00:00.000Z', ended_at: '2026-01-14T09:10:00.000Z'}), run('new-ok', {started_at: '2026-01-14T11:00:00.000Z', ended_at: '2026-01-14T11:00:30.000Z'}), run('live', {status: 'running', started_at: '2026-01-14T08:00:00.000Z', ended_at: null})];
	assert.deepEqual(
		orderRuns(runs, 'started', NOW).map(r => r.run_id),
		['live', 'new-ok', 'old-fail'],
	);
	assert.deepEqual(
		orderRuns(runs, 'duration', NOW).map(r => r.run_id),
		['live', 'old-fail', 'new-ok'],
	);
	assert.deepEqual(
		orderRuns(runs, 'status', NOW).map(r => r.run_id),
		['live', 'old-fail', 'new-ok'],
	);
	assert.deepEqual(
		filterRuns(runs, 'status:failed', 'started', NOW, 1).map(r => r.run_id),
		['old-fail'],
	);
});

test('visible rows: iterative over a 10,000-level chain, collapse hides the subtree', () => {
	const spans = [span('s0', null, 0, 100_000)];
	for (let i = 1; i <= 10_000; i++) {
		spans.push(span(`s${i}`, `s${i - 1}`, i, 100_000 - i));
	}

	const tree = buildTree(spans);
	const all = visibleRows(tree, {expanded: new Set(), collapsed: new Set(), defaultDepth: Number.POSITIVE_INFINITY});
	assert.equal(all.length, 10_001);
	assert.equal(all.at(-1)!.depth, 10_000);
	const cut = visibleRows(tree, {expanded: new Set(), collapsed: new Set(['s5']), defaultDepth: Number.POSITIVE_INFINITY});
	assert.equal(cut.length, 6);
	assert.equal(cut[5]!.expanded, false);
	assert.equal(cut[5]!.hasChildren, true);
	const shallow = visibleRows(tree, {expanded: new Set(['s2']), collapsed: new Set(), defaultDepth: 2});
	assert.deepEqual(
		shallow.map(r => r.span.span_id),
		['s0', 's1', 's2', 's3'],
	);
});

test('big traces open their top levels only', () => {
	assert.equal(defaultExpandDepth(100), Number.POSITIVE_INFINITY);
	assert.equal(defaultExpandDepth(100_000), 2);
	assert.ok(isExpanded({expanded: new Set(['x']), collapsed: new Set(), defaultDepth: 0}, 'x', 5));
	assert.ok(!isExpanded({expanded: new Set(), collapsed: new Set(['x']), defaultDepth: 9}, 'x', 1));
});

test('scrollTop keeps the selection in view and moves as little as it can', () => {
	assert.equal(scrollTop(0, 5, 10, 100), 0);
	assert.equal(scrollTop(0, 10, 10, 100), 1);
	assert.equal(scrollTop(50, 45, 10, 100), 45);
	assert.equal(scrollTop(95, 99, 10, 100), 90);
	assert.equal(scrollTop(3, 2, 10, 5), 0);
});

test('motion: j/k/g/G/PgUp/PgDn clamp to the list', () => {
	assert.equal(moveIndex('down', 9, 10, 5), 9);
	assert.equal(moveIndex('pageDown', 2, 10, 5), 7);
	assert.equal(moveIndex('pageUp', 2, 10, 5), 0);
	assert.equal(moveIndex('bottom', 0, 10, 5), 9);
	assert.equal(moveIndex('open', 0, 10, 5), undefined);
	assert.equal(
		resolveIndex({index: 3, key: 'b'}, 5, key => (key === 'b' ? 1 : undefined)),
		1,
	);
	assert.equal(
		resolveIndex({index: 9, key: 'gone'}, 5, () => undefined),
		4,
	);
});

test('columns that do not fit go, least important first; flex columns share the rest', () => {
	const columns: Array<Column<string>> = [
		{id: 'a', title: 'a', width: 10, priority: 0, cell: () => ''},
		{id: 'b', title: 'b', width: 10, flex: 1, priority: 0, cell: () => ''},
		{id: 'c', title: 'c', width: 30, priority: 5, cell: () => ''},
		{id: 'd', title: 'd', width: 10, priority: 2, cell: () => ''},
	];
	assert.deepEqual(
		layoutColumns(columns, 80).map(c => [c.id, c.actual]),
		[
			['a', 10],
			['b', 27],
			['c', 30],
			['d', 10],
		],
	);
	assert.deepEqual(
		layoutColumns(columns, 40).map(c => [c.id, c.actual]),
		[
			['a', 10],
			['b', 18],
			['d', 10],
		],
	);
});

test('waterfall: cells scale to the width, at least one per span; critical cells differ without colour', () => {
	assert.deepEqual(cellsOf(0, 50, {start: 0, end: 100}, 10), [0, 5]);
	assert.deepEqual(cellsOf(99, 99, {start: 0, end: 100}, 10), [9, 10]);
	const bar = waterfallBar(span('x', null, 0, 100), {start: 0, end: 100}, 10, {
		symbols: UNICODE,
		nowMs: 100,
		critical: [{span_id: 'x', start_ms: 50, end_ms: 100}],
		showCritical: true,
	});
	assert.equal(bar.map(s => s.text).join(''), '▒▒▒▒▒█████');
	const open = waterfallBar(span('y', null, 50, null), {start: 0, end: 100}, 10, {symbols: ASCII, nowMs: 100, showCritical: false});
	assert.equal(open.map(s => s.text).join(''), '     :::::');
});

test('text: widths, truncation, fitting and wrapping', () => {
	assert.equal(textWidth('日本'), 4);
	assert.equal(textWidth('e\u0301'), 1);
	assert.equal(truncate('deploy/migrate', 8), 'deploy/…');
	assert.equal(truncate('日本語テキスト', 7), '日本語…');
	assert.equal(truncateStart('a/b/c/deploy', 7), '…deploy');
	assert.equal(fit('ab', 5, {align: 'right'}), '   ab');
	assert.equal(
		fitLine([{text: 'abc'}, {text: 'defgh'}], 6, true, '~')
			.map(s => s.text)
			.join(''),
		'abcde~',
	);
	assert.deepEqual(wrap('the quick brown fox', 9), ['the quick', 'brown fox']);
	assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
});

test('untrusted text loses escape sequences and control characters', () => {
	assert.equal(clean('\u001b]0;pwned\u0007name\u001b[2J\r\nnext'), 'name next');
	assert.deepEqual(cleanLines('a\u001b[31m\tb\nc'), ['a  b', 'c']);
	const {lines, hidden} = prettyLines({a: 1, b: '\u001b[31mred', c: [1, 2, 3]}, 3);
	assert.equal(lines.length, 3);
	assert.ok(hidden > 0);
	assert.ok(lines.every(line => !line.includes('\u001b')));
});

test('commands: :run, :diff, :q, and errors that say how', () => {
	assert.deepEqual(parseConsoleCommand('run abc'), {kind: 'run', ref: 'abc'});
	assert.deepEqual(parseConsoleCommand(':diff a b'), {kind: 'diff', a: 'a', b: 'b'});
	assert.deepEqual(parseConsoleCommand('q'), {kind: 'quit'});
	assert.equal(parseConsoleCommand('diff a').kind, 'error');
	assert.match(parseConsoleCommand('frob').kind === 'error' ? (parseConsoleCommand('frob') as {message: string}).message : '', /unknown command/);
});

test('keymap: one table drives keys, footer and help; q quits everywhere, esc goes back', () => {
	assert.equal(resolveAction('runs', 'q', noKey()), 'quit');
	assert.equal(resolveAction('trace', 'q', noKey()), 'quit');
	assert.equal(resolveAction('trace', '', noKey({escape: true})), 'back');
	assert.equal(resolveAction('runs', '', noKey({escape: true})), 'clearFilter');
	assert.equal(resolveAction('trace', 'j', noKey()), 'down');
	assert.equal(resolveAction('trace', '', noKey({downArrow: true})), 'down');
	assert.equal(resolveAction('trace', 'f', noKey()), 'failure');
	assert.equal(resolveAction('runs', 'f', noKey()), 'filter', 'on the runs list f filters (/ searches, as on every screen)');
	assert.equal(resolveAction('trace', ' ', noKey()), 'pause');
	assert.equal(resolveAction('decisions', '', noKey({tab: true})), 'nextTab');
	assert.equal(resolveAction('span', 'd', noKey({ctrl: true})), 'pageDown');
	assert.equal(resolveAction('runs', 'd', noKey()), 'diff');
	assert.equal(resolveAction('diff', '?', noKey()), 'help');
	for (const screen of ['runs', 'trace', 'compensations', 'decisions', 'span', 'diff'] as const) {
		const hints = footerHints(screen);
		assert.ok(
			hints.some(h => h.text === 'help'),
			`${screen} footer shows help`,
		);
		// No two bindings on one screen claim the same key.
		const seen = new Map<string, string>();
		for (const binding of bindingsFor(screen)) {
			for (const key of binding.keys) {
				const id = JSON.stringify(key);
				const other = seen.get(id);
				assert.ok(other === undefined || other === binding.action, `${screen}: ${id} is both ${other} and ${binding.action}`);
				seen.set(id, binding.action);
			}
		}
	}

	assert.ok(BINDINGS.every(b => b.help !== '' && b.label !== ''));
});

test('a burst of keys in one read is one key each', () => {
	const keys = splitBurst('jj\r', noKey());
	assert.deepEqual(
		keys?.map(([input, key]) => [input, key.return]),
		[
			['j', false],
			['j', false],
			['', true],
		],
	);
	assert.equal(splitBurst('j', noKey()), undefined);
	assert.equal(splitBurst('\u001b[A', noKey()), undefined);
	assert.equal(splitBurst('aG', noKey())?.[1]?.[1].shift, true);
});

test('ASCII when the locale is not UTF-8 or when asked; colour off under NO_COLOR', () => {
	assert.equal(wantsAscii({LANG: 'en_US.UTF-8'}), false);
	assert.equal(wantsAscii({LANG: 'C'}), true);
	assert.equal(wantsAscii({}), true);
	assert.equal(wantsAscii({LC_ALL: 'C', LANG: 'en_US.UTF-8'}), true);
	assert.equal(wantsAscii({LANG: 'en_US.UTF-8', TRACEDECK_ASCII: '1'}), true);
	assert.equal(wantsColor({NO_COLOR: '1'}), false);
	assert.equal(wantsColor({NO_COLOR: ''}), true);
	for (const value of Object.values(ASCII)) {
		assert.match(value, /^[\x20-\x7e]+$/);
	}
});

test('the last 24 hours at a glance: failed of total, and where most failed runs broke', async () => {
	const {lastDay} = await import('../../source/tui/state/run-filter.js');
	const at = (hoursAgo: number): string => new Date(NOW - hoursAgo * 3_600_000).toISOString();
	const runs = [
		run('a', {status: 'failed', failed_step: 'deploy/migrate', started_at: at(1)}),
		run('b', {status: 'failed', failed_step: 'deploy/migrate', started_at: at(2)}),
		run('c', {status: 'failed', failed_step: 'build', started_at: at(3)}),
		run('d', {started_at: at(4)}),
		run('old', {status: 'failed', failed_step: 'build', started_at: at(30)}),
	];
	assert.deepEqual(lastDay(runs, NOW), {total: 4, failed: 3, top: {step: 'deploy/migrate', count: 2}});
	assert.deepEqual(lastDay([], NOW), {total: 0, failed: 0, top: null});
});
