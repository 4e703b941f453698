import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {after, before, describe, it} from 'node:test';
import {PART_EVENTS, PART_SIZE, TraceIntake} from '../../source/interop/otlp-intake.js';
import type {EventSink} from '../../source/live/event-sink.js';
import type {OtlpTracesJson} from '../../source/interop/otlp-json.js';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const nanos = (ms: number): string => `${BigInt(T0 + ms) * 1_000_000n}`;
const hex16 = (n: number): string => n.toString(16).padStart(16, '0');

/** One trace of `spans` spans under one root that spans them all, as an SDK batches them: children first, the root last. */
export function bigTrace(traceId: string, runId: string, spans: number): OtlpTracesJson {
	const list: Array<Record<string, unknown>> = [];
	for (let i = 1; i < spans; i++) {
		list.push({traceId, spanId: hex16(i + 1), parentSpanId: hex16(1), name: `step ${i % 50}`, startTimeUnixNano: nanos(i), endTimeUnixNano: nanos(i + 1)});
	}

	list.push({traceId, spanId: hex16(1), name: 'bulk load', startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(spans + 1)});
	return {resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: runId}}]}, scopeSpans: [{spans: list as never}]}]};
}

/** A small export: one span in a trace of its own. */
function smallExport(n: number): Uint8Array {
	const traceId = `${hex16(0xabc)}${hex16(n)}`;
	return encodeExportTraceRequest({resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: `run-small-${n}`}}]}, scopeSpans: [{spans: [{traceId, spanId: hex16(n + 1), name: 'ping', startTimeUnixNano: nanos(0), endTimeUnixNano: nanos(1)} as never]}]}]});
}

interface Answer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

function post(url: string, body: Uint8Array, options: {agent?: http.Agent; path?: string; type?: string} = {}): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const request = http.request(`${url}${options.path ?? '/v1/traces'}`, {method: 'POST', agent: options.agent, headers: {'Content-Type': options.type ?? 'application/x-protobuf', 'Content-Length': body.length}}, response => {
			let text = '';
			response.setEncoding('utf8').on('data', (chunk: string) => {
				text += chunk;
			});
			response.on('end', () => resolve({status: response.statusCode ?? 0, headers: response.headers, body: text}));
		});
		request.once('error', reject);
		request.end(body);
	});
}

const count = (index: RunIndex, sql: string): number => index.db.prepare(sql).pluck().get() as number;

