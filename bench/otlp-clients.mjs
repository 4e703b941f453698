/**
 * The OTLP senders of the OTLP throughput bench, in a worker thread of their
 * own so that encoding and sending do not share the receiver's event loop:
 * `clients` concurrent senders, each posting its batches one after another
 * (an SDK's BatchSpanProcessor sends one export at a time), over OTLP/HTTP
 * protobuf or OTLP/gRPC. Requests are encoded before the clock starts, and
 * each sender's first `warmupBatches` exports go before it too, on the
 * connection the timed ones use: the first export of a sender pays for its
 * connection (and for the receiver's cold code), and counted among 320 it
 * was the bare server's whole p99 (the first export of each of the 8
 * senders, 130-140 ms against a p50 of 70).
 * Plain JS over the compiled dist, like rss-child.mjs: a worker does not
 * inherit the bench's TypeScript loader. The job and result shapes are
 * ClientJob and ClientResult in otlp-throughput.ts.
 */
import http from 'node:http';
import {parentPort, workerData} from 'node:worker_threads';
import {credentials, makeGenericClientConstructor} from '@grpc/grpc-js';
import {encodeExportTraceRequest} from '../dist/interop/otlp-protobuf.js';

const T0_NS = 1_772_445_600_000_000_000n;
const hex = (n, width) => n.toString(16).padStart(width, '0');

/** One export: traces of ten spans (a SERVER root and its CLIENT calls), attributes and an event as SDKs send them. */
function batch(job, client, index) {
	const spans = [];
	const prefix = job.idPrefix.padEnd(8, '0').slice(0, 8);
	for (let i = 0; i < job.spansPerBatch; i++) {
		const trace = Math.floor(i / 10);
		const traceId = `${prefix}${hex(client, 4)}${hex(index, 8)}${hex(trace, 12)}`;
		// client + 1: an all-zero span id is invalid OTLP (the first span of client 0 would be rejected).
		const spanId = `${hex(client + 1, 4)}${hex(index, 6)}${hex(i, 6)}`;
		const root = i % 10 === 0;
		const start = T0_NS + BigInt(index * 1_000_000_000 + i * 1_000_000);
		spans.push({
			traceId,
			spanId,
			...(root ? {} : {parentSpanId: `${hex(client + 1, 4)}${hex(index, 6)}${hex(trace * 10, 6)}`}),
			name: root ? 'POST /checkout' : 'SELECT orders',
			kind: root ? 2 : 3,
			startTimeUnixNano: String(start),
			endTimeUnixNano: String(start + 900_000n),
			attributes: root
				? [
						{key: 'http.request.method', value: {stringValue: 'POST'}},
						{key: 'url.path', value: {stringValue: '/checkout'}},
						{key: 'http.response.status_code', value: {intValue: '200'}},
					]
				: [
						{key: 'db.system', value: {stringValue: 'postgresql'}},
						{key: 'db.query.text', value: {stringValue: 'SELECT * FROM orders WHERE id = $1'}},
					],
			events: root ? [] : [{timeUnixNano: String(start + 100_000n), name: 'rows', attributes: [{key: 'count', value: {intValue: '3'}}]}],
			status: {code: 0},
		});
	}

	const document = {
		resourceSpans: [
			{
				resource: {
					attributes: [
						{key: 'service.name', value: {stringValue: 'checkout'}},
						{key: 'service.version', value: {stringValue: '4.1.0'}},
					],
				},
				scopeSpans: [{scope: {name: '@opentelemetry/instrumentation-http', version: '0.57.0'}, spans}],
			},
		],
	};
	return encodeExportTraceRequest(document);
}

function httpSender(address, agent) {
	const url = new URL('/v1/traces', address);
	return body =>
		new Promise(resolve => {
			const request = http.request(url, {method: 'POST', agent, headers: {'content-type': 'application/x-protobuf', 'content-length': body.length}}, response => {
				response.resume();
				response.once('end', () => resolve(response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}`));
			});
			request.once('error', error => resolve(error.message));
			request.end(body);
		});
}

const identity = bytes => bytes;

function grpcSender(address) {
	const Constructor = makeGenericClientConstructor(
		{
			export: {
				path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
				requestStream: false,
				responseStream: false,
				requestSerialize: identity,
				requestDeserialize: identity,
				responseSerialize: identity,
				responseDeserialize: identity,
			},
		},
		'RawTraceExport',
	);
	const client = new Constructor(address, credentials.createInsecure());
	return {
		send: body =>
			new Promise(resolve => {
				client.export(Buffer.from(body), error => resolve(error ? `gRPC ${error.code}: ${error.details}` : undefined));
			}),
		close: () => client.close(),
	};
}

async function run(job) {
	const warmup = job.warmupBatches ?? 0;
	const all = Array.from({length: job.clients}, (_, c) => Array.from({length: warmup + job.batchesPerClient}, (_, b) => batch(job, c, b)));
	// Each sender has its connection, as separate SDK processes would.
	const agents = all.map(() => new http.Agent({keepAlive: true, maxSockets: 1}));
	const grpcs = job.transport === 'grpc' ? all.map(() => grpcSender(job.address)) : [];
	const senders = job.transport === 'grpc' ? grpcs.map(g => g.send) : agents.map(agent => httpSender(job.address, agent));
	let failures = 0;
	let firstFailure;
	const count = failure => {
		if (failure !== undefined) {
			failures++;
			firstFailure ??= failure;
		}
	};

	// The warm-up, back to back on each sender's connection; the clock starts once every sender is through it.
	await Promise.all(
		all.map(async (list, c) => {
			for (const body of list.slice(0, warmup)) {
				// eslint-disable-next-line no-await-in-loop
				count(await senders[c](body));
			}
		}),
	);
	const bodies = all.map(list => list.slice(warmup));
	const latencies = [];
	const start = performance.now();
	await Promise.all(
		bodies.map(async (list, c) => {
			for (const [b, body] of list.entries()) {
				if (job.intervalMs !== undefined) {
					// Paced: sender c's b-th export leaves at its slot (the senders staggered over one interval), as
					// SDK exporters on a timer do; one that is late (the last still unanswered) leaves at once.
					const wait = start + (c / job.clients + b) * job.intervalMs - performance.now();
					if (wait > 0) {
						// eslint-disable-next-line no-await-in-loop
						await new Promise(resolve => setTimeout(resolve, wait));
					}
				}

				const sent = performance.now();
				// eslint-disable-next-line no-await-in-loop
				const failure = await senders[c](body);
				latencies.push(performance.now() - sent);
				count(failure);
			}
		}),
	);
	const elapsedMs = performance.now() - start;
	for (const agent of agents) {
		agent.destroy();
	}

	for (const g of grpcs) {
		g.close();
	}

	latencies.sort((a, b) => a - b);
	const p99Ms = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? 0;
	return {elapsedMs, requests: job.clients * job.batchesPerClient, failures, p99Ms, ...(firstFailure === undefined ? {} : {firstFailure})};
}

if (parentPort) {
	parentPort.postMessage(await run(workerData));
}
