import {InputError, TracedeckError} from '../core/errors.js';
import {DEFAULT_MAX_BODY_BYTES, METRICS_PATH, startOtlpReceiver, TRACES_PATH, type OtlpReceiver, type ReceiverMetrics} from '../interop/otlp-receiver.js';
import {NO_PUBLISHER, type EventPublisher} from '../live/event-publisher.js';
import {openPublisher} from '../live/open-publisher.js';
import {EventWriter} from '../live/event-writer.js';
import {redactRedisUrl} from '../live/live-logger.js';
import {RunIndex} from '../store/run-index.js';
import {COMMON_HELP, parseCommand, resolveHome, resolveRedisUrl} from './command-line.js';

const HELP = `
  Usage
    $ tracedeck serve [--port 4318] [--host 127.0.0.1] [--redis <url>]

  An OTLP/HTTP receiver: point any OpenTelemetry SDK or Collector at
  http://<host>:<port>${TRACES_PATH} (protobuf or JSON, gzip or not) and its
  traces become runs. The run id is the resource or span attribute
  devcmd.run_id, else the trace id. Prometheus metrics on GET ${METRICS_PATH}.
  Stops cleanly on Ctrl-C / SIGTERM (twice to stop at once).

  Options
    --port <n>          port to listen on (default 4318; 0 picks a free one)
    --host <addr>       address to bind (default 127.0.0.1; the receiver has no
                        authentication, so bind wider only on a trusted network)
    --redis <url>       also publish to Redis Streams for live views
                        (env TRACEDECK_REDIS_URL; default: SQLite alone)
    --max-body <MB>     largest request accepted, before and after gunzip (default ${DEFAULT_MAX_BODY_BYTES / (1024 * 1024)})
${COMMON_HELP}

  Examples
    $ tracedeck serve
    $ OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node --require @opentelemetry/auto-instrumentations-node/register app.js
    $ tracedeck serve --host 0.0.0.0 --port 4318 --redis redis://localhost:6379
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function listenError(error: unknown, host: string, port: number): Error {
	const code = (error as {code?: string}).code;
	if (code === 'EADDRINUSE') {
		return new TracedeckError(`port ${port} on ${host} is already in use (another collector?); pick another with --port`);
	}

	if (code === 'EACCES') {
		return new TracedeckError(`not allowed to listen on ${host}:${port}; ports under 1024 need privileges, pick another with --port`);
	}

	if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
		return new InputError(`--host ${host} is not an address of this machine`);
	}

	return error instanceof Error ? error : new Error(String(error));
}

/** Resolves with the first SIGINT or SIGTERM; a second one gets the default action (exit at once). */
function shutdownSignal(): Promise<NodeJS.Signals> {
	return new Promise(resolve => {
		const onSignal = (signal: NodeJS.Signals): void => {
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			resolve(signal);
		};

		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
	});
}

/** /metrics with the publisher's failure count brought up to date at each scrape. */
async function openMetrics(index: RunIndex, publisher: EventPublisher): Promise<ReceiverMetrics> {
	// Loaded here so that no other command pays for prom-client.
	const {TracedeckMetrics} = await import('../interop/prometheus-metrics.js');
	const metrics = new TracedeckMetrics(index);
	return {
		recordEvents: n => metrics.recordEvents(n),
		recordIngestError: () => metrics.recordIngestError(),
		observeStreamLatency: ms => metrics.observeStreamLatency(ms),
		contentType: metrics.contentType,
		async render() {
			metrics.setRedisWriteFailures(publisher.failures);
			return metrics.render();
		},
	};
}

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {
		port: {type: 'number', default: 4318},
		host: {type: 'string', default: '127.0.0.1'},
		redis: {type: 'string'},
		maxBody: {type: 'number', default: DEFAULT_MAX_BODY_BYTES / (1024 * 1024)},
	});
	const {flags} = cli;
	if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65_535) {
		throw new InputError('--port must be a whole number from 0 to 65535');
	}

	if (!(flags.maxBody > 0)) {
		throw new InputError('--max-body must be a positive number of megabytes');
	}

	const home = resolveHome(flags.home);
	const redisUrl = resolveRedisUrl(flags.redis);
	const index = RunIndex.open(home);
	let publisher: EventPublisher = NO_PUBLISHER;
	let receiver: OtlpReceiver | undefined;
	try {
		publisher = await openPublisher(redisUrl);
		const writer = new EventWriter(index, publisher);
		const metrics = await openMetrics(index, publisher);
		try {
			receiver = await startOtlpReceiver({port: flags.port, host: flags.host, sink: writer, metrics, maxBodyBytes: Math.round(flags.maxBody * 1024 * 1024)});
		} catch (error) {
			throw listenError(error, flags.host, flags.port);
		}

		const signal = shutdownSignal();

		const live = redisUrl === undefined ? 'live streams off (no --redis)' : `live streams on ${redactRedisUrl(redisUrl)}`;
		process.stderr.write(`tracedeck serve: listening on ${receiver.url} (POST ${TRACES_PATH}, GET ${METRICS_PATH}); home ${home}; ${live}\n`);
		if (!LOOPBACK.has(flags.host)) {
			process.stderr.write(`tracedeck serve: warning: bound to ${flags.host} without authentication; anyone who can reach it can write runs\n`);
		}

		const received = await signal;
		process.stderr.write(`tracedeck serve: ${received}, finishing requests in flight…\n`);
	} finally {
		await receiver?.close();
		await publisher.close();
		index.close();
	}

	process.stderr.write('tracedeck serve: stopped\n');
	return 0;
}
