import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {NotFoundError} from '../core/errors.js';
import {foldEvents} from '../core/fold.js';
import type {Run} from '../core/run.js';
import {summarizeRun} from '../core/run-summary.js';
import type {Span} from '../core/span.js';
import {eventKind, type TraceEvent} from '../core/trace-event.js';
import type {EventSink} from '../live/event-sink.js';
import {makePrivateDir, PRIVATE_FILE_MODE} from '../store/private-files.js';
import type {Store} from '../store/store.js';
import {traceIdForRun} from './ids.js';

/*
 * What `tracedeck exec` on TRACEDECK_ENDPOINT knows of a run without the
 * index: the events it recorded on this runner, `<home>/journal/<digest of
 * the trace id>.jsonl` (log lines left out: they settle nothing). The
 * recorder asks it what it would ask the index (does the run exist, which
 * stages are open, did a step fail) and it answers from those events folded
 * by core. A run whose steps ran on several runners is known here only by
 * this runner's steps; --finish --status says the rest.
 */

export class RunJournal implements Pick<Store, 'resolveRun' | 'spans'> {
	private readonly dir: string;

	constructor(home: string) {
		this.dir = path.join(home, 'journal');
	}

	private file(traceId: string): string {
		return path.join(this.dir, `${createHash('sha256').update(traceId).digest('hex').slice(0, 32)}.jsonl`);
	}

	private read(traceId: string): TraceEvent[] {
		let text: string;
		try {
			text = fs.readFileSync(this.file(traceId), 'utf8');
		} catch {
			return [];
		}

		const events: TraceEvent[] = [];
		for (const line of text.split('\n')) {
			try {
				if (line !== '') {
					events.push(JSON.parse(line) as TraceEvent);
				}
			} catch {
				// A line cut short by a crash: the events before it still count.
			}
		}

		return events;
	}

	append(events: readonly TraceEvent[]): void {
		const byTrace = new Map<string, string>();
		for (const event of events) {
			if (eventKind(event.event_type) !== 'log') {
				byTrace.set(event.trace_id, `${byTrace.get(event.trace_id) ?? ''}${JSON.stringify(event)}\n`);
			}
		}

		if (byTrace.size > 0) {
			makePrivateDir(this.dir);
		}

		for (const [traceId, text] of byTrace) {
			fs.appendFileSync(this.file(traceId), text, {mode: PRIVATE_FILE_MODE});
		}
	}

	async spans(traceId: string): Promise<Span[]> {
		return foldEvents(this.read(traceId));
	}

	/** A run by its exact id or trace id, as far as this runner recorded it. @throws NotFoundError */
	async resolveRun(ref: string): Promise<Run> {
		for (const traceId of [traceIdForRun(ref), ref]) {
			const run = summarizeRun(await this.spans(traceId));
			if (run !== null && (run.run_id === ref || run.trace_id === ref)) {
				return run;
			}
		}

		throw new NotFoundError(`no run "${ref}" recorded on this runner`);
	}

	/** The run is finished: its journal is not needed any more. */
	forget(traceId: string): void {
		fs.rmSync(this.file(traceId), {force: true});
	}

	/** A sink that notes what it writes here first. */
	recording(sink: EventSink): EventSink {
		return {
			write: async events => {
				this.append(events);
				return sink.write(events);
			},
		};
	}
}
