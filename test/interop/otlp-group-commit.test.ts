import assert from 'node:assert/strict';
import http from 'node:http';
import {test} from 'node:test';
import {TraceIntake, PART_EVENTS, PART_SIZE} from '../../source/interop/otlp-intake.js';
import {encodeExportTraceRequest} from '../../source/interop/otlp-protobuf.js';
import {startOtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';
import {tempIndex} from '../helpers/temp-index.js';

const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const nanos = (ms: number): string => `${BigInt(T0 + ms) * 1_000_000n}`;

/** An export of one trace of three spans (a root and two children), as serve's load bench sends them. */
function exportOf(n: number): Uint8Array {
	const traceId = `${hex16(0xc0ffee)}${hex16(n + 1)}`;
	const spans = [1, 2, 3].map(s => ({traceId, spanId: hex16(n * 16 + s), ...(s === 1 ? {} : {parentSpanId: hex16(n * 16 + 1)}), name: s === 1 ? 'root' : `child ${s}`, startTimeUnixNano: nanos(s), endTimeUnixNano: nanos(10 - s)}));
	return encodeExportTraceRequest({resourceSpans: [{resource: {attributes: [{key: 'service.name', value: {stringValue: 'group'}}]}, scopeSpans: [{spans: spans as never}]}]});
}

function post(url: string, body: Uint8Array): Promise<number> {
	return new Promise((resolve, reject) => {
		const request = http.request(`${url}/v1/traces`, {method: 'POST', headers: {'Content-Type': 'application/x-protobuf', 'Content-Length': body.length}}, response => {
			response.resume();
			response.on('end', () => resolve(response.statusCode ?? 0));
		});
		request.once('error', reject);
		request.end(body);
	});
}

// Whether they share a transaction depends on when their bodies arrive; test/live/group-commit.test.ts pins the batching itself.
test('OTLP/HTTP with group commit: concurrent exports are answered 200 once stored, each stored once, a retry sent alongside its original recognised', async () => {
	const {index, cleanup} = tempIndex();
	const store = new SqliteStore(index);
	const intake = new TraceIntake({sink: new EventWriter(store, undefined, {partEvents: PART_EVENTS, partSize: PART_SIZE, groupCommit: true}), log: () => {}});
	const receiver = await startOtlpReceiver({port: 0, intake, log: () => {}});
	try {
		const bodies = Array.from({length: 8}, (_, n) => exportOf(n));
		// Export 0 twice at once: a sender's retry racing its original.
		const statuses = await Promise.all([...bodies, bodies[0]!].map(body => post(receiver.url, body)));
		assert.deepEqual(
			statuses,
			Array.from({length: 9}, () => 200),
		);
		assert.equal(index.db.prepare('SELECT count(*) FROM spans').pluck().get(), 24);
		assert.equal(index.db.prepare('SELECT count(*) FROM runs').pluck().get(), 8);
		const events = index.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
		assert.equal(events, 8 * 6, 'a start and an end event per span, the retry stored nothing');
	} finally {
		await receiver.close();
		cleanup();
	}
});
