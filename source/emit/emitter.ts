import {idProblem, identifierProblem, isoDateProblem, nameProblem} from '../core/input-limits.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {EventSink} from '../live/event-sink.js';
import {openEventWriter} from '../live/event-writer.js';
import {resolveEndpoint, resolveHome, resolveDatabaseUrl, resolveRedisUrl, resolveToken} from '../live/settings.js';
import {eventIdProblem} from '../interop/event-id.js';
import {newEventId, newSpanId, newTraceId, rootSpanIdForRun, traceIdForRun} from './ids.js';
import {formatRunId} from '../core/run-id.js';
import {createRedactor, redactData, redactTags, type RedactOptions, type Redactor} from '../core/redact.js';
import {RemoteSink} from './remote-sink.js';
import {RunContext, type StartRunOptions} from './run-context.js';
import {TraceContext, type EventEmitting, type EventInput} from './trace-context.js';

/** Options of a TraceEmitter. */
export interface TraceEmitterOptions {
	/** Extra secret keys and patterns, and the depth kept in `data`. */
	redact?: RedactOptions;
	/** The clock for default timestamps. */
	now?: () => Date;
}

/** Options of TraceEmitter.open. */
export interface OpenEmitterOptions extends TraceEmitterOptions {
	/** The tracedeck home holding runs.db: TRACEDECK_HOME, else ~/.tracedeck. */
	home?: string;
	/** Redis for live tailing: TRACEDECK_REDIS_URL, else none (SQLite alone). */
	redisUrl?: string;
	/** A shared PostgreSQL index (postgres://…): TRACEDECK_DATABASE_URL, else the SQLite file in the home. */
	databaseUrl?: string;
	/**
	 * A remote `tracedeck serve` (https://host:4318) to send to instead of a
	 * local index: TRACEDECK_ENDPOINT, else the config file's `endpoint`.
	 * Events are batched and, while serve cannot take them, spooled under the
	 * home; `emit` resolves once they are accepted or spooled.
	 */
	endpoint?: string;
	/** serve's bearer token: TRACEDECK_TOKEN, else the config file's `token`. */
	token?: string;
	/** Where warnings about the endpoint go (an outage, a full spool): default stderr. */
	warn?: (message: string) => void;
}

function requireText(value: unknown, field: string): string {
	if (typeof value !== 'string' || value === '') {
		throw new TypeError(`TraceEvent.${field} must be a non-empty string`);
	}

	return value;
}

/** The checks ingest makes (core/input-limits.ts), so that an emitted event is one ingest would take. */
function refuseBadInput(event: TraceEvent): void {
	for (const field of ['trace_id', 'span_id', 'parent_span_id', 'parent_trace_id'] as const) {
		const value = event[field];
		const problem = value === undefined ? undefined : idProblem(value);
		if (problem !== undefined) {
			throw new TypeError(`TraceEvent.${field} ${JSON.stringify(value)}: ${problem}`);
		}
	}

	for (const key of ['run_id', 'env', 'target', 'user'] as const) {
		const value = event.data?.[key];
		const problem = typeof value === 'string' ? identifierProblem(value) : undefined;
		if (problem !== undefined) {
			throw new TypeError(`TraceEvent.data.${key} ${JSON.stringify(value)}: ${problem}`);
		}
	}

	const name = event.data?.['name'];
	const nameIssue = typeof name === 'string' ? nameProblem(name) : undefined;
	if (nameIssue !== undefined) {
		throw new TypeError(`TraceEvent.data.name: ${nameIssue}`);
	}
}

/**
 * The producer library's entry point: writes TraceEvents with secrets
 * redacted, to the run index (awaited; retried, then an error is thrown) and to Redis
 * (fire and forget, when configured).
 *
 * @example
 * const emitter = await TraceEmitter.open({home: '/var/lib/tracedeck'});
 * const run = await emitter.startRun({name: 'deploy api', env: 'prod', target: 'api'});
 * await run.trace('stage', async () => migrate(), {name: 'migrate'});
 * await run.finish('success');
 * await emitter.close();
 */
export class TraceEmitter implements EventEmitting {
	/**
	 * Open the run index (and Redis, when a URL is given or set in the
	 * environment) and return an emitter that owns them: `close()` closes both.
	 * With an endpoint (option, TRACEDECK_ENDPOINT or the config file) no index
	 * is opened: events go to that `tracedeck serve` (emit/remote-sink.ts), and
	 * `close()` sends what is queued, leaving in the spool what serve did not take.
	 *
	 * @throws ConfigError (an InputError) for a malformed Redis or database URL, before anything is opened
	 * @throws StoreError when the run index cannot be used (foreign, newer, damaged, disk full)
	 */
	static async open(options: OpenEmitterOptions = {}): Promise<TraceEmitter> {
		const endpoint = resolveEndpoint(options.endpoint, process.env, 'the endpoint option of TraceEmitter.open');
		if (endpoint !== undefined) {
			const sink = new RemoteSink({
				endpoint,
				token: options.token ?? resolveToken(undefined),
				home: resolveHome(options.home),
				warn: options.warn ?? (message => process.stderr.write(`tracedeck: warning: ${message}\n`)),
			});
			const emitter = new TraceEmitter(sink, options);
			emitter.onClose = async () => {
				await sink.close();
			};
			return emitter;
		}

		const redisUrl = resolveRedisUrl(options.redisUrl, process.env, 'the redisUrl option of TraceEmitter.open');
		const databaseUrl = resolveDatabaseUrl(options.databaseUrl, process.env, 'the databaseUrl option of TraceEmitter.open');
		const writer = await openEventWriter({home: resolveHome(options.home), databaseUrl, redisUrl});
		let emitter: TraceEmitter;
		try {
			emitter = new TraceEmitter(writer, options);
		} catch (error) {
			await writer.close();
			throw error;
		}

		emitter.onClose = async () => writer.close();
		return emitter;
	}

