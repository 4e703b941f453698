import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, it} from 'node:test';
import {buildRunReport, type RunReport} from '../../source/core/run-report.js';
import {renderReportHtml} from '../../source/interop/report-html.js';
import {RunIndex} from '../../source/store/run-index.js';
import {homeWith, runningRunEvents, sampleRunEvents} from './sample-run.js';
import {tempHome} from '../helpers/temp-home.js';

const CHROMIUM = '/usr/bin/chromium';
const NOW = Date.parse('2026-03-02T10:00:02.000Z');

function sampleReport(ref = 'run-20260302-100000-3f2a9c1', ...batches: Parameters<typeof homeWith>): RunReport {
	const home = homeWith(...(batches.length > 0 ? batches : [sampleRunEvents()]));
	const index = RunIndex.open(home, {readonly: true});
	try {
		const run = index.resolveRun(ref);
		return buildRunReport(run, index.spans(run.trace_id), NOW);
	} finally {
		index.close();
	}
}

describe('report.html', () => {
	const report = sampleReport();
	const html = renderReportHtml(report, {generatedAtMs: NOW});

	it('escapes every producer-supplied string', () => {
		assert.ok(!html.includes('<script>alert(1)</script>'), 'stderr text is not markup');
		assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
		assert.ok(html.includes('migrate &#60;db&#62;'));
		assert.ok(html.includes('B is &#60;faster&#62; &#38; &#34;safer&#34;'));
		assert.equal((html.match(/<script>/g) ?? []).length, 1, 'only our own script');
	});

	it('is self-contained: nothing to fetch, and a CSP that forbids fetching', () => {
		assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
		assert.doesNotMatch(html, /@import|url\(/i);
		assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
	});

	it('redacts secrets in the data it shows', () => {
		assert.ok(!html.includes('hunter2'));
		assert.ok(html.includes('&#60;redacted:7chars&#62;'));
	});

	it('shows the failure, the critical path, compensations with orphans and decisions', () => {
		assert.match(html, /Failure: <a href="#s\d+">migrate &#60;db&#62;<\/a>/);
		assert.match(html, /lock timeout on users/);
		assert.match(html, /id="critical-path"/);
		assert.match(html, /Orphans: forward steps left undone/);
		assert.match(html, /Chose <strong>B<\/strong> with confidence 70%/);
		assert.match(html, /slower/);
	});

	it('renders a running run, with open spans drawn up to now', () => {
		const running = sampleReport('run-canary-1', runningRunEvents());
		const page = renderReportHtml(running, {generatedAtMs: NOW});
		assert.match(page, /Nothing has failed so far/);
		assert.match(page, /class="bar open"/);
		assert.match(page, /\(running\)/);
	});

	it('draws at most maxRows rows but always the failure path and the critical path', () => {
		// In the sample every span is on the critical path; keep only the notify stretch so there is something to leave out.
		const narrow = {...report, critical_path: report.critical_path.filter(segment => segment.span_id === 'notify')};
		const page = renderReportHtml(narrow, {generatedAtMs: NOW, maxRows: 1});
		const rows = [...page.matchAll(/<details class="row[^"]*" id="(s\d+)"/g)].map(match => match[1]);
		const anchorOf = (id: string): string => `s${report.spans.findIndex(span => span.span_id === id)}`;
		assert.deepEqual(
			rows,
			['root', 'deploy', 'migrate', 'notify'].map(id => anchorOf(id)),
			'the first row, the failure path and the critical path',
		);
		assert.match(page, /5 more spans not drawn/);
		assert.match(page, /class="row st-failed cause"/);
	});

	it('renders in headless Chromium: a screenshot, the failing span in the page text, a working filter', {timeout: 60_000}, async t => {
		if (!fs.existsSync(CHROMIUM)) {
			t.skip(`${CHROMIUM} is missing; install the Debian package "chromium" (apt-get install -y chromium) to run this test`);
			return;
		}

		const {chromium} = await import('playwright-core');
		const dir = tempHome('tracedeck-report-');
		const file = path.join(dir, 'report.html');
		fs.writeFileSync(file, html);
		const browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		try {
			const page = await browser.newPage({viewport: {width: 1280, height: 900}});
			const problems: string[] = [];
			const requests: string[] = [];
			page.on('console', message => {
				if (message.type() === 'error' || message.type() === 'warning') {
					problems.push(message.text());
				}
			});
			page.on('pageerror', error => problems.push(error.message));
			page.on('request', request => requests.push(request.url()));
			await page.goto(pathToFileURL(file).href);

			const shot = path.join(dir, 'report.png');
			await page.screenshot({path: shot, fullPage: true});
			const png = fs.readFileSync(shot);
			assert.ok(png.length > 1000, 'a non-empty PNG');
			assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

			const text = await page.innerText('body');
			assert.ok(text.includes('migrate <db>'), 'the failing span by name');
			assert.ok(text.includes('lock timeout on users'));
			assert.deepEqual(requests, [pathToFileURL(file).href], 'nothing but the page itself is loaded');
			assert.deepEqual(problems, [], 'no script errors or CSP violations');

			// The inline script runs under the CSP hash: the critical-path toggle and the filter hide rows.
			const visible = async (): Promise<number> => page.locator('.waterfall .row:visible').count();
			const all = await visible();
			await page.fill('#filter', 'migrate');
			assert.equal(await visible(), 1);
			await page.fill('#filter', '');
			assert.equal(await visible(), all);
			await page.click('a[href^="#s"]:has-text("migrate")');
			assert.equal(await page.locator('details.row.cause').getAttribute('open'), '');
		} finally {
			await browser.close();
		}
	});
});
