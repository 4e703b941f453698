import {InputError} from '../core/errors.js';
import {expandInputs, readTraceFile} from '../interop/input-files.js';
import {RunIndex} from '../store/run-index.js';
import {COMMON_HELP, parseCommand, resolveHome, writeJson} from './command-line.js';
import {progressReporter} from './progress.js';

const HELP = `
  Usage
    $ tracedeck ingest <file|dir>...

  Reads, told by content and not by file name (gzip-compressed or not):
    TraceEvent JSON Lines (or a JSON array of TraceEvents)
    OTLP JSON: one export ({"resourceSpans": ...}) or JSON Lines of them, as the
      OTLP file exporter and the Collector's file exporter write; older files
      (instrumentationLibrarySpans) too
    OTLP protobuf: an ExportTraceServiceRequest, or the Collector file
      exporter's stream (format: proto)
    Jaeger JSON: Jaeger UI's downloads and the query API's {"data": [...]},
      one trace or an array of them, and api_v3's {"result": ...}
    Zipkin v2 JSON: an array of spans (/api/v2/trace/<id>), or of traces
  and run artifact folders. Each file is validated whole, then stored in one
  transaction: a bad file stores nothing (a file without spans is bad too), and
  ingesting a file twice changes nothing. Two identical lines in a file are two
  events; a file that grew adds its new lines only. Events that carry an
  event_id are one event per id.
${COMMON_HELP}

  Examples
    $ tracedeck ingest run-20261124-031500-3f2a9c1.jsonl
    $ tracedeck ingest ./artifacts/prod/api/
    $ tracedeck ingest jaeger-trace.json zipkin.json otelcol-traces.jsonl
`;

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {});
	if (cli.input.length === 0) {
		throw new InputError('ingest needs at least one file or folder; see tracedeck ingest --help');
	}

	const files = expandInputs(cli.input);
	const index = RunIndex.open(resolveHome(cli.flags.home));
	const progress = progressReporter('ingest', files.length);
	const summary = {files: 0, events: 0, duplicates: 0, runs: new Set<string>()};
	try {
		for (const file of files) {
			const {events, notes} = readTraceFile(file);
			for (const note of notes) {
				process.stderr.write(`tracedeck: warning: ${note}\n`);
			}

			const result = index.appendEvents(events);
			summary.files++;
			summary.events += result.inserted.length;
			summary.duplicates += result.duplicates;
			for (const trace of result.traces) {
				summary.runs.add(trace);
			}

			progress.tick(file);
		}
	} finally {
		progress.done();
		index.close();
	}

	if (cli.flags.json) {
		writeJson({files: summary.files, events: summary.events, duplicates: summary.duplicates, traces: summary.runs.size});
	} else {
		const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
		process.stdout.write(`ingested ${plural(summary.events, 'event')} (${summary.duplicates} already stored) from ${plural(summary.files, 'file')} into ${plural(summary.runs.size, 'run')}\n`);
	}

	return 0;
}
