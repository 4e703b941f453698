import fs from 'node:fs';
import type {TraceEvent} from '../core/trace-event.js';
import {sniffBytes} from './detect-format.js';
import {readTraceFile, unreadable} from './input-files.js';
import {opensJsonLines, type ReadProgress, type TraceFile, TraceLines} from './trace-file.js';

/*
 * A trace file read in parts, for an ingest whose memory must not grow with
 * the file: JSON Lines (TraceEvent JSON Lines, OTLP JSON Lines as the
 * Collector's file exporter writes them) are read, checked and handed on a
 * piece at a time. Every other format is one document (an OTLP JSON export,
 * Jaeger JSON, Zipkin, a JSON array of TraceEvents, OTLP protobuf, a gzip
 * file, which must be inflated whole to be told apart) and is read whole as
 * parseTraceFile always read it, then handed on in parts all the same.
 *
 * Which files are JSON Lines is decided as parseTraceFile decides it, without
 * reading the whole text: parseTraceFile reads JSON Lines when the text is
 * not one JSON value and its first non-blank line is one on its own. A
 * first line that is a JSON value is followed by something other than JSON
 * whitespace exactly when the whole is not one value, so that is what is
 * looked for. Either way the events, the errors and the formats are
 * parseTraceFile's; of two bad lines, the first in the file is reported
 * (parseTraceFile checks the whole file's UTF-8 before any line).
 */

export interface TraceFileParts {
	/** The file's events in file order, in parts of about `partEvents`; throws InputError, as readTraceFile does, at the first bad line. */
	parts: AsyncIterable<TraceEvent[]>;
	/** Once `parts` ran out: the formats and notes (TraceFile's). */
	end(): Omit<TraceFile, 'events'>;
	/** Once `parts` ran out: whether the file was read a piece at a time (JSON Lines) or whole. */
	streamed(): boolean;
}

export interface TraceFilePartsOptions {
	/** Hears how far the read has got: bytes of the file, events so far. */
	onProgress?: ReadProgress;
	/** Events per part, about: a part is handed on once it holds this many (default 10,000). */
	partEvents?: number;
	/** The reading is over (the file was read whole, or its last part is next): what is left is storing, of this many events. */
	onStoring?: (events: number) => void;
}

// Read size: a few thousand events of the bench dataset, so parts come out near partEvents.
const CHUNK_BYTES = 1024 * 1024;
// A first line longer than this (a Collector batch of a million spans) is not looked for: the file is read whole, as before.
const FIRST_LINE_LIMIT = 256 * 1024 * 1024;
const BOM = [0xef, 0xbb, 0xbf];
const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true});

