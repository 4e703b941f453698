/** A captured output line. */
export interface TailLine {
	/** The line as written (raw: escape sequences are kept; readers sanitize on display), without its newline. */
	text: string;
	/** Epoch ms when its first byte arrived. */
	at_ms: number;
	/** Bytes cut off the end because the line was longer than the cap. */
	truncated_bytes: number;
}

/** A line's text as recorded: one cut at the per-line cap says how much was cut. */
export function truncatedLine(line: TailLine, text: string = line.text): string {
	return line.truncated_bytes > 0 ? `${text}… [${line.truncated_bytes} more bytes]` : text;
}

/** Where a cut at `end` would split a UTF-8 character, the start of that character. */
function utf8Boundary(buffer: Buffer, end: number): number {
	let start = end - 1;
	while (start > 0 && end - start < 4 && (buffer[start]! & 0xc0) === 0x80) {
		start--;
	}

	const lead = buffer[start]!;
	const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return start + size > end ? start : end;
}

/**
 * The last lines of a stream, in bounded memory: at most `maxLines` lines of
 * at most `maxLineBytes` bytes each, however much the stream writes (a CI
 * step can print gigabytes to stderr).
 */
export class LineTail {
	private readonly lines_: TailLine[] = [];
	private parts: Buffer[] = [];
	private kept = 0;
	private dropped = 0;
	private lineStart: number | null = null;

	constructor(
		private readonly maxLines = 50,
		private readonly maxLineBytes = 4096,
		private readonly now: () => number = Date.now,
		/** Each line as it completes (exec streams them to the step as they come). */
		private readonly onLine?: (line: TailLine) => void,
	) {}

	/** Take a chunk of the stream. */
	push(chunk: Buffer): void {
		let from = 0;
		while (from < chunk.length) {
			const newline = chunk.indexOf(0x0a, from);
			const to = newline === -1 ? chunk.length : newline;
			this.append(chunk.subarray(from, to));
			if (newline === -1) {
				break;
			}

			this.finishLine();
			from = newline + 1;
		}
	}

	/** The stream ended: a last line without a newline still counts. */
	end(): void {
		if (this.lineStart !== null) {
			this.finishLine();
		}
	}

	/** The lines kept, oldest first. */
	lines(): TailLine[] {
		return [...this.lines_];
	}

	private append(bytes: Buffer): void {
		this.lineStart ??= this.now();
		const room = this.maxLineBytes - this.kept;
		if (bytes.length <= room) {
			if (bytes.length > 0) {
				this.parts.push(bytes);
				this.kept += bytes.length;
			}
		} else {
			if (room > 0) {
				this.parts.push(bytes.subarray(0, room));
				this.kept += room;
			}

			this.dropped += bytes.length - Math.max(room, 0);
		}
	}

	private finishLine(): void {
		let buffer = Buffer.concat(this.parts);
		let dropped = this.dropped;
		if (dropped > 0) {
			const end = utf8Boundary(buffer, buffer.length);
			dropped += buffer.length - end;
			buffer = buffer.subarray(0, end);
		} else if (buffer.length > 0 && buffer[buffer.length - 1] === 0x0d) {
			// CRLF line endings: the CR belongs to the newline.
			buffer = buffer.subarray(0, -1);
		}

		const line = {text: buffer.toString('utf8'), at_ms: this.lineStart ?? this.now(), truncated_bytes: dropped};
		this.lines_.push(line);
		this.onLine?.(line);
		if (this.lines_.length > this.maxLines) {
			this.lines_.shift();
		}

		this.parts = [];
		this.kept = 0;
		this.dropped = 0;
		this.lineStart = null;
	}
}
