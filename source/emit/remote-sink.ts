import type {TraceEvent} from '../core/trace-event.js';
import {eventsLogsRequest} from '../interop/tracedeck-event-log.js';
import type {EventSink} from '../live/event-sink.js';
import {sleep} from '../live/sleep.js';
import {EventSpool} from './event-spool.js';
import {newEventId} from './ids.js';
import {parseRetryAfter, retryDelayMs} from './retry-delay.js';

/*
 * The sink of a producer elsewhere: TraceEvents to a remote `tracedeck
 * serve` over OTLP/HTTP (interop/tracedeck-event-log.ts), batched, retried
 * with backoff, and spooled on disk (emit/event-spool.ts) while serve cannot
 * take them. A write resolves once its events are accepted or spooled,
 * never with an error for an endpoint that is down: one warning per outage.
 * Order: while anything is spooled, new events are spooled behind it and the
 * spool is replayed first. Every event carries an id (given one here if it
 * has none), so an event sent again after an answer that was lost is a
 * duplicate at serve, not a second copy (store/event-digest.ts).
 */

export interface RemoteSinkOptions {
	/** serve's base URL (live/settings.ts resolveEndpoint). */
	endpoint: string;
	token?: string | undefined;
	/** Where the spool lives: `<home>/spool`. */
	home: string;
	warn: (message: string) => void;
	/** Events per request (default 500); a full batch is sent at once. */
	maxBatch?: number;
	/** Request bodies stay under this many bytes of events (default 1 MiB). */
	maxBatchBytes?: number;
	/** How long a batch waits for more events (default 20 ms). */
	lingerMs?: number;
	/** How long a write may wait on retries before its events are spooled (default 2 s). */
	retryBudgetMs?: number;
	/** One request's time limit (default 5 s). */
	timeoutMs?: number;
	spoolMaxBytes?: number;
	fetch?: typeof fetch;
	random?: () => number;
	/** The spool's check of a process being alive (tests). */
	isAlive?: (pid: number) => boolean;
}

/** What happened to the events of this sender, for exec --finish's summary. */
export interface DeliveryStats {
	endpoint: string;
	/** Events serve took (duplicates of a resend included). */
	sent: number;
	/** Events this process spooled. */
	spooled: number;
	/** Events waiting in the spool now (any process's on this machine): not delivered yet. */
	pending: number;
	/** Events the full spool had no room for: lost. */
	dropped: number;
	/** Events serve refused as invalid: lost. */
	rejected: number;
}

/** How one request went. */
type Answer = {ok: true; rejected: number; message: string} | {ok: false; retryable: boolean; retryAfterMs: number | undefined; why: string};

interface Waiting {
	events: TraceEvent[];
	done: () => void;
}

export class RemoteSink implements EventSink {
	private readonly options: RemoteSinkOptions;
	private readonly spool: EventSpool;
	private readonly url: string;
	private readonly fetch: typeof fetch;
	private readonly random: () => number;
	private queue: Waiting[] = [];
	private queued = 0;
	private timer: NodeJS.Timeout | undefined;
	private replayTimer: NodeJS.Timeout | undefined;
	// Sends, replays and spooling, one after another: the order events reach serve is the order they were written.
	private chain: Promise<void> = Promise.resolve();
	private outage: string | undefined;
	private failures = 0;
	private notBefore = 0;
	private closed = false;
	private sent = 0;
	private rejected = 0;

	constructor(options: RemoteSinkOptions) {
		this.options = options;
		this.url = `${options.endpoint}/v1/logs`;
		this.fetch = options.fetch ?? fetch;
		this.random = options.random ?? Math.random;
		this.spool = new EventSpool(options.home, {maxBytes: options.spoolMaxBytes, warn: options.warn, isAlive: options.isAlive});
		if (this.spool.hasReplayable()) {
			// The previous exec on this runner left events: they go first.
			this.serially(async () => this.replay());
		}
	}

