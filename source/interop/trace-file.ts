import zlib from 'node:zlib';
import {InputError} from '../core/errors.js';
import {sanitizeMessage} from '../core/sanitize.js';
import {invalidUtf8Offset} from '../core/utf8.js';
import type {TraceEvent} from '../core/trace-event.js';
import {classifyJson, sniffBytes, type JsonDocument} from './detect-format.js';
import {JaegerParseError, jaegerTracesToOtlp} from './jaeger-json.js';
import {currentOtlpTraces} from './otlp-json.js';
import {decodeExportTraceRequest, OtlpProtobufError} from './otlp-protobuf.js';
import type {OtlpIdRule} from './otlp-span-checks.js';
import {OtlpParseError, otlpToEvents} from './otlp-to-events.js';
import {EventParseError, parseTraceEvent} from './trace-event-schema.js';
import {ZipkinParseError, zipkinSpansToOtlp} from './zipkin-json.js';

export const EXPECTED_FORMATS = 'TraceEvent JSON Lines, OTLP JSON/JSON Lines/protobuf, Jaeger JSON or Zipkin v2 JSON';

export type TraceFormat = 'TraceEvent JSON' | 'TraceEvent JSON Lines' | 'OTLP JSON' | 'OTLP JSON Lines' | 'OTLP protobuf' | 'Jaeger JSON' | 'Zipkin v2 JSON';

/** A whole file, read and checked: everything in it, or an InputError and nothing. */
export interface TraceFile {
	events: TraceEvent[];
	/** The formats it held, in order of first appearance. */
	formats: TraceFormat[];
	/** What the user should hear about although nothing failed (left-out logs, API errors beside the data). */
	notes: string[];
}

// Past this a gzip file is refused rather than inflated: its text would not fit in one string.
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

/** An error about untrusted input: one line, no terminal escapes, whatever the file held. */
function fail(message: string): InputError {
	return new InputError(sanitizeMessage(message));
}

/** Where a document sits: the file (`name`), a line of it, or a frame of a protobuf stream. */
interface Place {
	where: string;
	line?: number;
}

/**
 * Told now and then how far a read has got: bytes of the file (estimated in
 * a text) of its total, and events so far; `storedAlong` when they are
 * stored as they are read (interop/trace-file-parts.ts).
 */
export type ReadProgress = (bytes: number, totalBytes: number, events: number, storedAlong?: boolean) => void;

// Lines between progress calls: often enough for a redraw every 100 ms, rare enough to cost nothing.
const PROGRESS_LINES = 1024;

class Reader {
	readonly events: TraceEvent[] = [];
	/** Events handed on already (drain): counted for "no spans found", no longer held. */
	private taken = 0;
	readonly formats: TraceFormat[] = [];
	readonly notes: string[] = [];
	/** Requests of other OTLP signals left out, by signal. */
	readonly skipped = new Map<string, number>();

	constructor(
		readonly name: string,
		readonly onProgress?: ReadProgress,
		/** The file's size, for the bytes a text position stands for. */
		readonly fileBytes = 0,
	) {}

	format(format: TraceFormat): void {
		if (!this.formats.includes(format)) {
			this.formats.push(format);
		}
	}

	/** Not push(...events): a file's worth of arguments would overflow the stack. */
	add(events: readonly TraceEvent[]): void {
		for (const event of events) {
			this.events.push(event);
		}
	}

	take(other: Reader): void {
		this.add(other.events);
		for (const format of other.formats) {
			this.format(format);
		}

		this.notes.push(...other.notes);
		for (const [signal, count] of other.skipped) {
			this.skipped.set(signal, (this.skipped.get(signal) ?? 0) + count);
		}
	}

	/** OTLP/JSON documents (of any age) to events; `prefix` is where they sit in their document, for error paths. */
	otlp(requests: readonly unknown[], place: Place, format: TraceFormat, what: string, prefix = '', rule: OtlpIdRule = 'otlp'): void {
		for (const [i, request] of requests.entries()) {
			try {
				this.add(otlpToEvents(currentOtlpTraces(request), rule));
			} catch (error) {
				if (error instanceof OtlpParseError) {
					throw fail(`${place.where}: invalid ${what}: ${prefix}${requests.length > 1 ? `${i}.` : ''}${error.message}${stored(place)}`);
				}

				throw error;
			}
		}

		this.format(format);
	}

