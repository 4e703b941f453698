/**
 * One of the concurrent writers: `node --import tsx writer-child.ts <home> <writer> <batch>`.
 * Says "ready" once loaded and waits for a line on stdin, so all writers start
 * together; then appends its events in batches (batch 1 = one event per call,
 * as an emitter does) and prints what it stored as JSON.
 */
import readline from 'node:readline';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {writerEvents} from './writer-events.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const [home, writerArg, batchArg] = process.argv.slice(2);
const writerNumber = Number(writerArg);
const batch = Number(batchArg);
const events = writerEvents(writerNumber);
const index = RunIndex.open(home!);
const writer = new EventWriter(new SqliteStore(index));
process.stdout.write('ready\n');
await new Promise<void>(resolve => {
	readline.createInterface({input: process.stdin}).once('line', () => resolve());
});

let inserted = 0;
let duplicates = 0;
const started = Date.now();
try {
	for (let i = 0; i < events.length; i += batch) {
		// Through the writer, as every write path goes: it waits out the others' locks (asynchronously).
		const result = await writer.write(events.slice(i, i + batch));
		inserted += result.inserted.length;
		duplicates += result.duplicates;
	}
} catch (error) {
	const code = (error as {code?: string}).code;
	process.stderr.write(`writer ${writerNumber}: ${code ?? ''} ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
} finally {
	index.close();
}

process.stdout.write(`${JSON.stringify({writer: writerNumber, inserted, duplicates, ms: Date.now() - started})}\n`);
