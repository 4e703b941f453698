import type {TraceEvent} from '../core/trace-event.js';
import {errorData} from './error-data.js';
import {newSpanId} from './ids.js';
import {activeSpan, runInSpan, type ActiveSpan} from './span-scope.js';

/** What a TraceContext needs from the emitter: one awaited, redacted write. */
export interface EventEmitting {
	emit(event: EventInput): Promise<TraceEvent>;
}

/** A TraceEvent as a producer writes it: the timestamp defaults to now. */
export type EventInput = Omit<TraceEvent, 'timestamp'> & {timestamp?: string};

/** Span kinds `trace()` takes as a kind when given as its first argument. */
export const SPAN_KINDS: ReadonlySet<string> = new Set(['workflow', 'stage', 'step', 'job', 'task', 'saga', 'ai', 'agent', 'tool', 'llm']);

/** Options of a traced span. */
export interface TraceOptions {
	/** The span's name (`data.name`); defaults to the first argument. */
	name?: string;
	/** The span's kind, the `<kind>` of its event types; overrides the first argument. */
	kind?: string;
	/** Merged into the `:started` event's data (redacted before it is stored). */
	data?: Record<string, unknown>;
	tags?: string[];
}

/** The span a traced function runs as, passed to it: keep `span_id` to compensate the step later. */
export interface SpanRef {
	readonly trace_id: string;
	readonly span_id: string;
	readonly parent_span_id: string | undefined;
}

/** Options of a compensation span. */
export interface CompensationOptions {
	/** Defaults to "compensate". */
	name?: string;
	/** Where the compensation hangs in the tree; defaults to the active span or the context's root. */
	parent_span_id?: string;
	data?: Record<string, unknown>;
	tags?: string[];
}

/** An option the agent weighed. */
export interface DecisionAlternative {
	option: string;
	score?: number;
	reason?: string;
}

/** An AI agent's choice, as `recordDecision` takes it. */
export interface DecisionInput {
	/** The chosen option. */
	decision: string;
	alternatives: ReadonlyArray<DecisionAlternative | string>;
	reasoning: string;
	/** 0 to 1. */
	confidence: number;
	/** The decision span's name; defaults to "decision". */
	name?: string;
	data?: Record<string, unknown>;
	tags?: string[];
}

type Work<T> = (span: SpanRef) => T | Promise<T>;

/** Where a traced function's outcome goes: completion data or failure. */
interface Phases {
	completed: string;
	failed: string;
	extra: Record<string, unknown>;
}

/**
 * Emits spans into one trace. `trace()` wraps an async function in a span and
 * nests: a `trace()` inside another gets the outer span as its parent through
 * AsyncLocalStorage, across awaits, without passing anything around.
 */
export class TraceContext {
	/** The trace every span of this context goes to. */
	readonly trace_id: string;
	/** The parent of spans started outside any traced function; undefined makes them roots. */
	readonly root_span_id: string | undefined;
	protected readonly emitter: EventEmitting;

	constructor(emitter: EventEmitting, trace_id: string, root_span_id?: string) {
		this.emitter = emitter;
		this.trace_id = trace_id;
		this.root_span_id = root_span_id;
	}

	/** The span new spans of this trace would hang under: the active one, else the root. */
	currentSpanId(): string | undefined {
		const active = activeSpan();
		return active?.trace_id === this.trace_id ? active.span_id : this.root_span_id;
	}

	/**
	 * Run `fn` as a span: emits `<kind>:started`, then `<kind>:completed`
	 * (status success, `data.output` = what fn returned, when it has a JSON
	 * form) or `<kind>:failed` (status failed, `data.error` {message, stack})
	 * and rethrows. `kindOrName` is the kind when it is one of SPAN_KINDS
	 * ("stage", "step", "tool", ...) and the span's name otherwise (kind "step").
	 *
	 * @returns what fn returned.
	 * @throws what fn threw; or the store's error when an event cannot be
	 * stored (an AggregateError of both when fn failed too).
	 */
	async trace<T>(kindOrName: string, fn: Work<T>, options: TraceOptions = {}): Promise<T> {
		const known = SPAN_KINDS.has(kindOrName);
		const kind = options.kind ?? (known ? kindOrName : 'step');
		const name = options.name ?? kindOrName;
		return this.runSpan(this.currentSpanId(), `${kind}:started`, {...options.data, name}, options.tags, fn, {
			completed: `${kind}:completed`,
			failed: `${kind}:failed`,
			extra: {},
		});
	}

