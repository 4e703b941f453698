import assert from 'node:assert/strict';
import http from 'node:http';
import {after, before, describe, it} from 'node:test';
import {CorsOriginError, CorsPolicy} from '../../source/interop/cors.js';
import {countJsonDataPoints, countProtobufDataPoints, decodeExportMetricsResponse, METRICS_REJECTED_MESSAGE, MetricsRejection, OtlpMetricsError} from '../../source/interop/otlp-metrics-rejection.js';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {encodeMetricsRequest, handMadeMetrics} from './metrics-requests.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const traceDocument = {resourceSpans: [{resource: {attributes: [{key: 'devcmd.run_id', value: {stringValue: 'run-cors'}}]}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'only', startTimeUnixNano: `${T0}000000`, endTimeUnixNano: `${T0 + 5}000000`}]}]}]};

interface Answer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/** A plain node:http request (fetch would not let a test set Origin as a browser does). */
function request(url: string, method: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const outgoing = http.request(url, {method, headers}, response => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve({status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks)}));
		});
		outgoing.once('error', reject);
		outgoing.end(body);
	});
}

const corsHeaders = (headers: http.IncomingHttpHeaders): string[] =>
	Object.keys(headers)
		.filter(name => name.startsWith('access-control-'))
		.sort();

describe('counting metric data points', () => {
	it('counts every kind of data point, in JSON and in protobuf', () => {
		const {request: document, dataPoints} = handMadeMetrics();
		assert.equal(countJsonDataPoints(document), dataPoints);
		assert.equal(countProtobufDataPoints(encodeMetricsRequest(document)), dataPoints);
		assert.equal(countJsonDataPoints({resourceMetrics: []}), 0);
		assert.equal(countProtobufDataPoints(new Uint8Array()), 0, 'an empty message is an empty request');
	});

	it('refuses what is not a metrics export, saying where', () => {
		assert.throws(() => countJsonDataPoints({resourceSpans: []}), OtlpMetricsError);
		assert.throws(() => countJsonDataPoints({resourceMetrics: [{scopeMetrics: {}}]}), /resourceMetrics\.0\.scopeMetrics: expected an array/);
		assert.throws(() => countJsonDataPoints({resourceMetrics: [{scopeMetrics: [{metrics: [{sum: {dataPoints: 3}}]}]}]}), /resourceMetrics\.0\.scopeMetrics\.0\.metrics\.0\.sum\.dataPoints: expected an array/);
		assert.throws(() => countProtobufDataPoints(new Uint8Array([0x0a, 0x05, 0x01])), /not an OTLP ExportMetricsServiceRequest/);
	});
});

describe('OTLP/HTTP /v1/metrics', () => {
	const warnings: string[] = [];
	let receiver: OtlpReceiver;

	before(async () => {
		receiver = await startOtlpReceiver({port: 0, sink: {write: async events => ({inserted: events})}, metricsRejection: new MetricsRejection(line => warnings.push(line)), log: () => {}});
	});

	after(async () => {
		await receiver.close();
	});

	it('answers JSON with a partial success rejecting every data point, and says why', async () => {
		const {request: document, dataPoints} = handMadeMetrics();
		const response = await fetch(`${receiver.url}/v1/metrics`, {method: 'POST', body: JSON.stringify(document), headers: {'Content-Type': 'application/json'}});
		assert.equal(response.status, 200);
		// OTLP/JSON writes int64 as a string.
		assert.deepEqual(await response.json(), {partialSuccess: {rejectedDataPoints: String(dataPoints), errorMessage: METRICS_REJECTED_MESSAGE}});
	});

	it('answers protobuf likewise, and warns once for all of them', async () => {
		const {request: document, dataPoints} = handMadeMetrics();
		for (let i = 0; i < 2; i++) {
			const response = await fetch(`${receiver.url}/v1/metrics`, {method: 'POST', body: encodeMetricsRequest(document), headers: {'Content-Type': 'application/x-protobuf'}});
			assert.equal(response.status, 200);
			assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
			assert.deepEqual(decodeExportMetricsResponse(new Uint8Array(await response.arrayBuffer())).partialSuccess, {rejectedDataPoints: dataPoints, errorMessage: METRICS_REJECTED_MESSAGE});
		}

		assert.equal(warnings.length, 1);
		assert.match(warnings[0]!, /^tracedeck serve: warning: OTLP metrics received on OTLP\/HTTP \/v1\/metrics \(7 data points\)/);
		assert.match(METRICS_REJECTED_MESSAGE, /tracedeck stores traces and logs.*send metrics to Prometheus/);
	});

	it('answers 400 for a body that is not a metrics export, 405 and 415 as for traces', async () => {
		const bad = await fetch(`${receiver.url}/v1/metrics`, {method: 'POST', body: '{"resourceSpans": []}', headers: {'Content-Type': 'application/json'}});
		assert.equal(bad.status, 400);
		assert.match(((await bad.json()) as {message: string}).message, /resourceMetrics/);
		assert.equal((await fetch(`${receiver.url}/v1/metrics`)).status, 405);
		assert.equal((await fetch(`${receiver.url}/v1/metrics`, {method: 'POST', body: 'x', headers: {'Content-Type': 'text/plain'}})).status, 415);
	});
});

