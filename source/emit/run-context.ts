import type {GitInfo} from '../core/run.js';
import {errorData} from './error-data.js';
import {TraceContext, type EventEmitting} from './trace-context.js';

/** A run's fields, carried by its root span (see DESIGN "Runs"). */
export interface StartRunOptions {
	/** Defaults to `run-<yyyyMMdd-HHmmss>-<shortsha>` (without the sha when `git.sha` is absent). */
	run_id?: string;
	/** The root span's name, e.g. "deploy api". */
	name: string;
	env: string;
	target: string;
	/** sha256 of the resolved plan, canonical JSON. */
	plan_hash?: string;
	git?: GitInfo;
	user?: string;
	runner?: string;
	/** Steps the run expects, for "step 4 of 10" while it runs. */
	total_steps?: number;
	/** More root-span data (redacted before it is stored). */
	data?: Record<string, unknown>;
	tags?: string[];
}

/** How a run ended. */
export type RunOutcome = 'success' | 'failed' | 'cancelled';

/** Options of RunContext.finish. */
export interface FinishOptions {
	/** Why the run failed, recorded as the root's `data.error`. */
	error?: unknown;
	data?: Record<string, unknown>;
}

/**
 * A run's trace: a TraceContext whose spans hang under the run's root span
 * (`workflow:started`), and `finish()` to end it.
 */
export class RunContext extends TraceContext {
	readonly run_id: string;
	/** The root span's id (also `root_span_id`, never undefined here). */
	readonly span_id: string;

	constructor(emitter: EventEmitting, run_id: string, trace_id: string, root_span_id: string) {
		super(emitter, trace_id, root_span_id);
		this.run_id = run_id;
		this.span_id = root_span_id;
	}

	/**
	 * End the run: `workflow:completed` (status success), `workflow:failed`
	 * (status failed, `data.error` when given) or `workflow:cancelled`.
	 */
	async finish(status: RunOutcome, options: FinishOptions = {}): Promise<void> {
		const data: Record<string, unknown> = {...options.data, run_id: this.run_id};
		if (options.error !== undefined) {
			data['error'] = errorData(options.error);
		}

		if (status === 'cancelled') {
			data['status'] = 'cancelled';
		}

		const phase = status === 'success' ? 'completed' : status;
		await this.emitter.emit(this.event(this.span_id, undefined, `workflow:${phase}`, data, undefined, status === 'success' ? 'success' : 'failed'));
	}
}
