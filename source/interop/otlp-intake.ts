import {StoreError} from '../core/errors.js';
import {sanitizeMessage} from '../core/sanitize.js';
import type {TraceEvent} from '../core/trace-event.js';
import type {EventSink} from '../live/event-sink.js';
import {yieldToEventLoop} from '../live/sleep.js';
import {convertOtlpBatchInSlices} from './otlp-batch.js';
import type {LogsPartialSuccess} from './otlp-logs-protobuf.js';
import {convertOtlpLogs} from './otlp-logs-to-events.js';
import type {PartialSuccess} from './otlp-protobuf.js';
import {OtlpParseError} from './otlp-to-events.js';

/** What the receivers report to, and what GET /metrics renders. */
export interface ReceiverMetrics {
	recordEvents(n: number): void;
	recordIngestError(): void;
	/** From the newest event's own timestamp to its being stored and published: how far behind the live view runs. */
	observeStreamLatency(ms: number): void;
	readonly contentType: string;
	render(): Promise<string>;
}

/**
 * Why an export was not taken. Each transport answers it in its own terms:
 * invalid is HTTP 400 / gRPC INVALID_ARGUMENT (do not retry), overloaded is
 * 429 / RESOURCE_EXHAUSTED and unavailable 503 / UNAVAILABLE (retry after
 * `retryAfterSeconds`), internal 500 / INTERNAL.
 */
export type IntakeFailure = 'invalid' | 'overloaded' | 'unavailable' | 'internal';

export class IntakeError extends Error {
	readonly failure: IntakeFailure;
	/** Set on the retryable failures: HTTP's Retry-After, gRPC's RetryInfo. */
	readonly retryAfterSeconds: number | undefined;

	constructor(failure: IntakeFailure, message: string, retryAfterSeconds?: number) {
		// Sent back to the client and often quoting what it sent: one line, no terminal escapes, hidden characters shown.
		super(sanitizeMessage(message));
		this.failure = failure;
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/** A locked store frees up in seconds (EventWriter has already retried for a while). */
export const STORE_RETRY_AFTER_SECONDS = 5;
/** A full house empties as the exports in progress finish, typically within one. */
export const SHED_RETRY_AFTER_SECONDS = 1;
/** Exports in progress at once, over every transport, before new ones are turned away. */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/** Request bytes (after gunzip) being read, decoded or stored at once, over every transport. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/**
 * Spans decoded or converted between two pauses, and events stored per
 * transaction (serve's EventWriter): each slice holds the event loop for
 * tens of milliseconds on a slow machine, so small exports are answered
 * while a large one is worked through.
 */
export const SLICE_SPANS = 500;
/** Exports of more events than this are stored in parts (fewer go through group commit). */
export const PART_EVENTS = 1000;
/**
 * Events per part. A small export that comes while a big one is stored
 * waits about one part: with 1000-event parts, 8 senders' small-post p99
 * under a 100k-span export was 146-200 ms here, with 500 it was 98-113 ms
 * (the big export took about a quarter longer, while the small ones were
 * answered at 1.7 times the rate).
 */
export const PART_SIZE = 500;

/**
 * One export's place in the intake, taken before its body is read, given
 * back once it is answered. `grow` counts the bytes it holds as they arrive.
 */
export interface Admission {
	/** @throws IntakeError (overloaded) when these bytes would take the intake over its byte limit. */
	grow(bytes: number): void;
	release(): void;
}

export interface TraceIntakeOptions {
	sink: EventSink;
	metrics?: ReceiverMetrics;
	/** One line per server-side failure. Default stderr. */
	log?: (line: string) => void;
	now?: () => number;
	/** Default DEFAULT_MAX_IN_FLIGHT. Each export in progress holds its decoded request (up to the body limit) in memory. */
	maxInFlight?: number;
	/**
	 * Default DEFAULT_MAX_IN_FLIGHT_BYTES: bytes of requests in progress
	 * (read, decoded, being stored). An export alone is always let in, so the
	 * largest body allowed is never refused for good.
	 */
	maxInFlightBytes?: number;
}

/** Busy, locked, full or failing disks pass; a sender should retry later. Anything else is our bug. */
function isTransientStoreFailure(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return error instanceof StoreError || (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN)/.test(code));
}

/**
 * What OTLP/HTTP and OTLP/gRPC do alike with a trace export once its
 * transport has decoded it: admit it or shed load, validate it (keeping the
 * good spans: partial success), store it through the one writer, count it.
 * One instance serves both transports, so one limit covers them.
 */
export class TraceIntake {
	private readonly sink: EventSink;
	private readonly metrics: ReceiverMetrics | undefined;
	private readonly log: (line: string) => void;
	private readonly now: () => number;
	private readonly maxInFlight: number;
	private readonly maxInFlightBytes: number;
	private inFlight = 0;
	private bytesInFlight = 0;

	constructor(options: TraceIntakeOptions) {
		this.sink = options.sink;
		this.metrics = options.metrics;
		this.log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
		this.now = options.now ?? Date.now;
		this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
		this.maxInFlightBytes = Math.max(1, options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES);
	}

