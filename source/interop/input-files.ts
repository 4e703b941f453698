import fs from 'node:fs';
import path from 'node:path';
import {InputError, NotFoundError} from '../core/errors.js';
import type {TraceEvent} from '../core/trace-event.js';
import {otlpToEvents, OtlpParseError} from './otlp-to-events.js';
import {EventParseError, parseTraceEvent, parseTraceEventLine} from './trace-event-schema.js';

const EVENT_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.json']);

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
		files.push(
			...entries.filter(entry => entry.isFile() && EVENT_EXTENSIONS.has(path.extname(entry.name)) && !['plan.json', 'summary.json'].includes(entry.name))
				.map(entry => path.join(input, entry.name)),
			...expandInputs(nested),
		);
	}

	return files;
}

function parseLines(file: string, text: string): TraceEvent[] {
	const events: TraceEvent[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!.trim();
		if (line === '') {
			continue;
		}

		try {
			events.push(parseTraceEventLine(line));
		} catch (error) {
			throw new InputError(`${file}:${i + 1}: ${(error as Error).message}`);
		}
	}

	return events;
}

function parseDocument(file: string, text: string): TraceEvent[] {
	let document: unknown;
	try {
		document = JSON.parse(text);
	} catch (error) {
		throw new InputError(`${file}: truncated or invalid JSON (${(error as Error).message}); nothing from it was stored`);
	}

	try {
		if (Array.isArray(document)) {
			return document.map(item => parseTraceEvent(item));
		}

		if (document && typeof document === 'object' && 'resourceSpans' in document) {
			return otlpToEvents(document);
		}

		if (document && typeof document === 'object' && 'trace_id' in document) {
			return [parseTraceEvent(document)];
		}
	} catch (error) {
		if (error instanceof OtlpParseError || error instanceof EventParseError) {
			throw new InputError(`${file}: ${error instanceof OtlpParseError ? 'invalid OTLP' : 'invalid event'}: ${error.message}; nothing from it was stored`);
		}

		throw error;
	}

	throw new InputError(`${file}: neither an OTLP JSON export (no "resourceSpans") nor TraceEvents`);
}

/**
 * Read and validate a whole file before anything is stored: JSON Lines of
 * TraceEvents, a JSON array of them, or an OTLP JSON export.
 */
export function readEventsFile(file: string): TraceEvent[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as {code?: string}).code;
		throw code === 'ENOENT' ? new NotFoundError(`${file}: no such file`) : new InputError(`${file}: cannot read (${code ?? (error as Error).message})`);
	}

	const first = text.trimStart()[0];
	const looksLikeLines = ['.jsonl', '.ndjson'].includes(path.extname(file)) || (first === '{' && /}\s*\n\s*{/.test(text.slice(0, 1 << 20)));
	if (text.trim() === '') {
		throw new InputError(`${file}: empty file`);
	}

	return looksLikeLines ? parseLines(file, text) : parseDocument(file, text);
}