	document(document: JsonDocument, place: Place): void {
		switch (document.format) {
			case 'trace-events': {
				for (const [i, value] of document.events.entries()) {
					try {
						this.events.push(parseTraceEvent(value));
					} catch (error) {
						if (!(error instanceof EventParseError)) {
							throw error;
						}

						throw fail(place.line !== undefined && document.single ? `${place.where}: ${error.message}` : `${place.where}: invalid event${document.single ? '' : ` ${i}`}: ${error.message}${stored(place)}`);
					}
				}

				this.format(place.line === undefined ? 'TraceEvent JSON' : 'TraceEvent JSON Lines');
				return;
			}

			case 'otlp': {
				this.otlp(document.requests, place, place.line === undefined ? 'OTLP JSON' : 'OTLP JSON Lines', 'OTLP', document.pathPrefix);
				return;
			}

			case 'otlp-other': {
				this.skipped.set(document.signal, (this.skipped.get(document.signal) ?? 0) + 1);
				return;
			}

			case 'jaeger': {
				let converted;
				try {
					converted = jaegerTracesToOtlp(document.traces, document.path);
				} catch (error) {
					if (error instanceof JaegerParseError) {
						throw fail(`${place.where}: invalid Jaeger JSON: ${error.message}${stored(place)}`);
					}

					throw error;
				}

				this.otlp([converted], place, 'Jaeger JSON', 'Jaeger JSON', '', 'foreign');
				if (document.errors.length > 0) {
					this.notes.push(`${place.where}: the Jaeger API also answered with errors: ${document.errors.join('; ')}`);
				}

				return;
			}

			case 'zipkin': {
				let converted;
				try {
					converted = zipkinSpansToOtlp(document.spans);
				} catch (error) {
					if (error instanceof ZipkinParseError) {
						throw fail(`${place.where}: invalid Zipkin v2 JSON: ${error.message}${stored(place)}`);
					}

					throw error;
				}

				this.otlp([converted], place, 'Zipkin v2 JSON', 'Zipkin v2 JSON', '', 'foreign');
				return;
			}

			case 'refused': {
				throw fail(`${place.where}: ${document.message}`);
			}

			case 'none': {
				// A whole file of it is "no spans found", said once at the end; one line of it amid others is a bad line.
				if (place.line !== undefined) {
					throw fail(`${place.where}: no trace record in this line; expected a TraceEvent, an OTLP export request, Jaeger JSON or Zipkin v2 JSON`);
				}
			}
		}
	}

	/** JSON text: one document, or JSON Lines (one document per line). */
	json(text: string, where: string): void {
		let whole: unknown;
		try {
			whole = JSON.parse(text);
		} catch (error) {
			this.jsonLines(text, where, error as Error);
			return;
		}

		const document = classifyJson(whole);
		// A TraceEvent on one line is a JSON Lines file of one line, and its errors name line 1, as they always have.
		const oneLine = document.format === 'trace-events' && document.single && !text.trim().includes('\n');
		this.document(document, oneLine ? {where: `${where}:1`, line: 1} : {where});
	}

	jsonLines(text: string, where: string, wholeError: Error): void {
		const lines = text.split('\n');
		const first = lines.findIndex(line => line.trim() !== '');
		if (!opensJsonLines(lines[first]!)) {
			// Not one value per line either: the file as a whole is broken (cut short, or not JSON at all).
			throw fail(`${where}: truncated or invalid JSON (${wholeError.message}); nothing from it was stored`);
		}

		const {onProgress} = this;
		// Characters passed, as a share of the text: the bytes read, near enough (exact for ASCII).
		let offset = 0;
		const bytesPerChar = this.fileBytes / Math.max(1, text.length);
		for (let i = first; i < lines.length; i++) {
			if (onProgress !== undefined) {
				if (i % PROGRESS_LINES === 0) {
					onProgress(Math.round(offset * bytesPerChar), this.fileBytes, this.events.length);
				}

				offset += lines[i]!.length + 1;
			}

			this.line(lines[i]!, where, i + 1);
		}
	}

	/** One line of a JSON Lines file, `n` counted from 1: blank, or one document. */
	line(raw: string, where: string, n: number): void {
		const line = raw.trim();
		if (line === '') {
			return;
		}

		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			throw fail(`${where}:${n}: not JSON (${(error as Error).message})`);
		}