	/**
	 * Take a place for one export until its release is called (once,
	 * whatever happens), with `bytes` of it known already.
	 * @throws IntakeError (overloaded) when all places are taken or the bytes
	 * in flight would pass their limit.
	 */
	admit(bytes = 0): Admission {
		if (this.inFlight >= this.maxInFlight) {
			throw new IntakeError('overloaded', `tracedeck serve is at its limit of ${this.maxInFlight} exports in progress; retry in ${SHED_RETRY_AFTER_SECONDS} s`, SHED_RETRY_AFTER_SECONDS);
		}

		this.inFlight++;
		let held = 0;
		let released = false;
		const admission: Admission = {
			grow: more => {
				// Alone, an export always fits: the body limit bounds it, and refusing it would refuse it for ever.
				if (released || (this.bytesInFlight > held && this.bytesInFlight + more > this.maxInFlightBytes)) {
					admission.release();
					throw new IntakeError('overloaded', `tracedeck serve is at its limit of ${Math.round(this.maxInFlightBytes / (1024 * 1024))} MB of exports in progress; retry in ${SHED_RETRY_AFTER_SECONDS} s`, SHED_RETRY_AFTER_SECONDS);
				}

				held += more;
				this.bytesInFlight += more;
			},
			release: () => {
				if (!released) {
					released = true;
					this.inFlight--;
					this.bytesInFlight -= held;
				}
			},
		};
		if (bytes > 0) {
			admission.grow(bytes);
		}

		return admission;
	}

	/** Exports and their bytes in progress now, for /healthz and tests. */
	load(): {exports: number; bytes: number} {
		return {exports: this.inFlight, bytes: this.bytesInFlight};
	}

	/**
	 * Convert and store one ExportTraceServiceRequest in the OTLP/JSON shape
	 * (protobuf decoded by decodeExportTraceRequest). Resolves with the
	 * partial success to report, if some spans were rejected.
	 *
	 * A large request is converted in slices and stored in parts (when the
	 * sink is serve's EventWriter), with pauses between them, so that other
	 * requests are answered meanwhile. What it keeps of atomicity: it is
	 * answered (resolves) only once every part and the run summaries are
	 * stored; a failure midway leaves the parts stored so far and rejects
	 * (503, retry later), and the sender's retry stores only what is missing,
	 * since every event's identity is the same on each attempt
	 * (store/event-digest.ts). Readers may see such a request half stored.
	 * @throws IntakeError
	 */
	async store(document: unknown): Promise<PartialSuccess | undefined> {
		let batch;
		try {
			batch = await convertOtlpBatchInSlices(document, yieldToEventLoop, SLICE_SPANS);
		} catch (error) {
			throw error instanceof OtlpParseError ? new IntakeError('invalid', `invalid OTLP: ${error.message}`) : error;
		}

		if (batch.events.length === 0 && batch.rejectedSpans > 0) {
			throw new IntakeError('invalid', batch.errorMessage);
		}

		if (batch.events.length > 0) {
			await this.persist(`${batch.events.length} events`, 'the spans', async () => this.sink.write(batch.events));
			this.counted(batch.events);
		}

		if (batch.rejectedSpans === 0) {
			return undefined;
		}

		this.metrics?.recordIngestError();
		return {rejectedSpans: batch.rejectedSpans, errorMessage: sanitizeMessage(batch.errorMessage)};
	}

	/**
	 * The same for an ExportLogsServiceRequest (OTLP/JSON shape, protobuf
	 * decoded by decodeExportLogsRequest): records within a trace are stored
	 * as its events, the others under their service. @throws IntakeError
	 */
	async storeLogs(document: unknown): Promise<LogsPartialSuccess | undefined> {
		let batch;
		try {
			batch = convertOtlpLogs(document);
		} catch (error) {
			throw error instanceof OtlpParseError ? new IntakeError('invalid', `invalid OTLP logs: ${error.message}`) : error;
		}

		let {rejectedLogRecords, errorMessage} = batch;
		const writeServiceLogs = this.sink.writeServiceLogs?.bind(this.sink);
		if (batch.serviceLogs.length > 0 && !writeServiceLogs) {
			rejectedLogRecords += batch.serviceLogs.length;
			errorMessage ||= `${batch.serviceLogs.length} of ${batch.records} log records rejected: this receiver keeps log records only within a trace`;
			batch.serviceLogs = [];
		}

		if (batch.events.length === 0 && batch.serviceLogs.length === 0 && rejectedLogRecords > 0) {
			throw new IntakeError('invalid', errorMessage);
		}

		if (batch.events.length > 0) {
			await this.persist(`${batch.events.length} log events`, 'the log records', async () => this.sink.write(batch.events));
			this.counted(batch.events);
		}

		if (batch.serviceLogs.length > 0 && writeServiceLogs) {
			const logs = batch.serviceLogs;
			await this.persist(`${logs.length} log records`, 'the log records', async () => writeServiceLogs(logs));
			this.metrics?.recordEvents(logs.length);
		}

		if (rejectedLogRecords === 0) {
			return undefined;
		}

		this.metrics?.recordIngestError();
		return {rejectedLogRecords, errorMessage};
	}

	/** A store write; its failure as the sender should read it (retry later, or our bug). @throws IntakeError */
	private async persist(counted: string, what: string, write: () => Promise<unknown>): Promise<void> {
		try {
			await write();
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			this.log(sanitizeMessage(`tracedeck serve: could not store ${counted}: ${message}`));
			throw isTransientStoreFailure(error) ? new IntakeError('unavailable', `could not store ${what}, retry later: ${message}`, STORE_RETRY_AFTER_SECONDS) : new IntakeError('internal', `could not store ${what}: ${message}`);
		}
	}

	/** Received, duplicates included: a sender's retry is traffic too. */
	private counted(events: readonly TraceEvent[]): void {
		this.metrics?.recordEvents(events.length);
		const newest = events.reduce((max, event) => Math.max(max, Date.parse(event.timestamp)), 0);
		this.metrics?.observeStreamLatency(Math.max(0, this.now() - newest));
	}

	/** An export that was not taken (any transport, any reason). */
	recordFailure(): void {
		this.metrics?.recordIngestError();
	}
}
