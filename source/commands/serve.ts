import {InputError, TracedeckError} from '../core/errors.js';
import {CorsOriginError, CorsPolicy} from '../interop/cors.js';
import type {OtlpGrpcServer} from '../interop/otlp-grpc-server.js';
import {DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_BYTES, PART_EVENTS, PART_SIZE, TraceIntake} from '../interop/otlp-intake.js';
import {MetricsRejection} from '../interop/otlp-metrics-rejection.js';
import {DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, HEALTH_PATH, LOGS_PATH, METRICS_PATH, OTLP_METRICS_PATH, startOtlpReceiver, TRACES_PATH, type HealthCheck, type OtlpReceiver, type ReceiverMetrics} from '../interop/otlp-receiver.js';
import {readTlsFiles, TlsFilesError, type TlsFiles} from '../interop/tls-files.js';
import {NO_PUBLISHER, type EventPublisher} from '../live/event-publisher.js';
import {stuckAfterMs} from '../live/active-runs.js';
import {openPublisher} from '../live/open-publisher.js';
import {EventWriter} from '../live/event-writer.js';
import {redactRedisUrl} from '../live/live-logger.js';
import type {Store} from '../store/store.js';
import {openCommandStore} from './command-store.js';
import {resolveRedisUrl} from '../live/settings.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {resolveToken} from '../live/settings.js';

