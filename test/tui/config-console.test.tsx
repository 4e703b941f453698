import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {UNICODE} from '../../source/core/symbols.js';
import {foldEvents} from '../../source/core/fold.js';
import {buildTree} from '../../source/core/tree.js';
import {checkColors, makePalette} from '../../source/tui/palette.js';
import {linkLines} from '../../source/tui/screens/span-detail.js';
import {parseConsoleCommand} from '../../source/tui/state/console-command.js';
import {failedDeploy, type Harness, KEYS, renderApp, settle} from './helpers.js';

/*
 * Issue 19 items 3 and 4 in the console: links out of span detail (OSC 8
 * hyperlinks where the terminal shows them, else the URL in full), saved
 * filters (:save, :f), and the [colors] palette.
 */

const LINKS = {logs: 'https://logs.example/?trace={trace_id}&span={span_id}&env={env}', apm: 'https://apm.example/{service}/{start_ms}'};
const ESC = '\u001b';

describe('links out of a span', () => {
	const events = failedDeploy();
	const spans = foldEvents(events);
	const tree = buildTree(spans);
	const migrate = tree.byId.get('migrate')!;
	const run = {run_id: 'run-20260114-101500-abc1234', env: 'prod & dev', target: 'api'};
	const text = (lines: ReturnType<typeof linkLines>): string => lines.map(line => line.map(segment => segment.text).join('')).join('\n');
	const options = {symbols: UNICODE, width: 80, expandData: false, traceStartMs: spans[0]!.start_ms, nowMs: 0, links: LINKS, run};

	it('without hyperlinks: each name, then its URL in full, values encoded', () => {
		assert.equal(text(linkLines(migrate, options)), '\nLINKS OUT (config [links])\n  logs\n    https://logs.example/?trace=trace-deploy-failed&span=migrate&env=prod%20\n    %26%20dev\n  apm\n    https://apm.example//1768385720200', 'a long URL breaks at the width, never inside a %XX');
	});

	it('with hyperlinks: the name carries the URL (drawn as OSC 8), no URL text', () => {
		const lines = linkLines(migrate, {...options, hyperlinks: true});
		assert.equal(text(lines), '\nLINKS OUT (click a name)\n  logs\n  apm');
		assert.equal(lines[2]![1]!.link, 'https://logs.example/?trace=trace-deploy-failed&span=migrate&env=prod%20%26%20dev');
	});

	it('no [links], no section', () => {
		assert.deepEqual(linkLines(migrate, {...options, links: {}}), []);
	});
});

describe('span detail and saved filters in the console (80x24)', () => {
	let harness: Harness | undefined;
	afterEach(() => {
		harness?.cleanup();
		harness = undefined;
	});

	const openFailedSpan = async (h: Harness): Promise<void> => {
		await h.ready();
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('migrate'));
		await h.press('f', KEYS.enter);
		await settle(h, frame => frame.includes('LINKS OUT'));
	};

	it('span detail lists the links, as OSC 8 hyperlinks when the terminal shows them', async () => {
		const h = renderApp(failedDeploy(), {links: LINKS, hyperlinks: false});
		harness = h;
		await openFailedSpan(h);
		let frame = h.frame();
		assert.match(frame, /LINKS OUT.*\n.*logs\s*\n.*https:\/\/logs\.example\/\?trace=trace-deploy-failed&span=migrate&env=prod/);
		assert.ok(frame.split('\n').length <= 24 && frame.split('\n').every(row => row.length <= 80), 'fits 80x24');
		assert.ok(!frame.includes(ESC));

		h.rerender({links: LINKS, hyperlinks: true});
		await settle(h, f => f.includes('click a name'));
		frame = h.frame();
		assert.ok(frame.includes(`${ESC}]8;;https://logs.example/?trace=trace-deploy-failed&span=migrate&env=prod${ESC}\\logs${ESC}]8;;${ESC}\\`), 'the name is an OSC 8 hyperlink');
		assert.ok(!frame.includes('    https://logs.example'), 'and the URL is not printed');
	});

	it(':save keeps the runs filter, :f lists and applies saved filters, and help shows both', async () => {
		const saved: Array<[string, string]> = [];
		let filters: Record<string, string> = {mine: 'status:running'};
		const h = renderApp(failedDeploy(), {
			filters,
			saveFilter(name, filter) {
				saved.push([name, filter]);
				filters = {...filters, [name]: filter};
				return filters;
			},
		});
		harness = h;
		await h.ready();
		await h.press(':');
		await h.type('save prod');
		await h.press(KEYS.enter);
		assert.match(h.frame(), /no runs filter to save/);

		await h.press('f');
		await h.type('env:prod');
		await h.press(KEYS.enter, ':');
		await h.type('save prod');
		await h.press(KEYS.enter);
		assert.deepEqual(saved, [['prod', 'env:prod']]);
		assert.match(h.frame(), /saved filter prod: env:prod/);

		await h.press(':');
		await h.type('f');
		await h.press(KEYS.enter);
		assert.match(h.frame(), /saved filters: mine \(status:running\), prod \(env:prod\)/);

		await h.press(':');
		await h.type('f mine');
		await h.press(KEYS.enter);
		await settle(h, frame => frame.includes('filter: status:running'));
		assert.match(h.frame(), /filter: status:running/);

		await h.press(':');
		await h.type('f nope');
		await h.press(KEYS.enter);
		assert.match(h.frame(), /no saved filter "nope"; :f lists them/);

		await h.press('?', 'G');
		assert.match(h.frame(), /:save <name> +save the runs filter/);
		assert.match(h.frame(), /:f \[name\] +apply a saved filter/);
	});
});

describe('console commands and colours', () => {
	it(':save needs a name; :f takes one or none', () => {
		assert.deepEqual(parseConsoleCommand(':save prod'), {kind: 'save-filter', name: 'prod'});
		assert.equal(parseConsoleCommand(':save').kind, 'error');
		assert.deepEqual(parseConsoleCommand(':f'), {kind: 'filter', name: null});
		assert.deepEqual(parseConsoleCommand(':f prod'), {kind: 'filter', name: 'prod'});
	});

	it('[colors] changes a role and the default colour that stands for it; other colours stay', () => {
		const palette = makePalette({failed: '#ff5555', pending: 'blueBright'});
		assert.equal(palette('failed'), '#ff5555');
		assert.equal(palette('red'), '#ff5555', 'text drawn red follows the failed role');
		assert.equal(palette('pending'), 'blueBright');
		assert.equal(palette('running'), 'yellow');
		assert.equal(palette('yellow'), 'yellow');
		assert.equal(palette('whiteBright'), 'whiteBright');
		assert.equal(palette(undefined), undefined);
		assert.throws(() => checkColors({failed: 'crimson'}, '/x/config.toml'), /^ConfigError: \/x\/config\.toml: colors\.failed = "crimson" is not a colour; use #rrggbb or one of black, red/);
		assert.doesNotThrow(() => checkColors({failed: 'redBright', accent: '#0af'}, null));
	});
});