		this.document(classifyJson(value), {where: `${where}:${n}`, line: n});
	}

	protobuf(bytes: Uint8Array, where: string): void {
		let request;
		try {
			request = decodeExportTraceRequest(bytes);
		} catch (error) {
			if (error instanceof OtlpProtobufError) {
				throw fail(`${where}: neither JSON nor an OTLP protobuf ExportTraceServiceRequest (${error.message.replace(/^not an OTLP ExportTraceServiceRequest \((.*)\)$/, '$1')}); expected ${EXPECTED_FORMATS}`);
			}

			throw error;
		}

		this.otlp([request], {where}, 'OTLP protobuf', 'OTLP protobuf');
	}

	bytes(bytes: Uint8Array, inflated: boolean): void {
		const sniffed = sniffBytes(bytes);
		switch (sniffed.kind) {
			case 'empty': {
				throw fail(`${this.name}: empty file`);
			}

			case 'gzip': {
				if (inflated) {
					throw fail(`${this.name}: gzip inside gzip; decompress it once (gunzip) and ingest that`);
				}

				let inflatedBytes: Uint8Array;
				try {
					inflatedBytes = zlib.gunzipSync(bytes, {maxOutputLength: MAX_INFLATED_BYTES});
				} catch (error) {
					throw fail(`${this.name}: damaged gzip, or over ${MAX_INFLATED_BYTES / 1024 / 1024} MiB inflated (${(error as Error).message})`);
				}

				this.bytes(inflatedBytes, true);
				return;
			}

			case 'zstd': {
				throw fail(`${this.name}: zstd-compressed (the Collector file exporter's compression: zstd), which tracedeck does not read; decompress it first (zstd -d)`);
			}

			case 'protobuf-frames': {
				for (const [n, frame] of sniffed.frames.entries()) {
					const where = `${this.name} (message ${n + 1} at byte ${frame.offset})`;
					const inner = sniffBytes(frame.bytes);
					if (inner.kind === 'zstd' || inner.kind === 'gzip') {
						throw fail(`${where}: compressed (the Collector file exporter's compression setting), which tracedeck does not read; export the file without compression`);
					}

					if (inner.kind === 'text-or-binary' && inner.looksJson && !inner.binary) {
						this.json(this.text(frame.bytes, 0, where), where);
					} else {
						this.protobuf(frame.bytes, where);
					}
				}

				return;
			}

			case 'text-or-binary': {
				if (!sniffed.binary && !sniffed.looksJson) {
					this.textNotObject(this.text(bytes, sniffed.bomLength));
				} else if (!sniffed.binary) {
					this.json(this.text(bytes, sniffed.bomLength), this.name);
				} else if (sniffed.looksJson) {
					this.jsonThenProtobuf(bytes, sniffed.bomLength);
				} else {
					this.protobuf(bytes, this.name);
				}
			}
		}
	}

	/** Text that opens no JSON object or array: a bare JSON value holds no spans, anything else is no trace file. */
	textNotObject(text: string): void {
		try {
			JSON.parse(text);
		} catch {
			throw fail(`${this.name}: not a trace file (neither JSON nor OTLP protobuf); expected ${EXPECTED_FORMATS}`);
		}
	}

	/**
	 * Starts like JSON but holds bytes no JSON text can: a protobuf message
	 * whose first length byte happens to be "{" or "[", or JSON with a stray
	 * control character. Whichever reads wins; else the JSON error, which names
	 * the line.
	 */
	jsonThenProtobuf(bytes: Uint8Array, bomLength: number): void {
		const asJson = new Reader(this.name, this.onProgress, this.fileBytes);
		try {
			asJson.json(this.text(bytes, bomLength), this.name);
			this.take(asJson);
		} catch (jsonError) {
			const asProtobuf = new Reader(this.name);
			try {
				asProtobuf.protobuf(bytes, this.name);
			} catch {
				throw jsonError;
			}

			if (asProtobuf.events.length === 0) {
				throw jsonError;
			}

			this.take(asProtobuf);
		}
	}

	text(bytes: Uint8Array, bomLength: number, where = this.name): string {
		refuseInvalidUtf8(bytes, bomLength, where);
		try {
			return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', bomLength);
		} catch {
			throw fail(`${this.name}: too large to read as one JSON text (${bytes.byteLength} bytes); split it into smaller files`);
		}
	}

	/** Events read so far, taken or not. */
	get count(): number {
		return this.taken + this.events.length;
	}

	/** The events read since the last drain, no longer held here. */
	drain(): TraceEvent[] {
		this.taken += this.events.length;
		return this.events.splice(0);
	}

	finish(): TraceFile {
		const skipped = [...this.skipped].map(([signal, count]) => `${count} OTLP ${signal} ${count === 1 ? 'request' : 'requests'}`).join(' and ');
		if (this.count === 0) {
			throw fail(`${this.name}: no spans found${skipped ? ` (only ${skipped}, which ingest does not read)` : ''}; expected ${EXPECTED_FORMATS}`);
		}

		if (skipped) {
			this.notes.push(`${this.name}: left out ${skipped}: ingest reads traces`);
		}

		return {events: this.events, formats: this.formats, notes: this.notes.map(note => sanitizeMessage(note))};
	}
}

