import {createRequire} from 'node:module';
import {Worker} from 'node:worker_threads';

/** What one PASSIVE checkpoint reported: WAL frames in the log, and how many of them are copied back. */
export interface CheckpointResult {
	busy: number;
	log: number;
	checkpointed: number;
}

/*
 * Plain CommonJS, run with eval: a worker does not get the TypeScript
 * loader the tests and the bench run under, and this needs nothing of
 * tracedeck. Its own connection, so a checkpoint (copying the WAL back into
 * the file, milliseconds to tens of them) runs beside the writer's commits
 * instead of between them on the event loop: in WAL mode a PASSIVE
 * checkpoint neither waits for nor blocks a writer, and the writer starts
 * the log over once a checkpoint has copied all of it.
 */
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, {fileMustExist: true});
const tick = () => {
	let row;
	try {
		row = db.pragma('wal_checkpoint(PASSIVE)')[0];
	} catch {
		row = {busy: 1, log: -1, checkpointed: -1};
	}
	parentPort.postMessage(row);
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', message => {
	if (message === 'checkpoint') {
		tick();
	} else if (message === 'stop') {
		clearInterval(timer);
		db.close();
		parentPort.close();
	}
});
`;

/**
 * WAL checkpoints every `intervalMs` on a worker thread of their own, for
 * a long-lived writer (serve): none of them runs on the event loop, so none
 * lands inside a request. `stop` is synchronous (the store's close is): it
 * asks the worker to close its connection and end; `exited` says it has.
 */
export class CheckpointWorker {
	readonly exited: Promise<void>;
	private readonly worker: Worker;
	private readonly waiting: Array<(result: CheckpointResult) => void> = [];

	constructor(file: string, intervalMs: number) {
		const driver = createRequire(import.meta.url).resolve('better-sqlite3');
		this.worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {driver, file, intervalMs}});
		// Housekeeping never keeps a process alive.
		this.worker.unref();
		this.worker.on('message', (result: CheckpointResult) => {
			for (const resolve of this.waiting.splice(0)) {
				resolve(result);
			}
		});
		this.exited = new Promise(resolve => {
			this.worker.once('exit', () => resolve());
		});
		// A worker that failed (could not open the file) leaves checkpoints to the store's close; nothing is lost.
		this.worker.on('error', () => {});
	}

	/** The next checkpoint's report. */
	nextCheckpoint(): Promise<CheckpointResult> {
		return new Promise(resolve => this.waiting.push(resolve));
	}

	/** A checkpoint now, besides the timer's (tests: one that cannot overlap a write). */
	checkpointNow(): Promise<CheckpointResult> {
		const next = this.nextCheckpoint();
		this.worker.postMessage('checkpoint');
		return next;
	}

	stop(): void {
		// Held until it has closed its connection (milliseconds): often the last one, whose close removes the WAL.
		this.worker.ref();
		this.worker.postMessage('stop');
	}
}
