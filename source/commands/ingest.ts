import {InputError, NotFoundError, type TracedeckError} from '../core/errors.js';
import {sanitizeMessage} from '../core/sanitize.js';
import {expandInputs} from '../interop/input-files.js';
import {readTraceFileParts} from '../interop/trace-file-parts.js';
import {EventWriter} from '../live/event-writer.js';
import {openCommandStore, type StoreFlags} from './command-store.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {writeJson} from './write-json.js';
import {drawsProgress, fileProgress, progressReporter} from './progress.js';

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
  and run artifact folders. Each file is stored in one transaction (JSON Lines
  as they are read, the other formats once read whole): a bad file stores
  nothing (a file without spans is bad too), and ingesting a file twice
  changes nothing. Two identical lines in a file are two events; a file that grew adds its new
  lines only. Events that carry an event_id are one event per id.
  Given several files (or a folder of them), a bad one is refused and the
  others are still stored: one line per file says which, and the exit code
  is 2 when any was refused. A full disk or an unusable index stops at once
  and lists the files not ingested.
${COMMON_HELP}

  Examples
    $ tracedeck ingest run-20261124-031500-3f2a9c1.jsonl
    $ tracedeck ingest ./artifacts/prod/api/
    $ tracedeck ingest jaeger-trace.json zipkin.json otelcol-traces.jsonl
`;

interface Stored {
	file: string;
	status: 'stored';
	events: number;
	duplicates: number;
	traces: number;
}

/** What became of one file; `--json` lists them under `inputs`. */
type FileOutcome = Stored | {file: string; status: 'refused'; error: string};

/**
 * Events a file is stored in at a time, within its one transaction: what
 * ingest holds of a JSON Lines file at once (some tens of MB), whatever its size.
 */
export const PART_EVENTS = 10_000;

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A file's own fault (unreadable, malformed, missing): refused, and the next file goes on. A store or internal error stops the ingest. */
function isFileProblem(error: unknown): error is TracedeckError {
	return error instanceof InputError || error instanceof NotFoundError;
}

type Expanded = {input: string; files: string[]; error?: undefined} | {input: string; files?: undefined; error: TracedeckError};

function expandOne(input: string): Expanded {
	try {
		return {input, files: expandInputs([input])};
	} catch (error) {
		if (isFileProblem(error)) {
			return {input, error};
		}

		throw error;
	}
}

/** The refusal as one printable line that names the file (most messages already start with it). */
function refusal(file: string, error: Error): string {
	const message = sanitizeMessage(error.message);
	return message.startsWith(sanitizeMessage(file)) ? message : `${sanitizeMessage(file)}: ${message}`;
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {});
	if (cli.input.length === 0) {
		throw new InputError('ingest needs at least one file or folder; see tracedeck ingest --help');
	}

	// One input that is one file: its error is the command's, as it always was. Several files: each stands alone.
	const files = cli.input.length === 1 ? expandInputs(cli.input) : undefined;
	return ingest(cli.input, files, cli.flags, files === undefined || files.length !== 1);
}

/**
 * Store each file in its own transaction. With `several`, a bad file is
 * refused (nothing of it stored, a line on stderr) and the next goes on; the
 * report says per file what was stored, and the exit is 2 when any file was
 * refused. A store failure (disk full, a damaged index) stops at once: the
 * files stored before it are listed, then the error.
 */
async function ingest(inputs: readonly string[], expanded: string[] | undefined, flags: StoreFlags & {json: boolean}, several: boolean): Promise<number> {
	const store = await openCommandStore(flags);
	// Waits out another writer's lock (serve, an emitter) asynchronously, then fails with StoreBusyError; each file stays one transaction.
	const writer = new EventWriter(store);
	const outcomes: FileOutcome[] = [];
	const runs = new Set<string>();
	const notStored: string[] = [];
	const refuse = (file: string, error: TracedeckError): void => {
		const line = refusal(file, error);
		outcomes.push({file, status: 'refused', error: line});
		process.stderr.write(`tracedeck: refused ${line}\n`);
	};

	// Each input expands on its own, so that a missing one is refused like a bad file, in its place.
	const entries = expanded === undefined ? inputs.map(input => expandOne(input)) : [{input: inputs[0]!, files: expanded}];
	const pending = entries.flatMap(entry => entry.files ?? []);
	const progress = progressReporter('ingest', pending.length, process.stderr, drawsProgress(process.stderr, process.env, flags.json) && pending.length > 1);
	try {
		for (const entry of entries) {
			if (entry.error !== undefined) {
				refuse(entry.input, entry.error);
				continue;
			}

			for (const file of entry.files) {
				// A file that takes over a second gets a line of its own: bytes read and checked, events, rate, ETA.
				const reading = fileProgress(sanitizeMessage(file), {json: flags.json});
				try {
					// Read in parts and stored as they come, in one transaction (EventWriter.writeParts): a bad line anywhere rolls it all back.
					const read = readTraceFileParts(file, {onProgress: reading.read, onStoring: reading.storing, partEvents: PART_EVENTS});
					let result;
					try {
						result = await writer.writeParts(read.parts);
					} finally {
						reading.done();
					}

					for (const note of read.end().notes) {
						process.stderr.write(`tracedeck: warning: ${sanitizeMessage(note)}\n`);
					}

					outcomes.push({file, status: 'stored', events: result.inserted, duplicates: result.duplicates, traces: result.traces.length});
					for (const trace of result.traces) {
						runs.add(trace);
					}
				} catch (error) {
					if (!several || !isFileProblem(error)) {
						notStored.push(...pending);
						throw error;
					}

					refuse(file, error);
				} finally {
					pending.shift();
				}

				progress.tick(file);
			}
		}
	} finally {
		progress.done();
		await store.close();
		if (several && notStored.length > 0) {
			// Stopped: say what is stored, and which files are not, before the error itself.
			report(outcomes, runs, flags.json, true, notStored);
			process.stderr.write(`tracedeck: not ingested: ${notStored.map(file => sanitizeMessage(file)).join(', ')}\n`);
		}
	}

	report(outcomes, runs, flags.json, several, []);
	return outcomes.some(outcome => outcome.status === 'refused') ? 2 : 0;
}

function report(outcomes: readonly FileOutcome[], runs: ReadonlySet<string>, json: boolean, several: boolean, notIngested: readonly string[]): void {
	const stored = outcomes.filter((outcome): outcome is Stored => outcome.status === 'stored');
	const refused = outcomes.length - stored.length;
	const events = stored.reduce((sum, outcome) => sum + outcome.events, 0);
	const duplicates = stored.reduce((sum, outcome) => sum + outcome.duplicates, 0);
	if (json) {
		writeJson({
			files: stored.length,
			events,
			duplicates,
			traces: runs.size,
			...(several ? {refused, inputs: outcomes} : {}),
			...(notIngested.length > 0 ? {not_ingested: notIngested} : {}),
		});
		return;
	}

	if (several) {
		for (const outcome of stored) {
			process.stdout.write(`${sanitizeMessage(outcome.file)}: ${plural(outcome.events, 'event')} stored (${outcome.duplicates} already stored) into ${plural(outcome.traces, 'run')}\n`);
		}
	}

	process.stdout.write(`ingested ${plural(events, 'event')} (${duplicates} already stored) from ${plural(stored.length, 'file')} into ${plural(runs.size, 'run')}${refused > 0 ? `; ${plural(refused, 'file')} refused, nothing of ${refused === 1 ? 'it' : 'them'} stored` : ''}\n`);
}