/**
 * JSON text is UTF-8: a byte that is not would be read as U+FFFD and stored
 * as something the producer never sent. Refused, naming the line and byte.
 */
function refuseInvalidUtf8(bytes: Uint8Array, from: number, where: string, firstLine = 1): void {
	const text = bytes.subarray(from);
	const offset = invalidUtf8Offset(text);
	if (offset === undefined) {
		return;
	}

	let line = firstLine;
	let lineStart = 0;
	for (let i = 0; i < offset; i++) {
		if (text[i] === 0x0a) {
			line++;
			lineStart = i + 1;
		}
	}

	throw fail(`${where}:${line}: not valid UTF-8 (byte ${offset - lineStart + 1} of the line, 0x${text[offset]!.toString(16).padStart(2, '0')}); JSON text is UTF-8, so nothing from the file was stored`);
}

/** Whether a file whose first non-blank line is this can be JSON Lines: that line is one JSON value on its own. */
export function opensJsonLines(firstLine: string): boolean {
	try {
		JSON.parse(firstLine);
		return true;
	} catch {
		return false;
	}
}

const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true});

/**
 * A JSON Lines file read a piece at a time (interop/trace-file-parts.ts):
 * the checks and the errors are parseTraceFile's for the same lines, and
 * the events are taken as they come, so that the file is never held whole.
 * What parseTraceFile checks of the whole text first (its UTF-8) is
 * checked piece by piece: of two bad lines, the first one in the file is
 * the one reported.
 */
export class TraceLines {
	private readonly reader: Reader;
	private lines = 0;

	constructor(readonly name: string) {
		this.reader = new Reader(name);
	}

	/** Events read so far, taken or not. */
	get events(): number {
		return this.reader.count;
	}

	/** Events read and not yet taken. */
	get pending(): number {
		return this.reader.events.length;
	}

	/** Whole lines (each ending in "\n", or the file's last), the BOM left out: checked and read. */
	chunk(bytes: Uint8Array): void {
		let text: string;
		try {
			text = STRICT_UTF8.decode(bytes);
		} catch {
			refuseInvalidUtf8(bytes, 0, this.name, this.lines + 1);
			throw fail(`${this.name}: not valid UTF-8`);
		}

		const lines = text.split('\n');
		// A chunk ends at a line's end: the piece after the last "\n" is empty, not a line.
		if (lines.at(-1) === '') {
			lines.pop();
		}

		for (const line of lines) {
			this.lines++;
			this.reader.line(line, this.name, this.lines);
		}
	}

	/** The events read since the last take. */
	take(): TraceEvent[] {
		return this.reader.drain();
	}

	/** After the last chunk: what the file held besides its events, or its InputError ("no spans found"). */
	finish(): Omit<TraceFile, 'events'> {
		const {formats, notes} = this.reader.finish();
		return {formats, notes};
	}
}

function stored(place: Place): string {
	return place.line === undefined ? '; nothing from it was stored' : '';
}

/**
 * Read a trace file of any format tracedeck knows, told by its content:
 * TraceEvent JSON Lines or a JSON array of them, OTLP JSON (one document or
 * JSON Lines, as the OTLP file exporter and the Collector's file exporter
 * write; older field names too), OTLP protobuf (one ExportTraceServiceRequest,
 * or the Collector's length-prefixed stream), Jaeger JSON (the query API's
 * {"data": ...}, one trace or an array of them, api_v3's {"result": ...}) and
 * Zipkin v2 JSON; gzip-compressed or not. Every span goes through the one
 * OTLP → events path. Throws InputError (and nothing else) for bad input,
 * naming the file and, in JSON Lines, the line.
 */
export function parseTraceFile(bytes: Uint8Array, name: string, onProgress?: ReadProgress): TraceFile {
	const reader = new Reader(name, onProgress, bytes.byteLength);
	reader.bytes(bytes, false);
	return reader.finish();
}
