import {spawn} from 'node:child_process';
import {pathToFileURL} from 'node:url';
import {sanitize} from '../core/sanitize.js';
import {writeRunArtifacts} from '../interop/artifacts.js';
import {COMMON_HELP, parseFlags, requireArgs} from './command-flags.js';
import {storeLocation} from './command-store.js';
import {writeJson} from './write-json.js';

const HELP = `
  Usage
    $ tracedeck runs open <run>

  Writes the run's artifacts (report.html, summary.json, otlp-traces.json)
  under <home>/artifacts/<env>/<target>/<plan-hash>/<run-id>/ and prints the
  path of report.html: one self-contained page (no network) with the run's
  fields, a waterfall with the critical path, the failure, compensations and
  AI decisions. Opens it with $BROWSER, else xdg-open when a display is
  available (open on macOS); over SSH it just prints the path to copy.
  <run> is a run id, a trace id, or a unique prefix of either.

  Options
    --no-browser   only write the report and print its path
${COMMON_HELP}

  Examples
    $ tracedeck runs open run-20261124-0315
    $ scp host:$(ssh host tracedeck runs open run-20261124-0315 --no-browser) .
`;

export interface BrowserCommand {
	command: string;
	args: string[];
}

/**
 * How to show a file: $BROWSER (first of its ":"-separated list; "%s" marks
 * where the URL goes, else it is appended), else `open` on macOS, else
 * xdg-open when there is a display. Undefined when there is nothing to open
 * it with, which is the usual case over SSH.
 */
export function browserCommand(file: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserCommand | undefined {
	const browser = env['BROWSER']
		?.split(':')
		.map(entry => entry.trim())
		.find(entry => entry !== '');
	if (browser) {
		const url = pathToFileURL(file).href;
		const words = browser.split(/\s+/);
		const args = words.slice(1);
		return {command: words[0]!, args: args.some(word => word.includes('%s')) ? args.map(word => word.replaceAll('%s', url)) : [...args, url]};
	}

	if (platform === 'darwin') {
		return {command: 'open', args: [file]};
	}

	if (env['DISPLAY'] || env['WAYLAND_DISPLAY']) {
		return {command: 'xdg-open', args: [file]};
	}

	return undefined;
}

/** Start the browser detached and leave it; false (with a warning) when it cannot start. Never throws. */
async function launch(browser: BrowserCommand): Promise<boolean> {
	try {
		const child = spawn(browser.command, browser.args, {detached: true, stdio: 'ignore'});
		const started = await new Promise<boolean>(resolve => {
			child.once('spawn', () => resolve(true));
			child.once('error', error => {
				process.stderr.write(`tracedeck: could not start ${sanitize(browser.command, true)} (${error.message}); open the report yourself\n`);
				resolve(false);
			});
		});
		child.unref();
		return started;
	} catch (error) {
		process.stderr.write(`tracedeck: could not start ${sanitize(browser.command, true)} (${(error as Error).message}); open the report yourself\n`);
		return false;
	}
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {browser: {type: 'boolean', default: true}});
	requireArgs(cli.input, 1, 'the run to open');
	const artifacts = await writeRunArtifacts(storeLocation(cli.flags), cli.input[0]!);
	const report = artifacts.files.report;
	const browser = cli.flags.browser ? browserCommand(report) : undefined;
	const opened = browser ? await launch(browser) : false;
	if (cli.flags.json) {
		writeJson({run_id: artifacts.run.run_id, dir: artifacts.dir, report, opened});
	} else {
		process.stdout.write(`${report}\n`);
	}

	return 0;
}