describe('CorsPolicy.parse', () => {
	it('takes repeated values and comma lists, and compares origins as browsers send them', () => {
		const policy = CorsPolicy.parse(['https://App.Example.com:443/', 'http://localhost:3000, http://127.0.0.1:8080']);
		assert.equal(policy.describe(), 'https://app.example.com, http://localhost:3000, http://127.0.0.1:8080');
		assert.equal(policy.responseHeaders('https://app.example.com')['Access-Control-Allow-Origin'], 'https://app.example.com');
		assert.equal(policy.responseHeaders('http://localhost:3001')['Access-Control-Allow-Origin'], undefined);
		assert.equal(CorsPolicy.parse([]).enabled, false);
	});

	it('refuses what is not an origin', () => {
		for (const value of ['https://app.example.com/page', 'ftp://files.example.com', 'app.example.com', 'https://user:pw@app.example.com', 'https://app.example.com/?a=1']) {
			assert.throws(() => CorsPolicy.parse([value]), CorsOriginError, value);
		}
	});
});

describe('OTLP/HTTP CORS', () => {
	const allowed = 'http://localhost:3000';
	let receiver: OtlpReceiver;
	let off: OtlpReceiver;
	let any: OtlpReceiver;
	const sink = {write: async (events: readonly unknown[]) => ({inserted: events})};

	before(async () => {
		receiver = await startOtlpReceiver({port: 0, sink, log: () => {}, cors: CorsPolicy.parse([allowed, 'https://app.example.com']), metricsRejection: new MetricsRejection(() => {})});
		off = await startOtlpReceiver({port: 0, sink, log: () => {}});
		any = await startOtlpReceiver({port: 0, sink, log: () => {}, cors: CorsPolicy.parse(['*'])});
	});

	after(async () => {
		await Promise.all([receiver.close(), off.close(), any.close()]);
	});

	const preflight = (target: OtlpReceiver, origin: string, path = '/v1/traces'): Promise<Answer> => request(`${target.url}${path}`, 'OPTIONS', {Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-tenant'});

	it('answers the preflight of an allowed origin with the Access-Control-Allow-* headers, on every OTLP path', async () => {
		for (const path of ['/v1/traces', '/v1/metrics', '/v1/logs']) {
			const answer = await preflight(receiver, allowed, path);
			assert.equal(answer.status, 204, path);
			assert.equal(answer.headers['access-control-allow-origin'], allowed);
			assert.equal(answer.headers['access-control-allow-methods'], 'POST');
			assert.equal(answer.headers['access-control-allow-headers'], 'content-type, x-tenant');
			assert.equal(answer.headers['access-control-max-age'], '600');
			assert.equal(answer.headers['vary'], 'Origin');
			assert.equal(answer.body.length, 0);
		}
	});

	it('marks the answers to an allowed origin, errors included, and lets the page read Retry-After', async () => {
		const ok = await request(`${receiver.url}/v1/traces`, 'POST', {Origin: allowed, 'Content-Type': 'application/json'}, JSON.stringify(traceDocument));
		assert.equal(ok.status, 200);
		assert.equal(ok.headers['access-control-allow-origin'], allowed);
		assert.equal(ok.headers['access-control-expose-headers'], 'Retry-After');
		const bad = await request(`${receiver.url}/v1/traces`, 'POST', {Origin: allowed, 'Content-Type': 'application/json'}, '{');
		assert.equal(bad.status, 400);
		assert.equal(bad.headers['access-control-allow-origin'], allowed, 'the page can read why');
		const metrics = await request(`${receiver.url}/v1/metrics`, 'POST', {Origin: allowed, 'Content-Type': 'application/json'}, JSON.stringify(handMadeMetrics().request));
		assert.equal(metrics.headers['access-control-allow-origin'], allowed);
	});

	it('gives an origin not allowed no CORS header at all', async () => {
		const answer = await preflight(receiver, 'http://localhost:3001');
		assert.equal(answer.status, 403);
		assert.deepEqual(corsHeaders(answer.headers), []);
		assert.match(JSON.parse(answer.body.toString()).message, /--cors-origin/);
		const post = await request(`${receiver.url}/v1/traces`, 'POST', {Origin: 'https://evil.example', 'Content-Type': 'application/json'}, JSON.stringify(traceDocument));
		assert.equal(post.status, 200, 'a non-browser client is served as before');
		assert.deepEqual(corsHeaders(post.headers), []);
		assert.equal(post.headers['vary'], 'Origin');
	});

	it('is off by default: no CORS headers, preflights refused', async () => {
		const answer = await preflight(off, allowed);
		assert.equal(answer.status, 403);
		assert.deepEqual(corsHeaders(answer.headers), []);
		const post = await request(`${off.url}/v1/traces`, 'POST', {Origin: allowed, 'Content-Type': 'application/json'}, JSON.stringify(traceDocument));
		assert.equal(post.status, 200);
		assert.deepEqual(corsHeaders(post.headers), []);
		assert.equal(post.headers['vary'], undefined);
	});

	it('allows any origin with *', async () => {
		const answer = await preflight(any, 'https://anything.example');
		assert.equal(answer.status, 204);
		assert.equal(answer.headers['access-control-allow-origin'], '*');
	});

	it('leaves a plain OPTIONS (not a preflight) and other paths alone', async () => {
		const plain = await request(`${receiver.url}/v1/traces`, 'OPTIONS', {});
		assert.equal(plain.status, 405);
		assert.equal(plain.headers['allow'], 'POST');
		const other = await request(`${receiver.url}/metrics`, 'GET', {Origin: allowed});
		assert.deepEqual(corsHeaders(other.headers), []);
	});
});
