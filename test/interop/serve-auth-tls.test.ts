import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {status as GrpcStatus} from '@grpc/grpc-js';
import {startOtlpGrpcServer, type OtlpGrpcServer} from '../../source/interop/otlp-grpc-server.js';
import {TRACE_EXPORT_PATH} from '../../source/interop/otlp-grpc-service.js';
import {TraceIntake} from '../../source/interop/otlp-intake.js';
import type {EventSink} from '../../source/live/event-sink.js';
import {MetricsRejection} from '../../source/interop/otlp-metrics-rejection.js';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {startOtlpReceiver, type OtlpReceiver, type ReceiverMetrics} from '../../source/interop/otlp-receiver.js';
import {tempHome} from '../helpers/temp-home.js';
import {rawClient} from './grpc-test-client.js';
import {runSourceCli} from '../helpers/source-cli.js';

const TOKEN = 'tok-3f2a9c1e';
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const request = encodeExportTraceRequest({resourceSpans: [{resource: {attributes: []}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'deploy', startTimeUnixNano: `${T0}000000`, endTimeUnixNano: `${T0 + 5}000000`} as never]}]}]});

const stored: number[] = [];
const sink: EventSink = {
	async write(events) {
		stored.push(events.length);
		return {inserted: events};
	},
};
const metrics: ReceiverMetrics = {recordEvents() {}, recordIngestError() {}, observeStreamLatency() {}, contentType: 'text/plain', render: async () => 'tracedeck_events_total 0\n'};

/** A self-signed certificate for localhost and 127.0.0.1, made for this test. */
function selfSigned(dir: string): {certFile: string; keyFile: string; cert: Buffer; key: Buffer} {
	const certFile = path.join(dir, 'cert.pem');
	const keyFile = path.join(dir, 'key.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], {stdio: 'ignore'});
	return {certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile)};
}

interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

function httpsRequest(url: string, options: {ca: Buffer; method?: string; token?: string; body?: Uint8Array}): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = {'Content-Type': 'application/x-protobuf'};
		if (options.token !== undefined) {
			headers['Authorization'] = `Bearer ${options.token}`;
		}

		const call = https.request(url, {method: options.method ?? 'GET', ca: options.ca, headers}, response => {
			let text = '';
			response.setEncoding('utf8').on('data', (chunk: string) => {
				text += chunk;
			});
			response.on('end', () => resolve({status: response.statusCode ?? 0, headers: response.headers, body: text}));
		});
		call.once('error', reject);
		call.end(options.body);
	});
}

describe('auth', () => {
	let receiver: OtlpReceiver;
	let grpc: OtlpGrpcServer;

	before(async () => {
		const intake = new TraceIntake({sink, log: () => {}});
		receiver = await startOtlpReceiver({port: 0, intake, metrics, token: TOKEN, log: () => {}});
		grpc = await startOtlpGrpcServer({port: 0, intake, metricsRejection: new MetricsRejection(() => {}), token: TOKEN, log: () => {}});
	});

	after(async () => {
		await Promise.all([receiver.close(), grpc.close()]);
	});

	const post = (headers: Record<string, string>, path = '/v1/traces'): Promise<Response> => fetch(`${receiver.url}${path}`, {method: 'POST', body: request, headers: {'Content-Type': 'application/x-protobuf', ...headers}});

	it('auth: OTLP/HTTP answers 401 with WWW-Authenticate without the token (or with a wrong one), 200 with it; /metrics too; /healthz needs none', async () => {
		const before = stored.length;
		for (const headers of [{}, {Authorization: 'Bearer wrong'}, {Authorization: `Basic ${TOKEN}`}, {Authorization: `Bearer ${TOKEN}x`}] as Array<Record<string, string>>) {
			const answer = await post(headers);
			assert.equal(answer.status, 401, JSON.stringify(headers));
			assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="tracedeck"');
		}

		assert.equal(stored.length, before, 'nothing stored without the token');
		assert.equal((await post({Authorization: `Bearer ${TOKEN}`})).status, 200);
		assert.equal((await post({Authorization: `bearer ${TOKEN}`})).status, 200, 'the scheme in any case');
		assert.equal(stored.length, before + 2);
		assert.equal((await post({}, '/v1/metrics')).status, 401);
		assert.equal((await fetch(`${receiver.url}/metrics`)).status, 401);
		assert.equal((await fetch(`${receiver.url}/metrics`, {headers: {Authorization: `Bearer ${TOKEN}`}})).status, 200);
		assert.equal((await fetch(`${receiver.url}/nowhere`)).status, 401, 'unknown paths tell nothing without the token');
		const health = await fetch(`${receiver.url}/healthz`);
		assert.equal(health.status, 200);
		assert.deepEqual(await health.json(), {status: 'ok'});
	});

	it('auth: OTLP/gRPC answers UNAUTHENTICATED without the authorization metadata, OK with it', async () => {
		for (const token of [undefined, 'wrong']) {
			const client = rawClient(grpc.address, TRACE_EXPORT_PATH, {token});
			try {
				const {error} = await client.call(request);
				assert.equal(error?.code, GrpcStatus.UNAUTHENTICATED, String(token));
			} finally {
				client.close();
			}
		}

		const client = rawClient(grpc.address, TRACE_EXPORT_PATH, {token: TOKEN});
		try {
			assert.equal((await client.call(request)).error, undefined);
		} finally {
			client.close();
		}
	});
});

