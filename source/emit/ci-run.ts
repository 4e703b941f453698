import {randomBytes} from 'node:crypto';
import type {Run} from '../core/run.js';
import type {SpanLink} from '../core/trace-event.js';
import {redactLines} from '../core/redact.js';
import {formatRunId} from '../core/run-id.js';
import {buildTree, descendants} from '../core/tree.js';
import type {Span, SpanStatus} from '../core/span.js';
import type {Store} from '../store/store.js';
import type {ChildOutcome} from './child-step.js';
import type {TraceEmitter} from './emitter.js';
import {rootSpanIdForRun, stepSpanId, traceIdForRun} from './ids.js';
import type {TailLine} from './line-tail.js';
import type {EventInput} from './trace-context.js';
import type {Traceparent} from './traceparent.js';

/** The run a CI step records into. */
export interface CiRunRef {
	run_id: string;
	trace_id: string;
	root_span_id: string;
	/** True when this call started the run. */
	created: boolean;
}

/** A new run's fields (all optional: a CI step knows what it knows). */
export interface NewRunFields {
	name?: string;
	env?: string;
	target?: string;
	git?: {sha?: string; branch?: string; shortSha?: string};
	user?: string;
	runner?: string;
	/** The trace context exec was called in (a CI system's TRACEPARENT): the run's parent trace. */
	caller?: Traceparent;
}

/** A step being recorded: its span and its ancestors' (one per path segment). */
export interface CiStepRef {
	run: CiRunRef;
	segments: string[];
	/** Span ids, one per segment: ancestors first, the step itself last. */
	span_ids: string[];
}

/** How a step ended, for its closing events. */
export interface StepEnd {
	outcome: ChildOutcome;
	attempts: number;
	/** The last stderr lines, for the failure message (the lines themselves were streamed: emit/step-output.ts). */
	stderr: readonly TailLine[];
}

/** Options of CiRecorder. */
export interface CiRecorderOptions {
	/** Null when the run index could not be opened: the step still runs, unrecorded. */
	index: Pick<Store, 'resolveRun' | 'spans'> | null;
	emitter: TraceEmitter | null;
	warn: (message: string) => void;
	now?: () => Date;
}

/** The first `max` characters, or fewer: a cut never falls inside a `<redacted:NNchars>` marker. */
function cutOutsideMarkers(text: string, max: number): string {
	const cut = text.slice(0, max);
	const open = cut.lastIndexOf('<redacted:');
	return open !== -1 && !/^<redacted:\d+chars>/.test(cut.slice(open)) ? cut.slice(0, open) : cut;
}

/**
 * Records CI steps (`tracedeck exec`) into runs. Every store failure becomes
 * one warning and later events are skipped: a CI step never fails because of
 * tracedeck.
 */
/** A link to the span exec was called under, marked as coming from the environment. */
function callerLink(caller: Traceparent): SpanLink {
	return {trace_id: caller.trace_id, span_id: caller.span_id, attributes: {source: 'TRACEPARENT'}};
}

export class CiRecorder {
	private broken: boolean;
	private readonly now: () => Date;

	constructor(private readonly options: CiRecorderOptions) {
		this.broken = options.index === null || options.emitter === null;
		this.now = options.now ?? (() => new Date());
	}

	/** Whether events still reach the store. */
	get recording(): boolean {
		return !this.broken;
	}

	/** A run by exact run id or trace id; undefined when unknown or the store is unusable. */
	async findRun(ref: string): Promise<Run | undefined> {
		const {index} = this.options;
		if (index === null) {
			return undefined;
		}

		try {
			const run = await index.resolveRun(ref);
			return run.run_id === ref || run.trace_id === ref ? run : undefined;
		} catch {
			return undefined;
		}
	}