	/**
	 * Run a saga compensation: emits `saga:compensating`, then
	 * `saga:compensated` or `saga:compensation_failed`, each with
	 * `data.original_span_id`, the forward step being undone. `trace_id` is
	 * usually this context's; another trace's compensation hangs under
	 * `options.parent_span_id` (or becomes a root there).
	 */
	async traceSagaCompensation<T>(trace_id: string, original_span_id: string, fn: Work<T>, options: CompensationOptions = {}): Promise<T> {
		const active = activeSpan();
		const parent = options.parent_span_id ?? (active?.trace_id === trace_id ? active.span_id : trace_id === this.trace_id ? this.root_span_id : undefined);
		const extra = {original_span_id};
		return this.runSpan(
			parent,
			'saga:compensating',
			{...options.data, name: options.name ?? 'compensate', ...extra},
			options.tags,
			fn,
			{
				completed: 'saga:compensated',
				failed: 'saga:compensation_failed',
				extra,
			},
			trace_id,
		);
	}

	/**
	 * Record an AI agent's decision as one `ai:decision` event under the active
	 * span: the chosen option, the alternatives, the reasoning and the confidence.
	 *
	 * @returns the decision's span id.
	 */
	async recordDecision(input: DecisionInput): Promise<string> {
		const span_id = newSpanId();
		const alternatives = input.alternatives.map(entry => (typeof entry === 'string' ? {option: entry} : {...entry}));
		await this.emitter.emit(
			this.event(
				span_id,
				this.currentSpanId(),
				'ai:decision',
				{
					...input.data,
					name: input.name ?? 'decision',
					decision: input.decision,
					alternatives,
					reasoning: input.reasoning,
					confidence: input.confidence,
				},
				input.tags,
				'success',
			),
		);
		return span_id;
	}

	protected event(span_id: string, parent_span_id: string | undefined, event_type: string, data: Record<string, unknown> | undefined, tags: string[] | undefined, status?: TraceEvent['status'], trace_id = this.trace_id): EventInput {
		const event: EventInput = {trace_id, span_id, event_type};
		if (parent_span_id !== undefined) {
			event.parent_span_id = parent_span_id;
		}

		if (status !== undefined) {
			event.status = status;
		}

		if (data !== undefined && Object.keys(data).length > 0) {
			event.data = data;
		}

		if (tags !== undefined && tags.length > 0) {
			event.tags = [...tags];
		}

		return event;
	}

	private async runSpan<T>(parent: string | undefined, startType: string, startData: Record<string, unknown>, tags: string[] | undefined, fn: Work<T>, phases: Phases, trace_id = this.trace_id): Promise<T> {
		const span_id = newSpanId();
		await this.emitter.emit(this.event(span_id, parent, startType, startData, tags, undefined, trace_id));
		const ref: SpanRef = {trace_id, span_id, parent_span_id: parent};
		const active: ActiveSpan = {trace_id, span_id};
		let result: T;
		try {
			result = await runInSpan(active, async () => fn(ref));
		} catch (error) {
			const failed = this.event(span_id, parent, phases.failed, {...phases.extra, error: errorData(error)}, undefined, 'failed', trace_id);
			try {
				await this.emitter.emit(failed);
			} catch (storeError) {
				throw new AggregateError([error, storeError], `${startType.split(':')[0]} failed and the failure could not be recorded`);
			}

			throw error;
		}

		const data: Record<string, unknown> = {...phases.extra};
		if (result !== undefined && typeof result !== 'function' && typeof result !== 'symbol') {
			data['output'] = result;
		}

		await this.emitter.emit(this.event(span_id, parent, phases.completed, data, undefined, 'success', trace_id));
		return result;
	}
}
