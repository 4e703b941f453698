import {once} from 'node:events';
import {jsonChunks} from '../core/json-chunks.js';
import {escapeTerminalUnsafe, terminalSafeJson} from '../core/terminal-json.js';

/** One JSON document on stdout, terminal-safe (core/terminal-json.ts), so `cat`ing the output is as safe as parsing it. */
export function writeJson(value: unknown): void {
	process.stdout.write(`${terminalSafeJson(value, 2)}\n`);
}

/** How much written text stdout may hold unsent before the writer waits for it: a pipe takes 64 KiB at a time. */
const HELD_BYTES = 1 << 20;

/**
 * writeJson's bytes, written in chunks as they are made (core/json-chunks.ts),
 * so a big document (runs show of a 100k-span trace) is never one string;
 * JsonSequence values are made as they are written. Escaped chunk by chunk:
 * the escape maps single characters, so the bytes are writeJson's. A pipe's
 * writes queue in memory once it is full, so past HELD_BYTES the writer waits
 * for the reader (stdout's drain) before making more.
 */
export async function writeJsonStream(value: unknown): Promise<void> {
	const {stdout} = process;
	let wrote = false;
	for (const chunk of jsonChunks(value, {indent: 2, map: escapeTerminalUnsafe})) {
		wrote = true;
		if (!stdout.write(chunk) && stdout.writableLength > HELD_BYTES) {
			await once(stdout, 'drain');
		}
	}

	stdout.write(wrote ? '\n' : 'null\n');
}
