// Child for the growth group's ingest sizes: `tracedeck ingest`'s work on one
// file (read in parts, stored in one transaction, EventWriter.writeParts) into
// an empty index, timed in-process, with the process's peak RSS, which a size
// run in the bench's own process could not give (a peak only grows). Plain JS
// over the compiled dist, like bin/tracedeck.js, so no TypeScript loader adds
// to the peak. A warm-up file is ingested first, untimed, into a home of its
// own: every size is then timed warm, as the in-process figure always was.
// Usage: node bench/ingest-child.mjs <file> <home> <warm-up file> <warm-up home>
import fs from 'node:fs';

const [file, home, warmFile, warmHome] = process.argv.slice(2);
const {PART_EVENTS} = await import('../dist/commands/ingest.js');
const {readTraceFileParts} = await import('../dist/interop/trace-file-parts.js');
const {EventWriter} = await import('../dist/live/event-writer.js');
const {SqliteStore} = await import('../dist/store/sqlite-store.js');

async function ingest(input, at) {
	const store = SqliteStore.open(at);
	try {
		return await new EventWriter(store).writeParts(readTraceFileParts(input, {partEvents: PART_EVENTS}).parts);
	} finally {
		await store.close();
	}
}

await ingest(warmFile, warmHome);
const cpu = process.cpuUsage();
const start = performance.now();
const result = await ingest(file, home);
const wallMs = performance.now() - start;
const used = process.cpuUsage(cpu);
const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(`${JSON.stringify({cpuMs: (used.user + used.system) / 1000, wallMs, peakBytes: Number(hwm[1]) * 1024, inserted: result.inserted})}\n`);