describe('TLS', () => {
	const home = tempHome();
	const tls = selfSigned(home);
	let receiver: OtlpReceiver;
	let grpc: OtlpGrpcServer;

	before(async () => {
		const intake = new TraceIntake({sink, log: () => {}});
		receiver = await startOtlpReceiver({port: 0, intake, token: TOKEN, tls: {cert: tls.cert, key: tls.key}, log: () => {}});
		grpc = await startOtlpGrpcServer({port: 0, intake, metricsRejection: new MetricsRejection(() => {}), token: TOKEN, tls: {cert: tls.cert, key: tls.key}, log: () => {}});
	});

	after(async () => {
		await Promise.all([receiver.close(), grpc.close()]);
	});

	it('TLS: OTLP/HTTP over https with a self-signed certificate (and the token)', async () => {
		assert.match(receiver.url, /^https:\/\/127\.0\.0\.1:\d+$/);
		assert.equal((await httpsRequest(`${receiver.url}/healthz`, {ca: tls.cert})).status, 200);
		assert.equal((await httpsRequest(`${receiver.url}/v1/traces`, {ca: tls.cert, method: 'POST', body: request})).status, 401);
		assert.equal((await httpsRequest(`${receiver.url}/v1/traces`, {ca: tls.cert, method: 'POST', body: request, token: TOKEN})).status, 200);
		// A client that does not trust the certificate does not get through.
		await assert.rejects(fetch(`${receiver.url}/healthz`));
	});

	it('TLS: OTLP/gRPC over TLS with the same certificate', async () => {
		const client = rawClient(grpc.address, TRACE_EXPORT_PATH, {token: TOKEN, ca: tls.cert});
		try {
			assert.equal((await client.call(request)).error, undefined);
		} finally {
			client.close();
		}

		const plaintext = rawClient(grpc.address, TRACE_EXPORT_PATH, {token: TOKEN});
		try {
			assert.equal((await plaintext.call(request)).error?.code, GrpcStatus.UNAVAILABLE, 'a plaintext client cannot talk to it');
		} finally {
			plaintext.close();
		}
	});

	it('TLS: serve refuses half a pair or an unreadable file with one usage line (exit 2)', () => {
		for (const [args, message] of [
			[['--tls-cert', tls.certFile], /^tracedeck: --tls-cert and --tls-key go together; --tls-key is missing\n$/],
			[['--tls-cert', tls.certFile, '--tls-key', path.join(home, 'missing.pem')], /^tracedeck: --tls-key \S+missing\.pem: cannot read it \(ENOENT\)\n$/],
			[['--token', ''], /^tracedeck: --token is empty/],
		] as const) {
			const result = runSourceCli(['serve', '--port', '0', '--grpc-port', '0', ...args], {home});
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, message);
		}
	});
});