function isJsonWhitespace(code: number): boolean {
	return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Fill `buffer` from `position`, or as much as the file has there; @returns the bytes read. */
function readAt(fd: number, file: string, buffer: Buffer, position: number): number {
	let filled = 0;
	while (filled < buffer.length) {
		let n: number;
		try {
			n = fs.readSync(fd, buffer, filled, buffer.length - filled, position + filled);
		} catch (error) {
			throw unreadable(file, error);
		}

		if (n === 0) {
			break;
		}

		filled += n;
	}

	return filled;
}

/**
 * Where the text starts (after a BOM) if the file is JSON Lines as
 * parseTraceFile would read it, else undefined (read it whole). Reads the
 * head of the file, and past the first line only as far as its first byte
 * that is not JSON whitespace.
 */
function jsonLinesStart(fd: number, file: string, size: number): number | undefined {
	const head = Buffer.alloc(Math.min(size, CHUNK_BYTES));
	readAt(fd, file, head, 0);
	const sniffed = sniffBytes(head);
	// A leading zero byte may be a protobuf frame stream, told only from the whole file; gzip is inflated whole.
	if (head[0] === 0 || sniffed.kind !== 'text-or-binary' || !sniffed.looksJson || sniffed.binary) {
		return undefined;
	}

	const start = BOM.every((byte, i) => head[i] === byte) ? BOM.length : 0;
	// The head up to the end of the first non-blank line (trim's blank, as parseTraceFile's findIndex).
	let text = head;
	let lineStart = start;
	for (;;) {
		const end = text.indexOf(0x0a, lineStart);
		if (end === -1) {
			if (text.length >= size || text.length >= FIRST_LINE_LIMIT) {
				// One line (or a first line too long to look for): read whole, as parseTraceFile does.
				return undefined;
			}

			const more = Buffer.alloc(Math.min(size, text.length * 2));
			text.copy(more);
			readAt(fd, file, more.subarray(text.length), text.length);
			text = more;
			continue;
		}

		let line: string;
		try {
			line = STRICT_UTF8.decode(text.subarray(lineStart, end));
		} catch {
			// parseTraceFile's UTF-8 error names the line and byte: read whole.
			return undefined;
		}

		if (line.trim() === '') {
			lineStart = end + 1;
			continue;
		}

		if (!opensJsonLines(line)) {
			return undefined;
		}

		// Blank lines before it that JSON does not call whitespace (a no-break space) already make the whole not one value.
		if (text.subarray(start, lineStart).some(byte => !isJsonWhitespace(byte))) {
			return start;
		}

		return nonWhitespaceFrom(fd, file, end + 1, text) ? start : undefined;
	}
}

/** Whether anything but JSON whitespace follows `from` (looking at `head` first, then the file). */
function nonWhitespaceFrom(fd: number, file: string, from: number, head: Buffer): boolean {
	if (head.subarray(from).some(byte => !isJsonWhitespace(byte))) {
		return true;
	}

	const buffer = Buffer.alloc(CHUNK_BYTES);
	for (let position = Math.max(from, head.length); ; ) {
		const n = readAt(fd, file, buffer, position);
		if (n === 0) {
			return false;
		}

		if (buffer.subarray(0, n).some(byte => !isJsonWhitespace(byte))) {
			return true;
		}

		position += n;
	}
}

/**
 * Read a trace file in parts (see above); nothing of it is held once its
 * part is handed on, when it is JSON Lines. The caller stores the parts in
 * one transaction and rolls it back on an error, which keeps ingest's
 * promise: a bad line anywhere, and nothing of the file is stored.
 */
export function readTraceFileParts(file: string, options: TraceFilePartsOptions = {}): TraceFileParts {
	const partEvents = Math.max(1, options.partEvents ?? 10_000);
	const {onProgress} = options;
	let end: Omit<TraceFile, 'events'> | undefined;
	let streamed = false;

	async function* whole(): AsyncGenerator<TraceEvent[]> {
		const read = readTraceFile(file, onProgress);
		end = {formats: read.formats, notes: read.notes};
		options.onStoring?.(read.events.length);
		for (let i = 0; i < read.events.length; i += partEvents) {
			yield read.events.slice(i, i + partEvents);
		}
	}

	async function* parts(): AsyncGenerator<TraceEvent[]> {
		let fd: number;
		try {
			fd = fs.openSync(file, 'r');
		} catch (error) {
			throw unreadable(file, error);
		}

		try {
			const size = fs.fstatSync(fd).size;
			const start = size === 0 ? undefined : jsonLinesStart(fd, file, size);
			if (start === undefined) {
				yield* whole();
				return;
			}

			streamed = true;
			const lines = new TraceLines(file);
			const buffer = Buffer.alloc(CHUNK_BYTES);
			// A line cut by the end of a read, waiting for the rest of it.
			let carry: Buffer[] = [];
			let carried = 0;
			for (let position = start; ; ) {
				const n = readAt(fd, file, buffer, position);
				if (n === 0) {
					break;
				}

				position += n;
				const read = buffer.subarray(0, n);
				const lastEnd = read.lastIndexOf(0x0a);
				if (lastEnd === -1) {
					carry.push(Buffer.from(read));
					carried += n;
					continue;
				}

				lines.chunk(carried === 0 ? read.subarray(0, lastEnd + 1) : Buffer.concat([...carry, read.subarray(0, lastEnd + 1)]));
				carry = lastEnd + 1 < n ? [Buffer.from(read.subarray(lastEnd + 1))] : [];
				carried = n - lastEnd - 1;
				onProgress?.(position - carried, size, lines.events, true);
				if (lines.pending >= partEvents) {
					yield lines.take();
				}
			}

			if (carried > 0) {
				lines.chunk(Buffer.concat(carry));
			}

			end = lines.finish();
			options.onStoring?.(lines.events);
			const last = lines.take();
			if (last.length > 0) {
				yield last;
			}
		} finally {
			fs.closeSync(fd);
		}
	}

	return {
		parts: parts(),
		end: () => {
			if (end === undefined) {
				throw new Error('readTraceFileParts: end() before the parts ran out');
			}

			return end;
		},
		streamed: () => streamed,
	};
}
