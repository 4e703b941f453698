import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {test} from 'node:test';
import {groupPath, pushRunFigures} from '../../source/interop/pushgateway.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from '../helpers/temp-home.js';
import {deployEvents} from './deploys.js';
import {parsePrometheusText, sampleValue} from './prometheus-text.js';

interface Received {
	method: string;
	url: string;
	contentType: string;
	body: string;
}

/** A stand-in Pushgateway on loopback that records what it is sent and answers `status`. */
async function gateway(status = 200): Promise<{url: string; received: Received[]; close: () => Promise<void>}> {
	const received: Received[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', chunk => {
			body += chunk;
		});
		req.on('end', () => {
			received.push({method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body});
			res.writeHead(status).end(status === 200 ? '' : 'text format parsing error in line 3');
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {url: `http://127.0.0.1:${port}`, received, close: async () => new Promise(resolve => server.close(() => resolve()))};
}

function finishedRun(runId = 'run-20261124-030000-abc1234'): {run: ReturnType<RunIndex['resolveRun']>; spans: ReturnType<RunIndex['spans']>} {
	const index = RunIndex.open(tempHome());
	index.appendEvents(
		deployEvents({
			trace: 't1',
			runId,
			env: 'prod',
			target: 'api',
			startMs: Date.parse('2026-11-24T03:00:00Z'),
			duration: 120,
			status: 'failed',
			stages: [
				{name: 'build', start: 0, end: 40},
				{name: 'deploy', start: 40, end: 110, status: 'failed'},
			],
		}),
	);
	const run = index.resolveRun(runId);
	const spans = index.spans(run.trace_id);
	index.close();
	return {run, spans};
}

test("pushRunFigures PUTs the run's figures to its own group", async () => {
	const gw = await gateway();
	const {run, spans} = finishedRun();
	const warning = await pushRunFigures(`${gw.url}/`, run, spans);
	await gw.close();
	assert.equal(warning, undefined);
	assert.equal(gw.received.length, 1);
	const [request] = gw.received;
	assert.equal(request!.method, 'PUT');
	assert.equal(request!.url, '/metrics/job/tracedeck/run_id/run-20261124-030000-abc1234');
	assert.match(request!.contentType, /^text\/plain; version=0\.0\.4/);
	const families = parsePrometheusText(request!.body);
	const labels = {env: 'prod', target: 'api', status: 'failed'};
	assert.equal(sampleValue(families, 'tracedeck_run_duration_seconds', labels), 120);
	assert.equal(sampleValue(families, 'tracedeck_run_failed', labels), 1);
	assert.equal(sampleValue(families, 'tracedeck_run_finished_timestamp_seconds', labels), Date.parse('2026-11-24T03:02:00Z') / 1000);
	assert.equal(sampleValue(families, 'tracedeck_run_stage_duration_seconds', {env: 'prod', target: 'api', stage: 'deploy', stage_status: 'failed'}), 70);
});

test('run ids are encoded into the group path; one with a slash goes base64url', () => {
	assert.equal(groupPath('run 1'), '/metrics/job/tracedeck/run_id/run%201');
	assert.equal(groupPath('a/b'), `/metrics/job/tracedeck/run_id@base64/${Buffer.from('a/b').toString('base64url')}`);
});

test('a gateway that is down, refuses or is misnamed gives a warning, never a throw', async () => {
	const {run, spans} = finishedRun();
	const gw = await gateway();
	const closedUrl = gw.url;
	await gw.close();
	const down = await pushRunFigures(closedUrl, run, spans, {timeoutMs: 2000});
	assert.match(down ?? '', /^pushgateway http:\/\/127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\); run figures not pushed$/);

	const refusing = await gateway(400);
	const refused = await pushRunFigures(refusing.url, run, spans);
	await refusing.close();
	assert.match(refused ?? '', /answered 400: text format parsing error in line 3; run figures not pushed$/);

	assert.match((await pushRunFigures('not a url', run, spans)) ?? '', /is not a URL/);
});
