import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {pathToFileURL} from 'node:url';
import {describe, it} from 'node:test';
import {browserCommand} from '../../source/commands/runs-open.js';
import {homeWith, sampleRunEvents} from '../interop/sample-run.js';
import {tempHome} from '../helpers/temp-home.js';
import {runSourceCli} from '../helpers/source-cli.js';

const RUN_ID = 'run-20260302-100000-3f2a9c1';
const NO_BROWSER = {BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: ''};

describe('tracedeck runs open', () => {
	it('writes the report and prints its path; with no browser it opens nothing and still succeeds', () => {
		const home = homeWith(sampleRunEvents());
		const result = runSourceCli(['runs', 'open', RUN_ID.slice(0, 16)], {home, env: NO_BROWSER});
		assert.equal(result.code, 0, result.stderr);
		const report = result.stdout.trim();
		assert.equal(report, path.join(home, 'artifacts', 'prod', 'api', 'a'.repeat(64), RUN_ID, 'report.html'));
		assert.match(fs.readFileSync(report, 'utf8'), /migrate &#60;db&#62;/);
		assert.ok(fs.existsSync(path.join(path.dirname(report), 'summary.json')));
		assert.equal(result.stderr, '');
	});

	it('opens the report with $BROWSER', async () => {
		const home = homeWith(sampleRunEvents());
		const dir = tempHome();
		const seen = path.join(dir, 'seen.txt');
		const script = path.join(dir, 'browser.mjs');
		fs.writeFileSync(script, `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(seen)}, process.argv.slice(2).join('\\n'));\n`);
		const result = runSourceCli(['runs', 'open', RUN_ID, '--json'], {home, env: {...NO_BROWSER, BROWSER: `${process.execPath} ${script} --new-tab %s`}});
		assert.equal(result.code, 0, result.stderr);
		const out = JSON.parse(result.stdout) as {run_id: string; report: string; opened: boolean};
		assert.equal(out.run_id, RUN_ID);
		assert.equal(out.opened, true);
		for (let i = 0; i < 100 && !fs.existsSync(seen); i++) {
			await delay(50);
		}

		assert.deepEqual(fs.readFileSync(seen, 'utf8').split('\n'), ['--new-tab', pathToFileURL(out.report).href]);
	});

	it('warns but succeeds when the browser cannot start', () => {
		const home = homeWith(sampleRunEvents());
		const result = runSourceCli(['runs', 'open', RUN_ID], {home, env: {...NO_BROWSER, BROWSER: '/nonexistent/browser'}});
		assert.equal(result.code, 0);
		assert.match(result.stderr, /could not start \/nonexistent\/browser/);
		assert.match(result.stdout, /report\.html\n$/);
	});

	it('fails for an unknown run with exit code 3', () => {
		const result = runSourceCli(['runs', 'open', 'run-nope'], {home: homeWith(sampleRunEvents()), env: NO_BROWSER});
		assert.equal(result.code, 3);
		assert.match(result.stderr, /no run matches "run-nope"/);
	});

	it('picks $BROWSER, then open on macOS, then xdg-open with a display, else nothing', () => {
		const file = '/tmp/r/report.html';
		assert.deepEqual(browserCommand(file, {BROWSER: 'firefox:chromium'}, 'linux'), {command: 'firefox', args: ['file:///tmp/r/report.html']});
		assert.deepEqual(browserCommand(file, {BROWSER: 'w3m -o x %s'}, 'linux'), {command: 'w3m', args: ['-o', 'x', 'file:///tmp/r/report.html']});
		assert.deepEqual(browserCommand(file, {}, 'darwin'), {command: 'open', args: [file]});
		assert.deepEqual(browserCommand(file, {DISPLAY: ':0'}, 'linux'), {command: 'xdg-open', args: [file]});
		assert.equal(browserCommand(file, {}, 'linux'), undefined);
	});
});
