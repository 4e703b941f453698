import assert from 'node:assert/strict';
import net from 'node:net';
import {describe, it} from 'node:test';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {runSourceCli} from '../helpers/source-cli.js';
import {startServe} from '../helpers/serve-cli.js';

const NANOS = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;

const document = {
	resourceSpans: [
		{
			resource: {
				attributes: [
					{key: 'devcmd.run_id', value: {stringValue: 'run-served-1'}},
					{key: 'devcmd.env', value: {stringValue: 'prod'}},
				],
			},
			scopeSpans: [
				{
					spans: [
						{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'deploy', startTimeUnixNano: NANOS('2026-03-02T10:00:00Z'), endTimeUnixNano: NANOS('2026-03-02T10:00:05Z'), status: {code: 2}},
						{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', parentSpanId: 'b7ad6b7169203331', name: 'migrate', startTimeUnixNano: NANOS('2026-03-02T10:00:01Z'), endTimeUnixNano: NANOS('2026-03-02T10:00:04Z'), status: {code: 2, message: 'lock timeout'}},
					],
				},
			],
		},
	],
};

describe('tracedeck serve', () => {
	it('prints its URL, receives OTLP, serves /metrics, and stops cleanly on SIGTERM', {timeout: 60_000}, async () => {
		const home = tempHome();
		const served = await startServe([], {home});
		try {
			const url = served.httpUrl;
			assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
			const response = await fetch(`${url}/v1/traces`, {method: 'POST', body: JSON.stringify(document), headers: {'Content-Type': 'application/json'}});
			assert.equal(response.status, 200);
			assert.deepEqual(await response.json(), {});

			const metrics = await fetch(`${url}/metrics`);
			assert.equal(metrics.status, 200);
			const text = await metrics.text();
			assert.match(text, /^tracedeck_events_total 4$/m);
			assert.match(text, /^tracedeck_redis_write_failures_total 0$/m);

			assert.equal(await served.stop(), 0, served.stderr());
			assert.match(served.stderr(), /SIGTERM, finishing requests in flight/);
			assert.match(served.stderr(), /stopped/);
		} finally {
			served.child.kill('SIGKILL');
		}

		const index = RunIndex.open(home, {readonly: true});
		try {
			const run = index.resolveRun('run-served-1');
			assert.equal(run.status, 'failed');
			assert.equal(run.env, 'prod');
			assert.equal(run.failed_step, 'migrate');
		} finally {
			index.close();
		}
	});

	it('says so when the port is taken', {timeout: 60_000}, async () => {
		const blocker = net.createServer();
		await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
		const {port} = blocker.address() as net.AddressInfo;
		try {
			const result = runSourceCli(['serve', '--port', String(port)], {home: tempHome()});
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
		} finally {
			blocker.close();
		}
	});

	it('rejects a bad --port', () => {
		const result = runSourceCli(['serve', '--port', '70000'], {home: tempHome()});
		assert.equal(result.code, 2);
		assert.match(result.stderr, /--port must be/);
	});
});
