import {buildRunReport, runReportDocument} from '../core/run-report.js';
import {openCommandStore, storeLocation} from './command-store.js';
import {COMMON_HELP, parseFlags, requireArgs} from './command-flags.js';
import {EXIT_STATUS_HELP, exitStatusOf} from './exit-status.js';
import {writeJsonStream} from './write-json.js';

const HELP = `
  Usage
    $ tracedeck runs show <run>

  Shows one run: its spans as a tree, the critical path, the root-cause
  failure with its error and input, saga compensations and orphans, AI
  decisions with what followed, and OpenTelemetry log records (under their
  span, or in the run's "logs" when their span never arrived). <run> is a
  run id, a trace id, a unique prefix of either, or a unique trailing part
  of the run id (the short sha: 3f2a9c1). In a terminal it opens
  the trace screen of the console; piped, or with --text, it prints text;
  with --json, DESIGN's JSON document.

  Options
    --text         print text even in a terminal
    ${EXIT_STATUS_HELP}
${COMMON_HELP}

  Examples
    $ tracedeck runs show run-20261124-0315
    $ tracedeck runs show run-20261124-0315 --json | jq .failure
    $ tracedeck runs show 3f2a9c1 --exit-status > /dev/null || echo "not green"
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {text: {type: 'boolean', default: false}, exitStatus: {type: 'boolean', default: false}});
	requireArgs(cli.input, 1, 'the run to show');
	if (!cli.flags.json && !cli.flags.text && !cli.flags.exitStatus && process.stdout.isTTY && process.stdin.isTTY) {
		const {openConsole} = await import('./open-console.js');
		return openConsole({...storeLocation(cli.flags), initial: {screen: 'trace', run: cli.input[0]!}});
	}

	const index = await openCommandStore(cli.flags, {readonly: true});
	let status = 0;
	try {
		const found = await index.resolveRun(cli.input[0]!);
		if (cli.flags.exitStatus) {
			status = exitStatusOf(found);
		}

		const spans = await index.spans(found.trace_id);
		const strayLogs = await index.strayLogs(found.trace_id);
		if (cli.flags.json) {
			// Streamed: the spans are made and written a batch at a time, never the whole document at once.
			await writeJsonStream(runReportDocument(found, spans, Date.now(), strayLogs));
		} else {
			// Loaded here: --json (the scripted case, issue 20) never needs the text formatter or the config file it reads.
			const {formatRunReport} = await import('./format-run-report.js');
			process.stdout.write(`${formatRunReport(buildRunReport(found, spans, Date.now(), strayLogs), Date.now())}\n`);
		}
	} finally {
		await index.close();
	}

	return status;
}
