import fs from 'node:fs';
import path from 'node:path';
import {InputError, NotFoundError} from '../core/errors.js';
import type {TraceEvent} from '../core/trace-event.js';
import {parseTraceFile, type ReadProgress, type TraceFile} from './trace-file.js';

// What a folder contributes: a file named explicitly is read whatever its name, but a folder also holds READMEs.
const TRACE_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.json', '.pb', '.binpb', '.otlp']);

function isTraceFileName(name: string): boolean {
	return TRACE_EXTENSIONS.has(path.extname(name.endsWith('.gz') ? name.slice(0, -3) : name));
}

/** Files to ingest: a run artifact folder contributes its otlp-traces.json; other folders every event file, sorted. */
export function expandInputs(inputs: readonly string[]): string[] {
	const files: string[] = [];
	for (const input of inputs) {
		let stat: fs.Stats;
		try {
			stat = fs.statSync(input);
		} catch {
			throw new NotFoundError(`${input}: no such file or folder`);
		}

		if (!stat.isDirectory()) {
			files.push(input);
			continue;
		}

		const artifact = path.join(input, 'otlp-traces.json');
		if (fs.existsSync(artifact)) {
			files.push(artifact);
			continue;
		}

		const entries = fs.readdirSync(input, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name));
		const nested = entries.filter(entry => entry.isDirectory()).map(entry => path.join(input, entry.name));
		files.push(...entries.filter(entry => entry.isFile() && isTraceFileName(entry.name) && !['plan.json', 'summary.json'].includes(entry.name)).map(entry => path.join(input, entry.name)), ...expandInputs(nested));
	}

	return files;
}

/** A file that cannot be read, as the error ingest reports for it. */
export function unreadable(file: string, error: unknown): NotFoundError | InputError {
	const code = (error as {code?: string}).code;
	return code === 'ENOENT' ? new NotFoundError(`${file}: no such file`) : new InputError(`${file}: cannot read (${code ?? (error as Error).message})`);
}

/** Read a whole file and check it before anything is stored; see parseTraceFile for the formats. `onProgress` hears how far the check has got. */
export function readTraceFile(file: string, onProgress?: ReadProgress): TraceFile {
	let bytes: Buffer;
	try {
		bytes = fs.readFileSync(file);
	} catch (error) {
		throw unreadable(file, error);
	}

	return parseTraceFile(bytes, file, onProgress);
}

/** The events of a whole file, read and checked before anything is stored. */
export function readEventsFile(file: string): TraceEvent[] {
	return readTraceFile(file).events;
}
