/**
 * JSON.stringify(value, null, indent), byte for byte, written in chunks
 * instead of built as one string: a 100k-span `runs show --json` is a
 * 60 MB document, and holding it (and a second, escaped copy of it) doubled
 * the command's memory. The top levels are walked here; everything below
 * them goes through JSON.stringify itself, many elements per call, so the
 * native serializer still does the escaping and number formatting.
 *
 * A JsonSequence stands for an array whose elements are made as they are
 * written (the report's spans), so they never all exist at once.
 */

/** An array made element by element as it is written (JSON.stringify, through toJSON, makes it whole). */
export class JsonSequence<T> {
	readonly length: number;
	readonly #at: (index: number) => T;

	constructor(length: number, at: (index: number) => T) {
		this.length = length;
		this.#at = at;
	}

	at(index: number): T {
		return this.#at(index);
	}

	toArray(): T[] {
		return Array.from({length: this.length}, (_, i) => this.#at(i));
	}

	toJSON(): T[] {
		return this.toArray();
	}
}

export interface JsonChunkOptions {
	/** As JSON.stringify's third argument (a number of spaces up to 10, or a string of up to 10 characters). */
	indent?: number | string;
	/** Applied to each chunk before it is written; must map character by character (so chunk boundaries cannot matter). */
	map?: (chunk: string) => string;
	/** About how many UTF-16 units a chunk holds. */
	chunkSize?: number;
}

/** Containers this deep (the document is depth 0) are walked here; deeper ones go to JSON.stringify whole. */
const WALK_DEPTH = 1;
/** Elements of a walked array stringified per native call. */
const BATCH = 128;
const DEFAULT_CHUNK = 1 << 17;

function gapOf(indent: number | string | undefined): string {
	if (typeof indent === 'number') {
		return ' '.repeat(Math.max(0, Math.min(10, Math.trunc(indent))));
	}

	return typeof indent === 'string' ? indent.slice(0, 10) : '';
}

function hasToJson(value: unknown): boolean {
	return (typeof value === 'object' && value !== null) || typeof value === 'bigint' ? typeof (value as {toJSON?: unknown}).toJSON === 'function' : false;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function isSkipped(value: unknown): boolean {
	return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Plain arrays and objects, which are walked here; anything else (class instances, boxed primitives, toJSON) JSON.stringify decides. */
function isWalkable(value: unknown): value is object {
	if (typeof value !== 'object' || value === null || hasToJson(value)) {
		return false;
	}

	if (Array.isArray(value)) {
		return true;
	}

	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

class ChunkWriter {
	readonly #gap: string;
	readonly #map: ((chunk: string) => string) | undefined;
	readonly #size: number;
	#parts: string[] = [];
	#pending = 0;
	readonly #wrappers = new Map<number, {open: string; close: string}>();
	/** Values being walked, for JSON.stringify's own cycle error. */
	readonly #stack = new Set<object>();

	constructor(options: JsonChunkOptions) {
		this.#gap = gapOf(options.indent);
		this.#map = options.map;
		this.#size = options.chunkSize ?? DEFAULT_CHUNK;
	}

	push(text: string): void {
		this.#parts.push(text);
		this.#pending += text.length;
	}

	get full(): boolean {
		return this.#pending >= this.#size;
	}

	/** The text pushed since the last chunk, as one chunk ('' when none). */
	take(): string {
		const chunk = this.#parts.join('');
		this.#parts = [];
		this.#pending = 0;
		return this.#map && chunk !== '' ? this.#map(chunk) : chunk;
	}

	#newline(depth: number): string {
		return this.#gap === '' ? '' : `\n${this.#gap.repeat(depth)}`;
	}

	/**
	 * JSON.stringify of an array nested `depth` arrays deep writes its
	 * elements exactly as they stand at that depth of the document; these
	 * are the text before and after them.
	 */
	#wrapper(depth: number): {open: string; close: string} {
		let wrapper = this.#wrappers.get(depth);
		if (wrapper === undefined) {
			let open = '';
			let close = '';
			for (let k = 1; k <= depth; k++) {
				open += `[${this.#newline(k)}`;
				close = `${this.#newline(k - 1)}]${close}`;
			}

			wrapper = {open, close};
			this.#wrappers.set(depth, wrapper);
		}

		return wrapper;
	}

	/** Elements (none skipped by toJSON's key) as JSON.stringify writes them at `depth`, with its separators between them. */
	#native(elements: unknown[], depth: number): string {
		let nested: unknown = elements;
		for (let k = 1; k < depth; k++) {
			nested = [nested];
		}

		const {open, close} = this.#wrapper(depth);
		const text = JSON.stringify(nested, null, this.#gap);
		return text.slice(open.length, text.length - close.length);
	}

	/**
	 * One value with a toJSON of its own, at `depth` under `key`: JSON.stringify
	 * calls it with the key, so the value goes in as a property of that name.
	 * Undefined when JSON.stringify leaves it out.
	 */
	#nativeKeyed(value: unknown, key: string, depth: number): string | undefined {
		let nested: unknown = {[key]: value};
		for (let k = 1; k < depth; k++) {
			nested = [nested];
		}

		const outer = this.#wrapper(depth - 1);
		const open = `${outer.open}{${this.#newline(depth)}${JSON.stringify(key)}:${this.#gap === '' ? '' : ' '}`;
		const close = `${this.#newline(depth - 1)}}${outer.close}`;
		const text = JSON.stringify(nested, null, this.#gap);
		return text.startsWith(open) ? text.slice(open.length, text.length - close.length) : undefined;
	}

	/**
	 * A value under `key` at `depth` (the document is at 0), yielding chunks
	 * as they fill; returns false when JSON.stringify would leave it out.
	 */
	*value(value: unknown, key: string, depth: number): Generator<string, boolean> {
		if (value instanceof JsonSequence) {
			yield* this.#array(value, depth);
			return true;
		}

		if (isWalkable(value) && depth <= WALK_DEPTH) {
			if (this.#stack.has(value)) {
				throw new TypeError('Converting circular structure to JSON');
			}

			this.#stack.add(value);
			if (Array.isArray(value)) {
				yield* this.#array(value, depth);
			} else {
				yield* this.#object(value as Record<string, unknown>, depth);
			}

			this.#stack.delete(value);
			return true;
		}

		if (hasToJson(value)) {
			if (depth === 0) {
				const text = JSON.stringify(value, null, this.#gap) as string | undefined;
				if (text !== undefined) {
					this.push(text);
				}

				return text !== undefined;
			}

			const text = this.#nativeKeyed(value, key, depth);
			if (text !== undefined) {
				this.push(text);
			}

			return text !== undefined;
		}

		if (isSkipped(value)) {
			return false;
		}

		this.push(depth === 0 ? JSON.stringify(value, null, this.#gap) : this.#native([value], depth));
		return true;
	}

	*#array(list: ArrayLike<unknown> | JsonSequence<unknown>, depth: number): Generator<string, void> {
		const length = list.length;
		if (length === 0) {
			this.push('[]');
			return;
		}

		const at = list instanceof JsonSequence ? (i: number) => list.at(i) : (i: number) => (list as ArrayLike<unknown>)[i];
		const inner = this.#newline(depth + 1);
		const separator = `,${inner}`;
		this.push(`[${inner}`);
		let batch: unknown[] = [];
		const flushBatch = (): void => {
			if (batch.length > 0) {
				this.push(this.#native(batch, depth + 1));
				batch = [];
			}
		};

		for (let i = 0; i < length; i++) {
			const element = at(i);
			const walked = element instanceof JsonSequence || (isWalkable(element) && depth + 1 <= WALK_DEPTH) || hasToJson(element);
			if (walked) {
				flushBatch();
				if (i > 0) {
					this.push(separator);
				}

				if (!(yield* this.value(element, String(i), depth + 1))) {
					this.push('null');
				}

				if (this.full) {
					yield this.take();
				}

				continue;
			}

			if (batch.length === 0 && i > 0) {
				this.push(separator);
			}

			batch.push(element);
			if (batch.length === BATCH) {
				flushBatch();
				if (this.full) {
					yield this.take();
				}
			}
		}

		flushBatch();
		this.push(`${this.#newline(depth)}]`);
	}

	*#object(object: Record<string, unknown>, depth: number): Generator<string, void> {
		const inner = this.#newline(depth + 1);
		const colon = this.#gap === '' ? ':' : ': ';
		let first = true;
		for (const key of Object.keys(object)) {
			const value = object[key];
			if (isSkipped(value)) {
				continue;
			}

			// Written before the value is known to be kept only when it surely is: a toJSON may still say undefined.
			const head = `${first ? '{' : ','}${inner}${JSON.stringify(key)}${colon}`;
			if (hasToJson(value) && !(value instanceof JsonSequence)) {
				const text = this.#nativeKeyed(value, key, depth + 1);
				if (text === undefined) {
					continue;
				}

				this.push(head);
				this.push(text);
			} else {
				this.push(head);
				yield* this.value(value, key, depth + 1);
			}

			first = false;
			if (this.full) {
				yield this.take();
			}
		}

		this.push(first ? '{}' : `${this.#newline(depth)}}`);
	}
}

/**
 * JSON.stringify(value, null, indent) in chunks of about
 * `options.chunkSize`, made as they are asked for (a writer can wait for
 * its stream to drain between them); JsonSequence values are written as the
 * arrays they stand for. Nothing when JSON.stringify would give undefined.
 */
export function* jsonChunks(value: unknown, options: JsonChunkOptions = {}): Generator<string, void> {
	const writer = new ChunkWriter(options);
	yield* writer.value(value, '', 0);
	const last = writer.take();
	if (last !== '') {
		yield last;
	}
}

/** jsonChunks, each chunk to `write`; false (and nothing written) when JSON.stringify would give undefined. */
export function writeJsonChunks(value: unknown, options: JsonChunkOptions & {write: (chunk: string) => void}): boolean {
	let wrote = false;
	for (const chunk of jsonChunks(value, options)) {
		options.write(chunk);
		wrote = true;
	}

	return wrote;
}