	private readonly sink: EventSink;
	private readonly redactor: Redactor;
	private readonly now: () => Date;
	private onClose: (() => Promise<void>) | undefined;
	private closed = false;
	// Writes in flight (a retry may be sleeping): close() lets them finish first.
	private readonly pending = new Set<Promise<unknown>>();

	/**
	 * An emitter over a writer the caller owns (and closes).
	 *
	 * @throws TypeError when `redact.extraPatterns` holds something that is not a regular expression.
	 */
	constructor(sink: EventSink, options: TraceEmitterOptions = {}) {
		this.sink = sink;
		this.redactor = createRedactor({...options.redact});
		this.now = options.now ?? (() => new Date());
	}

	/**
	 * The event as it will be stored: timestamp filled in (ISO 8601 with
	 * milliseconds), `data` copied to plain JSON with secrets redacted, and an
	 * `event_id` of its own unless the input brings one. Writing the prepared
	 * event again (a retry) stores it once; preparing the same input twice
	 * gives two events, as printing a line twice does.
	 *
	 * @throws TypeError when trace_id, span_id or event_type is missing, the
	 * timestamp is not a date, or a given event_id is not a short printable one.
	 */
	prepare(input: EventInput): TraceEvent {
		const at = input.timestamp === undefined ? this.now().getTime() : Date.parse(input.timestamp);
		// Date.parse rolls February 30 over to March 2: a date that does not exist is refused as ingest refuses it.
		if (Number.isNaN(at) || (typeof input.timestamp === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(input.timestamp) && isoDateProblem(input.timestamp) !== undefined)) {
			throw new TypeError(`TraceEvent.timestamp "${String(input.timestamp)}" is not a date`);
		}

		const event: TraceEvent = {
			trace_id: requireText(input.trace_id, 'trace_id'),
			span_id: requireText(input.span_id, 'span_id'),
			event_type: requireText(input.event_type, 'event_type'),
			timestamp: new Date(at).toISOString(),
		};
		if (input.parent_span_id !== undefined && input.parent_span_id !== '') {
			event.parent_span_id = input.parent_span_id;
		}

		if (input.status !== undefined) {
			event.status = input.status;
		}

		if (input.data !== undefined) {
			event.data = redactData(input.data, this.redactor);
		}

		if (input.tags !== undefined && input.tags.length > 0) {
			event.tags = redactTags(input.tags, this.redactor);
		}

		if (input.parent_trace_id !== undefined) {
			event.parent_trace_id = input.parent_trace_id;
		}

		if (input.correlation_id !== undefined) {
			event.correlation_id = input.correlation_id;
		}

		if (input.links !== undefined && input.links.length > 0) {
			event.links = input.links.map(link => ({...link, attributes: redactData(link.attributes, this.redactor)}));
		}

		if (input.event_id === undefined) {
			event.event_id = newEventId();
		} else {
			const problem = eventIdProblem(input.event_id);
			if (problem !== undefined) {
				throw new TypeError(`TraceEvent.event_id must be ${problem}`);
			}

			event.event_id = input.event_id;
		}

		refuseBadInput(event);
		return event;
	}

	/**
	 * Store one event (redacted first) and publish it.
	 *
	 * @returns the event as stored.
	 * @throws when SQLite cannot take it after the writer's retries.
	 */
	async emit(input: EventInput): Promise<TraceEvent> {
		const [event] = await this.emitAll([input]);
		return event!;
	}

	/** Store several events in one transaction (all or none), then publish them. */
	async emitAll(inputs: readonly EventInput[]): Promise<TraceEvent[]> {
		if (this.closed) {
			throw new Error('TraceEmitter is closed');
		}

		const events = inputs.map(input => this.prepare(input));
		if (events.length > 0) {
			const write = this.sink.write(events);
			this.pending.add(write);
			try {
				await write;
			} finally {
				this.pending.delete(write);
			}
		}

		return events;
	}

	/**
	 * Start a run: emits `workflow:started` on a new root span with the run's
	 * fields. A given `run_id` fixes the trace and root span ids (derived from
	 * it), so other processes that know the run id, such as `tracedeck exec`
	 * steps, join the same trace.
	 */
	async startRun(options: StartRunOptions): Promise<RunContext> {
		const given = options.run_id !== undefined && options.run_id !== '';
		const run_id = given ? options.run_id! : formatRunId(this.now(), options.git?.sha?.slice(0, 7));
		const trace_id = given ? traceIdForRun(run_id) : newTraceId();
		const root = given ? rootSpanIdForRun(run_id) : newSpanId();
		const data: Record<string, unknown> = {...options.data, name: options.name, run_id, env: options.env, target: options.target};
		for (const key of ['plan_hash', 'git', 'user', 'runner', 'total_steps'] as const) {
			if (options[key] !== undefined) {
				data[key] = options[key];
			}
		}

		const event: EventInput = {trace_id, span_id: root, event_type: 'workflow:started', data};
		if (options.tags !== undefined) {
			event.tags = options.tags;
		}

		await this.emit(event);
		return new RunContext(this, run_id, trace_id, root);
	}

	/**
	 * A context for a trace that exists elsewhere (another process started
	 * it): spans hang under `root_span_id`, or become roots without it.
	 */
	context(trace_id: string, root_span_id?: string): TraceContext {
		return new TraceContext(this, trace_id, root_span_id);
	}

	/** Close what `open()` opened; an emitter built on a caller's writer just stops accepting events. */
	async close(): Promise<void> {
		if (this.closed) {
			return;
		}

		this.closed = true;
		await Promise.allSettled([...this.pending]);
		await this.onClose?.();
	}
}