	/**
	 * The run to record into: an existing one (whatever produced it), or a new
	 * one started now under `requested` (or a fresh `run-<time>-<sha>` id).
	 */
	async ensureRun(requested: string | undefined, fields: () => NewRunFields): Promise<CiRunRef> {
		if (requested !== undefined) {
			const existing = await this.findRun(requested);
			if (existing) {
				return {run_id: existing.run_id, trace_id: existing.trace_id, root_span_id: (await this.rootOf(existing)) ?? rootSpanIdForRun(existing.run_id), created: false};
			}
		}

		const facts = fields();
		let run_id = requested ?? formatRunId(this.now(), facts.git?.shortSha);
		if (requested === undefined && (await this.findRun(run_id))) {
			// Another run started this second on this commit: keep ids (and so traces) apart.
			run_id = `${run_id}-${randomBytes(2).toString('hex')}`;
		}

		const ref: CiRunRef = {run_id, trace_id: traceIdForRun(run_id), root_span_id: rootSpanIdForRun(run_id), created: true};
		const data: Record<string, unknown> = {name: facts.name ?? 'ci', run_id};
		if (facts.env !== undefined) {
			data['env'] = facts.env;
		}

		if (facts.target !== undefined) {
			data['target'] = facts.target;
		}

		if (facts.git?.sha !== undefined || facts.git?.branch !== undefined) {
			data['git'] = {sha: facts.git.sha, branch: facts.git.branch};
		}

		if (facts.user !== undefined) {
			data['user'] = facts.user;
		}

		if (facts.runner !== undefined) {
			data['runner'] = facts.runner;
		}

		const root: EventInput = {trace_id: ref.trace_id, span_id: ref.root_span_id, event_type: 'workflow:started', data};
		if (facts.caller !== undefined && facts.caller.trace_id !== ref.trace_id) {
			// The CI system's trace is the run's parent trace; its span is where the run began.
			root.parent_trace_id = facts.caller.trace_id;
			root.links = [callerLink(facts.caller)];
		}

		await this.record([root]);
		return ref;
	}

	/**
	 * Spans for each segment of the step path, the missing ancestors' starts and
	 * the step's own start. `caller`, the trace context exec was called in,
	 * becomes a link of the step: each CI step may run under another CI span.
	 */
	async stepStarted(run: CiRunRef, segments: string[], startedAt: Date, data: Record<string, unknown>, caller?: Traceparent): Promise<CiStepRef> {
		const span_ids = segments.map((_, i) => stepSpanId(run.run_id, segments.slice(0, i + 1)));
		const step: CiStepRef = {run, segments, span_ids};
		const known = new Set((await this.spansOf(run.trace_id)).map(span => span.span_id));
		const timestamp = startedAt.toISOString();
		const events: EventInput[] = [];
		for (let i = 0; i < segments.length; i++) {
			const leaf = i === segments.length - 1;
			if (!leaf && known.has(span_ids[i]!)) {
				continue;
			}

			events.push({
				trace_id: run.trace_id,
				span_id: span_ids[i]!,
				parent_span_id: i === 0 ? run.root_span_id : span_ids[i - 1]!,
				event_type: leaf ? 'step:started' : 'stage:started',
				timestamp,
				data: {...(leaf ? data : {}), name: segments[i]!, step_path: segments.slice(0, i + 1).join('/')},
				...(leaf && caller !== undefined && caller.trace_id !== run.trace_id ? {links: [callerLink(caller)]} : {}),
			});
		}

		await this.record(events);
		return step;
	}

	/** A retry begins: `data.retry {n, exit_code}`, the exit code of the attempt that failed. */
	async retrying(step: CiStepRef, n: number, exitCode: number): Promise<void> {
		await this.record([{...this.leafEvent(step, 'step:retrying'), data: {retry: {n, exit_code: exitCode}}}]);
	}

	/**
	 * The step ended: its closing event with the exit code, then its
	 * ancestors' closing events, each failed when anything below it failed.
	 * Its output lines were recorded as they came (emit/step-output.ts).
	 */
	async stepEnded(step: CiStepRef, end: StepEnd): Promise<void> {
		const {outcome} = end;
		// Redacted as lines: a private key printed over several lines is hidden whole.
		const texts = redactLines(end.stderr.map(line => line.text));
		const events: EventInput[] = [];
		const data: Record<string, unknown> = {exit_code: outcome.exitCode, attempts: end.attempts};
		if (outcome.signal !== null) {
			data['signal'] = outcome.signal;
		}

		let type = 'step:completed';
		let status: SpanStatus = 'success';
		if (outcome.exitCode !== 0 || outcome.interrupted !== null) {
			status = 'failed';
			type = outcome.interrupted === null ? 'step:failed' : 'step:cancelled';
			data['error'] = {message: this.failureMessage(end, texts)};
			if (outcome.interrupted !== null) {
				data['interrupted_by'] = outcome.interrupted;
			}
		}

		events.push({...this.leafEvent(step, type), status, data});
		await this.record(events);
		await this.closeAncestors(step);
	}

