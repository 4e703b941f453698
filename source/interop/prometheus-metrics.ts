import {Counter, Gauge, Histogram, Registry, type Metric} from 'prom-client';
import {DEFAULT_STUCK_AFTER_MS} from '../core/active-runs.js';
import {formatDuration} from '../core/format-duration.js';
import type {HistogramFigures, Labels} from '../store/deployment-figures.js';
import type {Store} from '../store/store.js';

/** Stream latency buckets in milliseconds: live tailing should stay well under a second. */
const STREAM_LATENCY_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

export interface MetricsOptions {
	/** Default DEFAULT_STUCK_AFTER_MS; serve passes TRACEDECK_STUCK_AFTER. */
	stuckAfterMs?: number;
	/** The clock, for tests. */
	now?: () => number;
}

/**
 * A histogram whose buckets the run index already holds (cumulative, kept by
 * triggers). prom-client's Histogram can only be fed one observation at a
 * time, so this implements the small metric contract its Registry reads
 * (name, help, type, get()) and hands over the stored buckets as they are.
 */
class StoredHistogram {
	readonly type = 'histogram';
	readonly aggregator = 'sum';

	constructor(
		readonly name: string,
		readonly help: string,
		private readonly read: () => Promise<HistogramFigures>,
	) {}

	async get(): Promise<{name: string; help: string; type: string; aggregator: string; values: Array<{labels: Labels; value: number; metricName: string}>}> {
		const {bounds, series} = await this.read();
		const values: Array<{labels: Labels; value: number; metricName: string}> = [];
		for (const entry of series) {
			bounds.forEach((le, i) => {
				values.push({labels: {...entry.labels, le: String(le)}, value: entry.buckets[i]!, metricName: `${this.name}_bucket`});
			});
			values.push({labels: {...entry.labels, le: '+Inf'}, value: entry.count, metricName: `${this.name}_bucket`}, {labels: entry.labels, value: entry.sum, metricName: `${this.name}_sum`}, {labels: entry.labels, value: entry.count, metricName: `${this.name}_count`});
		}

		return {name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values};
	}
}

/**
 * tracedeck's /metrics: its own health (events, ingest errors, Redis write
 * failures, stream latency) from this process, and the deployment figures of
 * the run index read at scrape time. Uses its own registry, never the global
 * one, so two instances (tests, several servers) never clash.
 */
export class TracedeckMetrics {
	readonly registry = new Registry();
	readonly contentType: string = this.registry.contentType;
	private readonly events: Counter;
	private readonly ingestErrors: Counter;
	private readonly redisFailures: Counter;
	private readonly streamLatency: Histogram;
	private redisFailuresSeen = 0;

	constructor(store: Pick<Store, 'deploymentFigures'>, options: MetricsOptions = {}) {
		const registers = [this.registry];
		const figures = store.deploymentFigures();
		const now = options.now ?? Date.now;
		const stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
		this.events = new Counter({name: 'tracedeck_events_total', help: 'Trace events received by this process', registers});
		this.ingestErrors = new Counter({name: 'tracedeck_ingest_errors_total', help: 'Ingest requests or files rejected by this process', registers});
		this.redisFailures = new Counter({name: 'tracedeck_redis_write_failures_total', help: 'Events that could not be written to Redis Streams (SQLite has them)', registers});
		this.streamLatency = new Histogram({
			name: 'tracedeck_stream_latency_ms',
			help: "Milliseconds from an event's timestamp to its arrival on the live stream",
			buckets: STREAM_LATENCY_BUCKETS_MS,
			registers,
		});

		// Known label sets start at 0, so that the first failure is an increase() and not a new series.
		// Each collect reads everything first and only then resets and sets, so two scrapes at once never mix their figures.
		const fromTable = (name: string, help: string, labelNames: string[], zeros: () => Promise<Labels[]>): void => {
			const counter: Counter = new Counter({
				name,
				help,
				labelNames,
				registers,
				async collect() {
					const [known, stored] = await Promise.all([zeros(), figures.counters(name)]);
					counter.reset();
					for (const labels of known) {
						counter.inc(labels, 0);
					}

					for (const series of stored) {
						counter.inc(series.labels, series.value);
					}
				},
			});
		};

		const statuses = ['success', 'failed', 'cancelled'];
		fromTable('deployment_total', 'Deployments (runs with an env) finished, by the status they first finished with', ['env', 'status'], async () => (await figures.deploymentEnvs()).flatMap(env => statuses.map(status => ({env, status}))));
		fromTable('deployment_rollback_total', 'Rollbacks seen (outermost spans of kind rollback or named rollback)', [], async () => []);
		fromTable('smoke_test_total', 'Smoke tests settled (outermost spans of kind smoke or named smoke)', ['status'], async () => [{status: 'success'}, {status: 'failed'}]);

		const inProgress: Gauge = new Gauge({
			name: 'deployment_in_progress',
			help: 'Deployments running now',
			labelNames: ['env'],
			registers,
			async collect() {
				const [envs, rows] = await Promise.all([figures.deploymentEnvs(), figures.inProgress()]);
				inProgress.reset();
				for (const env of envs) {
					inProgress.set({env}, 0);
				}

				for (const row of rows) {
					inProgress.set({env: row.env}, row.count);
				}
			},
		});
		const stuck: Gauge = new Gauge({
			name: 'tracedeck_stuck_runs',
			help: `Running runs with no event for more than ${formatDuration(stuckAfterMs)} (TRACEDECK_STUCK_AFTER)`,
			labelNames: ['env'],
			registers,
			async collect() {
				const [envs, rows] = await Promise.all([figures.deploymentEnvs(), figures.stuck(now() - stuckAfterMs)]);
				stuck.reset();
				for (const env of envs) {
					stuck.set({env}, 0);
				}

				for (const row of rows) {
					stuck.set({env: row.env}, row.count);
				}
			},
		});

		const stored = [
			new StoredHistogram('deployment_stage_duration_seconds', 'Duration of finished stage spans, by stage name', async () => figures.histogram('deployment_stage_duration_seconds')),
			new StoredHistogram('time_to_deploy_seconds', 'Duration of finished deployment runs, start to end', async () => figures.histogram('time_to_deploy_seconds')),
		];
		for (const metric of stored) {
			this.registry.registerMetric(metric as unknown as Metric);
		}
	}

	recordEvents(n: number): void {
		if (n > 0) {
			this.events.inc(n);
		}
	}

	recordIngestError(): void {
		this.ingestErrors.inc();
	}

	observeStreamLatency(ms: number): void {
		if (Number.isFinite(ms)) {
			this.streamLatency.observe(Math.max(0, ms));
		}
	}

	/** The publisher's own running total; a smaller total (a new publisher) starts the counter over, which Prometheus reads as a reset. */
	setRedisWriteFailures(n: number): void {
		if (n >= this.redisFailuresSeen) {
			this.redisFailures.inc(n - this.redisFailuresSeen);
		} else {
			this.redisFailures.reset();
			this.redisFailures.inc(n);
		}

		this.redisFailuresSeen = n;
	}

	/** The Prometheus text exposition of every metric. */
	async render(): Promise<string> {
		return this.registry.metrics();
	}
}