	write(events: readonly TraceEvent[]): Promise<void> {
		if (this.closed) {
			return Promise.reject(new Error('the remote sink is closed'));
		}

		// An id of its own, so a resend is recognised as the same event.
		const withIds = events.map(event => (event.event_id === undefined ? {...event, event_id: newEventId()} : event));
		return new Promise(resolve => {
			this.queue.push({events: withIds, done: resolve});
			this.queued += withIds.length;
			if (this.queued >= (this.options.maxBatch ?? 500)) {
				this.flush();
			} else {
				this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs ?? 20);
			}
		});
	}

	/** Send what is queued now (after whatever is being sent). */
	private flush(): Promise<void> {
		clearTimeout(this.timer);
		this.timer = undefined;
		const batch = this.queue;
		this.queue = [];
		this.queued = 0;
		if (batch.length === 0) {
			return this.chain;
		}

		return this.serially(async () => {
			try {
				await this.deliver(batch.flatMap(item => item.events));
			} finally {
				for (const item of batch) {
					item.done();
				}
			}
		});
	}

	private serially(task: () => Promise<void>): Promise<void> {
		const next = this.chain.then(task).catch((error: unknown) => {
			this.options.warn(`sending to ${this.options.endpoint}: ${error instanceof Error ? error.message : String(error)}`);
		});
		this.chain = next;
		return next;
	}

	/** New events: behind the spool while it holds anything, else straight to serve, spooled when it will not take them. */
	private async deliver(events: TraceEvent[]): Promise<void> {
		if (this.outage !== undefined || this.spool.hasReplayable()) {
			this.spool.append(events);
			// The writes are done once spooled; the replay comes after them, so a slow endpoint never holds a write.
			if (Date.now() >= this.notBefore) {
				void this.serially(async () => this.replay());
			} else {
				this.scheduleReplay();
			}

			return;
		}

		const deadline = Date.now() + (this.options.retryBudgetMs ?? 2000);
		for (const chunk of this.chunks(events)) {
			const answer = await this.sendWithRetries(chunk, deadline);
			if (!answer.ok && answer.retryable) {
				this.down(answer);
				this.spool.append(events.slice(events.indexOf(chunk[0]!)));
				this.scheduleReplay();
				return;
			}
		}
	}

	/** Send the spool, oldest first, until it is empty or serve stops taking it. */
	private async replay(): Promise<void> {
		let claimed = false;
		for (let claim = this.spool.claimNext(); claim !== undefined; claim = this.spool.claimNext()) {
			claimed = true;
			let done = 0;
			try {
				for (const chunk of this.chunks(claim.events)) {
					const answer = await this.send(chunk);
					if (!answer.ok && answer.retryable) {
						this.down(answer);
						this.scheduleReplay();
						return;
					}

					done += chunk.length;
				}
			} finally {
				this.spool.release(claim, claim.events.slice(done));
			}
		}

		if (this.outage !== undefined && !claimed) {
			// Nothing was sent (the full spool dropped it all): no news of the endpoint; the next write tries it.
			return;
		}

		if (this.outage !== undefined) {
			this.options.warn(`${this.options.endpoint} takes events again; what was spooled has been sent`);
		}

		this.outage = undefined;
		this.failures = 0;
	}

	private down(answer: Extract<Answer, {ok: false}>): void {
		if (this.outage === undefined) {
			this.outage = answer.why;
			this.options.warn(`cannot reach ${this.options.endpoint} (${answer.why}); spooling events in ${this.spool.dir} and sending them when it is back`);
		}

		this.notBefore = Date.now() + retryDelayMs(this.failures++, answer.retryAfterMs, this.random);
	}

	/** Try the spool again once the backoff is over; the timer never keeps a process alive. */
	private scheduleReplay(): void {
		if (this.replayTimer !== undefined || this.closed) {
			return;
		}

		this.replayTimer = setTimeout(
			() => {
				this.replayTimer = undefined;
				void this.serially(async () => this.replay());
			},
			Math.max(0, this.notBefore - Date.now()),
		);
		this.replayTimer.unref();
	}

	/** One batch, tried again within the deadline (never past it: then it is spooled). */
	private async sendWithRetries(events: TraceEvent[], deadline: number): Promise<Answer> {
		for (let attempt = 0; ; attempt++) {
			const answer = await this.send(events);
			if (answer.ok || !answer.retryable) {
				return answer;
			}

			const wait = retryDelayMs(attempt, answer.retryAfterMs, this.random);
			if (Date.now() + wait > deadline) {
				return answer;
			}

			await sleep(wait);
		}
	}

	private async send(events: TraceEvent[]): Promise<Answer> {
		let response: Response;
		try {
			response = await this.fetch(this.url, {
				method: 'POST',
				headers: {'content-type': 'application/json', ...(this.options.token === undefined ? {} : {authorization: `Bearer ${this.options.token}`})},
				body: JSON.stringify(eventsLogsRequest(events)),
				signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
			});
		} catch (error) {
			const cause = (error as {cause?: {code?: string}}).cause?.code;
			return {ok: false, retryable: true, retryAfterMs: undefined, why: cause ?? (error instanceof Error ? error.message : String(error))};
		}

		const text = await response.text().catch(() => '');
		if (response.ok) {
			this.sent += events.length;
			const partial = readPartialSuccess(text);
			if (partial.rejected > 0) {
				this.rejected += partial.rejected;
				this.options.warn(`${this.options.endpoint} refused ${partial.rejected} event(s): ${partial.message}`);
			}

			return {ok: true, ...partial};
		}

		const status = response.status;
		const why = `HTTP ${status}${status === 401 || status === 403 ? ': check TRACEDECK_TOKEN' : ''}`;
		// A refusal that sending again cannot change: counted and said, never retried for ever.
		if (status === 400 || status === 413 || status === 415 || status === 422) {
			this.rejected += events.length;
			this.options.warn(`${this.options.endpoint} refused ${events.length} event(s) (${why}): ${text.slice(0, 200)}`);
			return {ok: true, rejected: events.length, message: text};
		}

		return {ok: false, retryable: true, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()), why};
	}

	/** Batches of at most maxBatch events and about maxBatchBytes of JSON. */
	private *chunks(events: TraceEvent[]): Generator<TraceEvent[]> {
		const maxEvents = this.options.maxBatch ?? 500;
		const maxBytes = this.options.maxBatchBytes ?? 1024 * 1024;
		let chunk: TraceEvent[] = [];
		let bytes = 0;
		for (const event of events) {
			const size = JSON.stringify(event).length;
			if (chunk.length > 0 && (chunk.length >= maxEvents || bytes + size > maxBytes)) {
				yield chunk;
				chunk = [];
				bytes = 0;
			}

			chunk.push(event);
			bytes += size;
		}

		if (chunk.length > 0) {
			yield chunk;
		}
	}

	/** What became of this sender's events so far. */
	stats(): DeliveryStats {
		return {endpoint: this.options.endpoint, sent: this.sent, spooled: this.spool.spooled, pending: this.spool.pendingEvents(), dropped: this.spool.dropped, rejected: this.rejected};
	}

	/** Send what is queued, try the spool once more, and stop; what serve did not take stays spooled for the next sender. */
	async close(): Promise<DeliveryStats> {
		await this.flush();
		this.closed = true;
		clearTimeout(this.replayTimer);
		this.replayTimer = undefined;
		if (this.outage !== undefined && Date.now() >= this.notBefore) {
			await this.serially(async () => this.replay());
		}

		await this.chain;
		clearTimeout(this.replayTimer);
		return this.stats();
	}
}

/** OTLP's partial success in a 200 answer: records serve refused. */
function readPartialSuccess(text: string): {rejected: number; message: string} {
	try {
		const body = JSON.parse(text) as {partialSuccess?: {rejectedLogRecords?: number | string; errorMessage?: string}};
		return {rejected: Number(body.partialSuccess?.rejectedLogRecords ?? 0) || 0, message: body.partialSuccess?.errorMessage ?? ''};
	} catch {
		return {rejected: 0, message: ''};
	}
}