const HELP = `
  Usage
    $ tracedeck serve [--port 4318] [--grpc-port 4317] [--host 127.0.0.1] [--redis <url>]
                      [--token <t>] [--tls-cert <pem> --tls-key <pem>]

  An OTLP receiver: point any OpenTelemetry SDK or Collector at
  http://<host>:<port>${TRACES_PATH} (OTLP/HTTP, protobuf or JSON, gzip or not)
  or at <host>:<grpc-port> (OTLP/gRPC, gzip or not) and its traces become
  runs. The run id is the resource or span attribute devcmd.run_id, else the
  trace id. Metrics (${OTLP_METRICS_PATH}, gRPC MetricsService) are answered with a
  rejection that says why: tracedeck does not store metrics; send them to
  Prometheus.
  Prometheus metrics of tracedeck itself on GET ${METRICS_PATH}; GET ${HEALTH_PATH}
  answers 200 {"status":"ok"} while the store can be read (503 when not),
  without a token. Large exports are stored in parts, so others are answered
  meanwhile; an export is acknowledged once all of it is stored.
  Stops cleanly on Ctrl-C / SIGTERM (twice to stop at once).

  Options
    --port <n>          OTLP/HTTP port (default 4318; 0 picks a free one)
    --grpc-port <n>     OTLP/gRPC port (default 4317; 0 turns gRPC off)
    --host <addr>       address to bind (default 127.0.0.1; bind wider with a
                        --token, or only on a trusted network)
    --token <t>         require Authorization: Bearer <t> on every OTLP path and
                        ${METRICS_PATH} (gRPC: authorization metadata); 401 /
                        UNAUTHENTICATED otherwise (env TRACEDECK_TOKEN)
    --tls-cert <file>   serve HTTPS and gRPC over TLS with this PEM certificate
    --tls-key <file>    (chain) and its PEM private key; both or neither
    --redis <url>       also publish to Redis Streams for live views
                        (env TRACEDECK_REDIS_URL; default: SQLite alone)
    --max-body <MB>     largest request or gRPC message accepted, before and
                        after decompression (default ${DEFAULT_MAX_BODY_BYTES / (1024 * 1024)})
    --max-inflight <n>  exports in progress at once, HTTP and gRPC together;
                        more are turned away to retry shortly (HTTP 429,
                        gRPC RESOURCE_EXHAUSTED with RetryInfo) (default ${DEFAULT_MAX_IN_FLIGHT})
    --max-inflight-mb <MB>  request bytes being read, decoded or stored at
                        once, both transports; more are turned away the same
                        way (default ${DEFAULT_MAX_IN_FLIGHT_BYTES / (1024 * 1024)}; an export alone always fits)
    --max-connections <n>  HTTP connections at once; a request on one more is
                        answered 503 with Retry-After (default ${DEFAULT_MAX_CONNECTIONS})
    --cors-origin <o>   let browser exporters on origin <o> post (CORS preflight
                        answered); repeat it or give a comma list; * for any
                        origin (default: none, no CORS headers)
${COMMON_HELP}

  Examples
    $ tracedeck serve
    $ OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node --require @opentelemetry/auto-instrumentations-node/register app.js
    $ OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 node app.js
    $ tracedeck serve --cors-origin http://localhost:3000
    $ tracedeck serve --host 0.0.0.0 --port 4318 --redis redis://localhost:6379 --token "$TRACEDECK_TOKEN"
    $ tracedeck serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --token s3cret
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function listenError(error: unknown, host: string, port: number, flag: '--port' | '--grpc-port'): Error {
	const code = (error as {code?: string}).code;
	const orOff = flag === '--grpc-port' ? ', or --grpc-port 0 for OTLP/HTTP alone' : '';
	if (code === 'EADDRINUSE') {
		return new TracedeckError(`port ${port} on ${host} is already in use (another collector?); pick another with ${flag}${orOff}`);
	}

	if (code === 'EACCES') {
		return new TracedeckError(`not allowed to listen on ${host}:${port}; ports under 1024 need privileges, pick another with ${flag}${orOff}`);
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

/**
 * How long serve waits for a run index another process has locked before it
 * answers 503 with Retry-After: a sender's retry is cheaper than a request
 * (and its memory) held for the emitter's 10 s.
 */
const STORE_PATIENCE_MS = 1000;

/** /healthz: a read on the run index (works in WAL mode while another process writes, and on PostgreSQL). */
export function storeHealth(store: Pick<Store, 'maxEventId'>): HealthCheck {
	return async () => {
		try {
			await store.maxEventId();
			return {ok: true};
		} catch (error) {
			return {ok: false, problem: error instanceof Error ? error.message : String(error)};
		}
	};
}

function tlsOf(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
	try {
		return readTlsFiles(certFile, keyFile);
	} catch (error) {
		throw error instanceof TlsFilesError ? new InputError(error.message) : error;
	}
}

/** /metrics with the publisher's failure count brought up to date at each scrape. */
async function openMetrics(store: Store, publisher: EventPublisher): Promise<ReceiverMetrics> {
	// Loaded here so that no other command pays for prom-client.
	const {TracedeckMetrics} = await import('../interop/prometheus-metrics.js');
	// The console's threshold, so that tracedeck_stuck_runs counts the runs the console marks stuck.
	const metrics = new TracedeckMetrics(store, {stuckAfterMs: stuckAfterMs()});
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
	const cli = await parseFlags(argv, HELP, {
		port: {type: 'number', default: 4318},
		host: {type: 'string', default: '127.0.0.1'},
		redis: {type: 'string'},
		maxBody: {type: 'number', default: DEFAULT_MAX_BODY_BYTES / (1024 * 1024)},
		grpcPort: {type: 'number', default: 4317},
		maxInflight: {type: 'number', default: DEFAULT_MAX_IN_FLIGHT},
		corsOrigin: {type: 'string', isMultiple: true},
		token: {type: 'string'},
		tlsCert: {type: 'string'},
		tlsKey: {type: 'string'},
		maxInflightMb: {type: 'number', default: DEFAULT_MAX_IN_FLIGHT_BYTES / (1024 * 1024)},
		maxConnections: {type: 'number', default: DEFAULT_MAX_CONNECTIONS},
	});
	const {flags} = cli;
	for (const [flag, value] of [
		['--port', flags.port],
		['--grpc-port', flags.grpcPort],
	] as const) {
		if (!Number.isInteger(value) || value < 0 || value > 65_535) {
			throw new InputError(`${flag} must be a whole number from 0 to 65535`);
		}
	}

	if (!(flags.maxBody > 0)) {
		throw new InputError('--max-body must be a positive number of megabytes');
	}

	if (!Number.isInteger(flags.maxInflight) || flags.maxInflight < 1) {
		throw new InputError('--max-inflight must be a whole number of exports, 1 or more');
	}

	if (!(flags.maxInflightMb > 0)) {
		throw new InputError('--max-inflight-mb must be a positive number of megabytes');
	}

	if (!Number.isInteger(flags.maxConnections) || flags.maxConnections < 1) {
		throw new InputError('--max-connections must be a whole number of connections, 1 or more');
	}

	const token = resolveToken(flags.token);
	const tls = tlsOf(flags.tlsCert, flags.tlsKey);
	let cors: CorsPolicy;
	try {
		cors = CorsPolicy.parse(flags.corsOrigin ?? []);
	} catch (error) {
		throw error instanceof CorsOriginError ? new InputError(`--cors-origin ${error.message}`) : error;
	}

	const redisUrl = resolveRedisUrl(flags.redis);
	const store = await openCommandStore(flags);
	let publisher: EventPublisher = NO_PUBLISHER;
	let receiver: OtlpReceiver | undefined;
	let grpc: OtlpGrpcServer | undefined;
	try {
		publisher = await openPublisher(redisUrl);
		// Large exports in parts, with the event loop free between them; a lock waited out for a second at most, then 503.
		// Concurrent requests share a transaction (group commit); each is still answered only once stored.
		const writer = new EventWriter(store, publisher, {partEvents: PART_EVENTS, partSize: PART_SIZE, patienceMs: STORE_PATIENCE_MS, groupCommit: true});
		// No WAL checkpoint on the event loop, where it would stall every request in flight.
		store.checkpointInBackground?.();
		const metrics = await openMetrics(store, publisher);
		// One of each for both transports: one in-flight limit, one metrics warning.
		const intake = new TraceIntake({sink: writer, metrics, maxInFlight: flags.maxInflight, maxInFlightBytes: Math.round(flags.maxInflightMb * 1024 * 1024)});
		const metricsRejection = new MetricsRejection();
		const maxBodyBytes = Math.round(flags.maxBody * 1024 * 1024);
		try {
			receiver = await startOtlpReceiver({port: flags.port, host: flags.host, intake, metrics, metricsRejection, cors, maxBodyBytes, token, tls, health: storeHealth(store), maxConnections: flags.maxConnections});
		} catch (error) {
			throw listenError(error, flags.host, flags.port, '--port');
		}

		if (flags.grpcPort !== 0) {
			// Loaded here so that a serve without gRPC does not pay for grpc-js.
			const {startOtlpGrpcServer} = await import('../interop/otlp-grpc-server.js');
			try {
				grpc = await startOtlpGrpcServer({port: flags.grpcPort, host: flags.host, intake, metricsRejection, maxMessageBytes: maxBodyBytes, token, tls});
			} catch (error) {
				throw listenError(error, flags.host, flags.grpcPort, '--grpc-port');
			}
		}

		const signal = shutdownSignal();

		const live = redisUrl === undefined ? 'live streams off (no --redis)' : `live streams on ${redactRedisUrl(redisUrl)}`;
		const auth = token === undefined ? 'no token' : 'bearer token required';
		process.stderr.write(`tracedeck serve: listening on ${receiver.url} (OTLP/HTTP: POST ${TRACES_PATH}, ${LOGS_PATH}, ${OTLP_METRICS_PATH}; GET ${METRICS_PATH}, ${HEALTH_PATH}); ${auth}; index ${store.location}; ${live}\n`);
		process.stderr.write(grpc ? `tracedeck serve: OTLP/gRPC listening on ${grpc.address} (TraceService, MetricsService; exporters take ${tls ? 'https' : 'http'}://${grpc.address})\n` : 'tracedeck serve: OTLP/gRPC off (--grpc-port 0)\n');
		if (cors.enabled) {
			process.stderr.write(`tracedeck serve: cross-origin posts allowed from ${cors.describe()}\n`);
		}

		if (!LOOPBACK.has(flags.host) && token === undefined) {
			process.stderr.write(`tracedeck serve: warning: bound to ${flags.host} without a token; anyone who can reach it can write runs (set --token or TRACEDECK_TOKEN)\n`);
		}

		const received = await signal;
		process.stderr.write(`tracedeck serve: ${received}, finishing requests in flight…\n`);
	} finally {
		await Promise.all([receiver?.close(), grpc?.close()]);
		await publisher.close();
		await store.close();
	}

	process.stderr.write('tracedeck serve: stopped\n');
	return 0;
}
