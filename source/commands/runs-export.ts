import path from 'node:path';
import {InputError} from '../core/errors.js';
import type {Run} from '../core/run.js';
import {buildRunReport} from '../core/run-report.js';
import {AtomicFile} from '../interop/atomic-file.js';
import {csvRecord, RUN_COLUMNS, runCsvValues, SPAN_COLUMNS, spanCsvValues} from '../interop/csv-export.js';
import {runToResourceSpans} from '../interop/otlp-export.js';
import type {Store} from '../store/store.js';
import {openCommandStore} from './command-store.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {RUN_FILTER_FLAGS, RUN_FILTER_HELP, runFilterFromFlags} from './run-filter-flags.js';

const HELP = `
  Usage
    $ tracedeck runs export [--format csv|json|otlp] [filters] [--output <file>]

  Exports the runs that match, newest first:
    csv    one row per run with its fields (RFC 4180); --spans: one row per span
    json   an array of {run, spans}, spans as runs show --json has them
    otlp   one OTLP/JSON document holding every run (resourceSpans per resource),
           for Jaeger, Tempo or any OTLP backend; tracedeck ingest reads it back

  Options
    --format <f>         csv (default), json or otlp
    --spans              csv only: one row per span instead of per run
    --output <file>      write to this file (whole or not at all) instead of stdout
${RUN_FILTER_HELP} (default: all)
${COMMON_HELP}

  Examples
    $ tracedeck runs export --env prod --since 7d --output prod-week.csv
    $ tracedeck runs export --status failed --format json | jq '.[].run.failed_step'
    $ tracedeck runs export --format otlp --since 24h > traces.json
`;

const FORMATS = ['csv', 'json', 'otlp'] as const;
type Format = (typeof FORMATS)[number];

/** Where the export goes: stdout as it is produced, or a file that appears whole at the end. */
interface Output {
	write(text: string): Promise<void>;
	finish(): void;
	abort(): void;
}

function stdoutOutput(): Output {
	const stdout = process.stdout;
	// A reader that went away (| head) ends the export quietly, as other CLI tools do.
	let closed = false;
	const onError = (error: NodeJS.ErrnoException): void => {
		if (error.code === 'EPIPE') {
			closed = true;
		}
	};

	stdout.on('error', onError);
	return {
		async write(text) {
			if (closed || stdout.write(text)) {
				return;
			}

			await new Promise<void>(resolve => {
				const done = (): void => {
					stdout.off('drain', done);
					stdout.off('error', done);
					resolve();
				};

				stdout.once('drain', done);
				stdout.once('error', done);
			});
		},
		finish() {
			stdout.off('error', onError);
		},
		abort() {
			stdout.off('error', onError);
		},
	};
}

function fileOutput(file: string): Output {
	let out: AtomicFile;
	try {
		out = new AtomicFile(path.resolve(file));
	} catch (error) {
		throw new InputError(`--output ${file}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
	}

	return {
		async write(text) {
			out.write(text);
		},
		finish: () => out.commit(),
		abort: () => out.abort(),
	};
}

/** One document per format, written run by run so a large export never sits whole in memory. */
async function writeExport(index: Store, runs: readonly Run[], format: Format, spans: boolean, output: Output): Promise<void> {
	const now = Date.now();
	const reportOf = async (run: Run) => buildRunReport(run, await index.spans(run.trace_id), now);
	if (format === 'csv') {
		await output.write(csvRecord(spans ? SPAN_COLUMNS : RUN_COLUMNS));
		for (const run of runs) {
			if (spans) {
				await output.write((await reportOf(run)).spans.map(span => csvRecord(spanCsvValues(run, span))).join(''));
			} else {
				await output.write(csvRecord(runCsvValues(run)));
			}
		}

		return;
	}

	const [open, close] = format === 'json' ? ['[', ']'] : ['{"resourceSpans":[', ']}'];
	await output.write(open);
	let written = 0;
	for (const run of runs) {
		// A run is one item in json; in otlp, one ResourceSpans per resource its spans came from.
		const items = format === 'json' ? [JSON.stringify({run, spans: (await reportOf(run)).spans}, null, 2)] : runToResourceSpans({run, spans: await index.spans(run.trace_id)}).map(group => JSON.stringify(group));
		for (const item of items) {
			await output.write(`${written === 0 ? '\n' : ',\n'}${item}`);
			written++;
		}
	}

	await output.write(`${written > 0 ? '\n' : ''}${close}\n`);
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		format: {type: 'string'},
		spans: {type: 'boolean', default: false},
		output: {type: 'string'},
		...RUN_FILTER_FLAGS,
		limit: {type: 'number', default: 0},
	});
	const {flags} = cli;
	// --json (every read command has it) reads as --format json.
	const format = (flags.format ?? (flags.json ? 'json' : 'csv')) as Format;
	if (!FORMATS.includes(format)) {
		throw new InputError(`--format must be one of ${FORMATS.join(', ')}`);
	}

	if (flags.json && format !== 'json') {
		throw new InputError(`--json and --format ${format} disagree; give one of them`);
	}

	if (flags.spans && format !== 'csv') {
		throw new InputError('--spans is for --format csv; json and otlp always carry the spans');
	}

	const filter = runFilterFromFlags(flags);
	const index = await openCommandStore(flags, {readonly: true});
	try {
		const runs = await index.listRuns(filter);
		const output = flags.output === undefined ? stdoutOutput() : fileOutput(flags.output);
		try {
			await writeExport(index, runs, format, flags.spans, output);
			output.finish();
		} catch (error) {
			output.abort();
			throw error;
		}

		if (flags.output !== undefined) {
			process.stderr.write(`exported ${runs.length} run${runs.length === 1 ? '' : 's'} as ${format}${flags.spans ? ' (spans)' : ''} to ${flags.output}\n`);
		}
	} finally {
		await index.close();
	}

	return 0;
}