	/**
	 * End a run: `workflow:completed` or `workflow:failed` on its root.
	 * Without a status it failed when any of its steps failed.
	 *
	 * @returns the status recorded, or undefined when the run is unknown or the store unusable.
	 */
	async finishRun(ref: string, requested: 'success' | 'failed' | 'cancelled' | undefined): Promise<{run: Run; status: 'success' | 'failed' | 'cancelled'} | undefined> {
		const run = await this.findRun(ref);
		if (!run) {
			return undefined;
		}

		const spans = await this.spansOf(run.trace_id);
		const tree = buildTree(spans);
		const root = tree.root?.span_id ?? rootSpanIdForRun(run.run_id);
		const failedBelow = spans.some(span => span.span_id !== root && span.status === 'failed');
		const status = requested ?? (failedBelow ? 'failed' : 'success');
		const data: Record<string, unknown> = {run_id: run.run_id};
		if (status === 'failed' && run.failed_step !== null) {
			data['error'] = {message: `step ${run.failed_step} failed`};
		}

		if (status === 'cancelled') {
			data['status'] = 'cancelled';
		}

		const event_type = status === 'success' ? 'workflow:completed' : `workflow:${status}`;
		const ok = await this.record([{trace_id: run.trace_id, span_id: root, event_type, status: status === 'success' ? 'success' : 'failed', data}]);
		return ok ? {run, status} : undefined;
	}

	private async closeAncestors(step: CiStepRef): Promise<void> {
		if (step.segments.length < 2 || this.broken) {
			return;
		}

		const tree = buildTree(await this.spansOf(step.run.trace_id));
		const events: EventInput[] = [];
		for (let i = step.segments.length - 2; i >= 0; i--) {
			const span_id = step.span_ids[i]!;
			// Every step below, not only this one: a sibling that failed earlier keeps the stage failed.
			const failed = descendants(tree, span_id).some(span => span.status === 'failed');
			events.push({
				trace_id: step.run.trace_id,
				span_id,
				parent_span_id: i === 0 ? step.run.root_span_id : step.span_ids[i - 1]!,
				event_type: failed ? 'stage:failed' : 'stage:completed',
				status: failed ? 'failed' : 'success',
			});
		}

		await this.record(events);
	}

	private failureMessage(end: StepEnd, texts: readonly string[]): string {
		const {outcome} = end;
		const why = outcome.spawnError ? `could not start: ${outcome.spawnError.message}` : outcome.signal === null ? `exited with code ${outcome.exitCode}` : `killed by ${outcome.signal}`;
		const tried = end.attempts > 1 ? ` after ${end.attempts} attempts` : '';
		const interrupted = outcome.interrupted === null ? '' : ` (interrupted by ${outcome.interrupted})`;
		const last = [...texts].reverse().find(text => text.trim() !== '');
		const hint = last === undefined ? '' : `: ${cutOutsideMarkers(last.trim(), 200)}`;
		return `${why}${tried}${interrupted}${hint}`;
	}

	/** An event on the step's own span, the type still to be given (step output, heartbeats). */
	leafEvent(step: CiStepRef, event_type: string): EventInput {
		const last = step.span_ids.length - 1;
		return {
			trace_id: step.run.trace_id,
			span_id: step.span_ids[last]!,
			parent_span_id: last === 0 ? step.run.root_span_id : step.span_ids[last - 1]!,
			event_type,
		};
	}

	private async rootOf(run: Run): Promise<string | undefined> {
		return buildTree(await this.spansOf(run.trace_id)).root?.span_id;
	}

	private async spansOf(traceId: string): Promise<Span[]> {
		if (this.options.index === null || this.broken) {
			return [];
		}

		try {
			return await this.options.index.spans(traceId);
		} catch (error) {
			this.fail(error);
			return [];
		}
	}

	/** Store events; on failure warn once and stop recording. */
	async record(events: EventInput[]): Promise<boolean> {
		if (this.broken || events.length === 0) {
			return !this.broken;
		}

		try {
			await this.options.emitter!.emitAll(events);
			return true;
		} catch (error) {
			this.fail(error);
			return false;
		}
	}

	private fail(error: unknown): void {
		if (!this.broken) {
			this.broken = true;
			this.options.warn(`could not record to the run index (${error instanceof Error ? error.message : String(error)}); going on without recording`);
		}
	}
}