describe('serve under load', () => {
	// 50,000: the big post takes long enough for dozens of small ones (the bench times 100,000 and their p99).
	const SPANS = Number(process.env['LOAD_SPANS'] ?? 50_000);
	let index: RunIndex;
	let intake: TraceIntake;
	let receiver: OtlpReceiver;
	// Generated once: encoding 50,000 spans takes a while itself.
	const big = encodeExportTraceRequest(bigTrace('5b8efff798038103d269b633813fc60c', 'run-bulk', SPANS));

	before(async () => {
		index = RunIndex.open(tempHome());
		intake = new TraceIntake({sink: new EventWriter(new SqliteStore(index), undefined, {partEvents: PART_EVENTS, partSize: PART_SIZE}), log: () => {}});
		receiver = await startOtlpReceiver({port: 0, intake, log: () => {}});
	});

	after(async () => {
		await receiver.close();
		index.close();
	});

	it('serve under load: a keep-alive client posting small batches is answered while 50k spans are stored, and no request is lost', {timeout: 180_000}, async () => {
		const agent = new http.Agent({keepAlive: true, maxSockets: 1});
		let bigDone = false;
		const bigAnswer = post(receiver.url, big).finally(() => {
			bigDone = true;
		});
		// The small posts start once the big body is in (its bytes held by the intake): from then on it is being decoded and stored.
		while (intake.load().bytes < big.length && !bigDone) {
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		const small: Array<{n: number; status: number; whileBig: boolean}> = [];
		for (let n = 0; !bigDone; n++) {
			const answer = await post(receiver.url, smallExport(n), {agent});
			small.push({n, status: answer.status, whileBig: !bigDone});
		}

		const answer = await bigAnswer;
		agent.destroy();
		assert.equal(answer.status, 200, answer.body);
		assert.deepEqual(
			small.filter(s => s.status !== 200),
			[],
			'every small post answered 200 (no reset, no error)',
		);
		const answeredWhileBig = small.filter(s => s.whileBig).length;
		assert.ok(answeredWhileBig >= 5, `small posts answered before the big one finished: ${answeredWhileBig}`);
		// Nothing lost: every span of every request is stored, and the big run is summarized whole.
		assert.equal(count(index, "SELECT count(*) FROM spans WHERE trace_id = '5b8efff798038103d269b633813fc60c'"), SPANS);
		assert.equal(count(index, "SELECT count(*) FROM runs WHERE run_id LIKE 'run-small-%'"), small.length);
		const run = index.resolveRun('run-bulk');
		assert.equal(run.status, 'success');
		assert.deepEqual(run.progress, {completed: SPANS - 1, total: SPANS - 1});
	});
});

describe('serve under load: kept-alive connections', () => {
	// Node's 5 s keep-alive default fires late when the loop was held (a big part storing on a loaded machine)
	// and closes a socket whose client already sent its next request on it: ECONNRESET, an export lost. The
	// receiver keeps an idle connection for a minute; here one idle past 5 s still takes a request.
	it('a connection idle past 5 s still takes the next request on it', {timeout: 30_000}, async () => {
		const sink: EventSink = {
			async write(events) {
				return {inserted: events};
			},
		};
		const receiver = await startOtlpReceiver({port: 0, sink, log: () => {}});
		const socket = net.connect(receiver.port, '127.0.0.1');
		let closed = false;
		socket.on('close', () => {
			closed = true;
		});
		socket.on('error', () => undefined);
		const request = (n: number): Promise<string> =>
			new Promise(resolve => {
				const body = smallExport(n);
				let text = '';
				const onData = (chunk: Buffer) => {
					text += chunk.toString('latin1');
					if (/\r\n\r\n/.test(text) && text.length >= text.indexOf('\r\n\r\n') + 4 + Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0)) {
						socket.off('data', onData);
						resolve(text.split('\r\n')[0]!);
					}
				};
				socket.on('data', onData);
				socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`);
				socket.write(body);
			});
		try {
			assert.equal(await request(1), 'HTTP/1.1 200 OK');
			await new Promise(resolve => setTimeout(resolve, 7000));
			assert.equal(closed, false, 'the connection is still open');
			assert.equal(await request(2), 'HTTP/1.1 200 OK');
		} finally {
			socket.destroy();
			await receiver.close(100);
		}
	});
});

describe('serve under load: shedding', () => {
	let release!: () => void;
	let gate = Promise.resolve();
	const sink: EventSink = {
		async write(events) {
			await gate;
			return {inserted: events};
		},
	};
	let receiver: OtlpReceiver;

	before(async () => {
		receiver = await startOtlpReceiver({port: 0, sink, maxInFlightBytes: 150, maxConnections: 2, headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, log: () => {}});
	});

	after(async () => {
		await receiver.close(100);
	});

	it('serve under load: past the byte limit an export is answered 429 with Retry-After, and taken once the first is stored', async () => {
		gate = new Promise(resolve => {
			release = resolve;
		});
		const body = smallExport(1);
		assert.ok(body.length > 75 && body.length < 150, `${body.length} bytes: one fits, two do not`);
		const first = post(receiver.url, body);
		// The first holds its bytes while its write waits at the gate.
		await new Promise(resolve => setTimeout(resolve, 50));
		const second = await post(receiver.url, body);
		assert.equal(second.status, 429);
		assert.equal(second.headers['retry-after'], '1');
		assert.match(second.body, /MB of exports in progress/, "a google.rpc.Status in the request's encoding says why");
		release();
		assert.equal((await first).status, 200);
		assert.equal((await post(receiver.url, body)).status, 200, 'the retry is taken');
	});

	it('serve under load: a request on a connection past the limit is answered 503 with Retry-After and its connection closed', async () => {
		// The earlier tests' keep-alive connections (Node's global agent keeps them) count too: closed first.
		http.globalAgent.destroy();
		await new Promise(resolve => setTimeout(resolve, 50));
		const agents = [0, 1, 2].map(() => new http.Agent({keepAlive: true, maxSockets: 1}));
		try {
			const body = smallExport(2);
			assert.equal((await post(receiver.url, body, {agent: agents[0]})).status, 200);
			assert.equal((await post(receiver.url, body, {agent: agents[1]})).status, 200);
			const third = await post(receiver.url, body, {agent: agents[2]});
			assert.equal(third.status, 503);
			assert.equal(third.headers['retry-after'], '1');
			assert.equal(third.headers.connection, 'close');
			agents[0]!.destroy();
			// Once a connection has closed, a new one is taken.
			await new Promise(resolve => setTimeout(resolve, 50));
			assert.equal((await post(receiver.url, body, {agent: agents[2]})).status, 200);
		} finally {
			for (const agent of agents) {
				agent.destroy();
			}
		}
	});

	/** What the server sends on a raw connection before it closes it. */
	async function rawExchange(text: string): Promise<string> {
		const {port} = new URL(receiver.url);
		const socket = net.connect(Number(port), '127.0.0.1');
		let received = '';
		socket.setEncoding('utf8').on('data', (chunk: string) => {
			received += chunk;
		});
		socket.write(text);
		await new Promise<void>(resolve => {
			socket.once('close', () => resolve());
		});
		return received;
	}

	it('serve under load: headers that never finish (slow loris) and a body that stalls are answered 408 and closed', {timeout: 10_000}, async () => {
		const slowHeaders = await rawExchange('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
		assert.match(slowHeaders, /^HTTP\/1\.1 408/);
		const stalledBody = await rawExchange('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"resou');
		assert.match(stalledBody, /^HTTP\/1\.1 408/);
		assert.match(stalledBody, /stalled/);
	});
});
