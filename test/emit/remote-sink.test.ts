import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RemoteSink} from '../../source/emit/remote-sink.js';
import {TRACEDECK_EVENT_ATTRIBUTE} from '../../source/interop/tracedeck-event-log.js';
import {tempHome} from '../helpers/temp-home.js';

const event = (n: number): TraceEvent => ({trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), event_type: 'log:stdout', timestamp: '2026-01-01T00:00:00.000Z', event_id: `e${n}`, data: {line: `line ${n}`}});

/** The event ids in one request body. */
function idsIn(body: unknown): string[] {
	const request = JSON.parse(String(body)) as {resourceLogs: Array<{scopeLogs: Array<{logRecords: Array<{attributes: Array<{key: string; value: {stringValue: string}}>}>}>}>};
	return request.resourceLogs.flatMap(rl => rl.scopeLogs.flatMap(sl => sl.logRecords.map(record => (JSON.parse(record.attributes.find(a => a.key === TRACEDECK_EVENT_ATTRIBUTE)!.value.stringValue) as TraceEvent).event_id!)));
}

/** A fake serve: answers with `answer(n)` for the n-th request, keeps the ids of the ones it took. */
function fakeServe(answer: (n: number) => Response | Error) {
	const taken: string[] = [];
	let requests = 0;
	const fetch: typeof globalThis.fetch = async (_url, init) => {
		const reply = answer(requests++);
		if (reply instanceof Error) {
			throw reply;
		}

		if (reply.ok) {
			taken.push(...idsIn(init?.body));
		}

		return reply;
	};
	return {fetch, taken, requests: () => requests};
}

describe('RemoteSink', () => {
	it('retries a batch serve shed with 429 and Retry-After, and sends the token: taken once, no warning', async () => {
		const headers: Array<string | null> = [];
		const serve = fakeServe(n => (n === 0 ? new Response('busy', {status: 429, headers: {'retry-after': '0'}}) : new Response('{}', {status: 200})));
		const sink = new RemoteSink({
			endpoint: 'http://serve.invalid:4318',
			token: 's3cret',
			home: tempHome(),
			warn: assert.fail,
			async fetch(url, init) {
				headers.push(new Headers(init?.headers).get('authorization'));
				assert.equal(url, 'http://serve.invalid:4318/v1/logs');
				return serve.fetch(url, init);
			},
		});
		await sink.write([event(1), event(2)]);
		const stats = await sink.close();
		assert.deepEqual(serve.taken, ['e1', 'e2']);
		assert.deepEqual(headers, ['Bearer s3cret', 'Bearer s3cret']);
		assert.deepEqual({sent: stats.sent, pending: stats.pending, spooled: stats.spooled}, {sent: 2, pending: 0, spooled: 0});
	});

	it('spools when serve stays unavailable, warns once, and sends the spool first, in order, when it answers again', async () => {
		let up = false;
		const warnings: string[] = [];
		const serve = fakeServe(() => (up ? new Response('{}', {status: 200}) : new Response('down', {status: 503, headers: {'retry-after': '0'}})));
		const home = tempHome();
		const sink = new RemoteSink({endpoint: 'http://serve.invalid:4318', home, retryBudgetMs: 0, warn: message => warnings.push(message), fetch: serve.fetch, random: () => 0});
		await sink.write([event(1)]);
		await sink.write([event(2), event(3)]);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0]!, /cannot reach http:\/\/serve\.invalid:4318 \(HTTP 503\); spooling/);
		assert.equal(sink.stats().pending, 3);
		up = true;
		await sink.write([event(4)]);
		const stats = await sink.close();
		assert.deepEqual(serve.taken, ['e1', 'e2', 'e3', 'e4']);
		assert.equal(stats.pending, 0);
		assert.equal(stats.spooled, 3);
		assert.match(warnings.at(-1)!, /takes events again/);
	});

	it('a network error leaves the events in the spool for the next sender on this machine, which sends them before its own', async () => {
		const home = tempHome();
		const down = fakeServe(() => new TypeError('fetch failed', {cause: {code: 'ECONNREFUSED'}}));
		const warnings: string[] = [];
		const first = new RemoteSink({endpoint: 'http://serve.invalid:4318', home, retryBudgetMs: 0, warn: message => warnings.push(message), fetch: down.fetch});
		await first.write([event(1), event(2)]);
		assert.equal((await first.close()).pending, 2);
		assert.match(warnings[0]!, /ECONNREFUSED/);

		const serve = fakeServe(() => new Response('{}', {status: 200}));
		// The first sender's files count as an exited process's, as they would for the next exec.
		const next = new RemoteSink({endpoint: 'http://serve.invalid:4318', home, warn: assert.fail, fetch: serve.fetch, isAlive: () => false});
		await next.write([event(3)]);
		await next.close();
		assert.deepEqual(serve.taken, ['e1', 'e2', 'e3']);
	});

	it('counts and says what serve refuses as invalid, without retrying it for ever; gives an id to an event without one', async () => {
		const warnings: string[] = [];
		const bodies: unknown[] = [];
		const sink = new RemoteSink({
			endpoint: 'http://serve.invalid:4318',
			home: tempHome(),
			warn: message => warnings.push(message),
			async fetch(_url, init) {
				bodies.push(init?.body);
				return new Response('invalid OTLP logs', {status: 400});
			},
		});
		const {event_id, ...anonymous} = event(1);
		await sink.write([anonymous]);
		const stats = await sink.close();
		assert.equal(bodies.length, 1);
		assert.equal(stats.rejected, 1);
		assert.equal(stats.pending, 0);
		assert.match(warnings[0]!, /refused 1 event/);
		assert.match(idsIn(bodies[0])[0]!, /^[\x21-\x7e]+$/);
	});
});
